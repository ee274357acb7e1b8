/**
 * diffModels: two scanned models (report + config documents + weight records) → the records of what differs
 * (types.ts). Layers are paired first (match.ts); then, per pair, class, config (key by key at JSON pointers,
 * normalise.ts), inbound edges; then every code payload by place, hash and decoded code (code-diff.ts); then
 * findings by kind and place; then writer metadata and the weight records. Unpaired things are records or
 * `unmatched` entries, never dropped. Pure: nothing is read from the files here.
 */
import { decodeBase64 } from '../keras/payload-bytes';
import { pointerSegment, type Json } from '../json/parse';
import type { FileReport, Finding } from '../report';
import { VERSION } from '../version';
import { diffCode } from './code-diff';
import { diffJson, jsonEqual, type DiffCounters } from './config-diff';
import { matchLayers, ownName, type Matching } from './match';
import { inboundEdges, normaliseLayer, normaliseTraining } from './normalise';
import { indexSide, placeOf, type DiffSide, type IndexedLayer, type IndexedSide, type Place } from './side';
import { DIFF_SCHEMA, type Difference, type DiffFile, type EdgeRef, type ModelDiff, type PayloadSide, type Unmatched } from './types';
import { diffWeights } from './weights-diff';
import { changedLines, disassemblyKey, type LineDiff } from './lines';

export type { DiffSide };

const ARCHITECTURE_KINDS: ReadonlySet<Difference['kind']> = new Set(['layer-added', 'layer-removed', 'layer-renamed', 'class-changed', 'config-changed', 'inbound-changed']);

function fileOf(r: FileReport): DiffFile {
  const f: DiffFile = { path: r.path, size: r.size, sha256: r.sha256, format: r.format, formatDetail: r.formatDetail, verdict: r.verdict, verdictReason: r.verdictReason };
  if (r.error) f.error = r.error;
  if (r.model) f.model = r.model;
  return f;
}

/** A finding that lets the file do something on load (not context, not info). */
function acts(f: Finding): boolean {
  return f.severity !== 'info' && f.effect !== 'context';
}

function payloadSide(f: Finding): PayloadSide {
  const p = f.payload!;
  const d = p.decoded;
  const side: PayloadSide = {
    document: f.document,
    location: f.location,
    carrier: p.carrier,
    sha256: p.sha256,
    size: p.size,
    pythonVersions: d.pythonVersions.map((v) => v.version),
    names: d.names,
    strings: d.strings,
    sourceComplete: d.sourceComplete,
    indicators: d.indicators.map((i) => `${i.category}: ${i.title}`),
  };
  if (f.layer !== undefined) side.layer = f.layer;
  if (f.slot !== undefined) side.slot = f.slot;
  if (d.source !== undefined) side.source = d.source;
  if (d.disassembly !== undefined) side.disassembly = d.disassembly;
  if (p.defaults !== undefined && p.defaults !== null) side.defaults = p.defaults as Json;
  if (p.closure !== undefined && p.closure !== null) side.closure = p.closure as Json;
  if (!d.ok && d.error) side.decodeError = d.error;
  return side;
}

/** The key itself, or with `#n` for the n-th repeat: two things at one place are both kept, paired in order. */
function occurrence(map: ReadonlyMap<string, unknown>, key: string): string {
  if (!map.has(key)) return key;
  let n = 2;
  while (map.has(`${key}#${n}`)) n++;
  return `${key}#${n}`;
}

/** Pointers overlap when one is the other or lies inside it. */
function overlaps(x: string, y: string): boolean {
  return x === y || x.startsWith(y + '/') || y.startsWith(x + '/');
}

class Differ {
  readonly a: IndexedSide;
  readonly b: IndexedSide;
  readonly matching: Matching;
  readonly differences: Difference[] = [];
  readonly unmatched: Unmatched[] = [];
  readonly notes: string[] = [];
  readonly counters: DiffCounters = { formOnly: 0 };
  payloadsSame = 0;

  constructor(a: DiffSide, b: DiffSide) {
    this.a = indexSide(a);
    this.b = indexSide(b);
    this.matching = matchLayers(this.a, this.b);
  }

  /** A's layer path in B's terms (unpaired paths keep A's path, marked so they never collide with B's). */
  private mapPath(path: string): string {
    return this.matching.aToB.get(path) ?? `(a) ${path}`;
  }

  private childNames = new Map<string, (name: string) => string>();

  /** Names of A's children of `parent` → the paired B child's name (once per parent: a flat model has thousands). */
  private childNameMap(parentA: string): (name: string) => string {
    let known = this.childNames.get(parentA);
    if (!known) {
      known = this.buildChildNameMap(parentA);
      this.childNames.set(parentA, known);
    }
    return known;
  }

  private buildChildNameMap(parentA: string): (name: string) => string {
    const map = new Map<string, string>();
    for (const child of this.a.children.get(parentA) ?? []) {
      const to = this.matching.aToB.get(child.info.path);
      const target = to === undefined ? undefined : this.b.layers.get(to);
      if (target) map.set(ownName(child), ownName(target));
    }
    return (name) => map.get(name) ?? name;
  }

  private placeKey(place: Place, side: 'a' | 'b'): string {
    if (place.layer !== undefined) return `L\u0000${side === 'a' ? this.mapPath(place.layer) : place.layer}\u0000${place.pointer}`;
    return `U\u0000${place.unit}\u0000${place.pointer}`;
  }

  private findingPlace(s: IndexedSide, f: Finding): Place {
    // A byte offset (`@N`, pickles and .npy) moves with any edit before it: the document is the place.
    return placeOf(s, f.document, f.location.startsWith('@') ? '' : f.location, f.layer);
  }

  private actingByLayer = new Map<IndexedSide, Map<string, Finding[]>>();

  /** Relative pointers of the findings that act, per layer path (findings grouped once per side). */
  private actingPointers(s: IndexedSide, layerPath: string): string[] {
    let byLayer = this.actingByLayer.get(s);
    if (!byLayer) {
      byLayer = new Map();
      for (const f of s.findings) {
        if (!acts(f) || f.layer === undefined) continue;
        const list = byLayer.get(f.layer);
        if (list) list.push(f);
        else byLayer.set(f.layer, [f]);
      }
      this.actingByLayer.set(s, byLayer);
    }
    const out: string[] = [];
    for (const f of byLayer.get(layerPath) ?? []) {
      const place = this.findingPlace(s, f);
      if (place.layer !== layerPath) continue;
      out.push(place.pointer);
      // The whole slot carries the code: a payload's defaults and closure sit beside its code string.
      if (f.slot !== undefined && place.pointer.startsWith(`/config/${pointerSegment(f.slot)}/`)) out.push(`/config/${pointerSegment(f.slot)}`);
    }
    return out;
  }

  /** True when the layer or anything inside it has a finding that acts. */
  private holdsCode(s: IndexedSide, layerPath: string): boolean {
    return s.findings.some((f) => acts(f) && f.layer !== undefined && (f.layer === layerPath || f.layer.startsWith(layerPath + '/')));
  }

  run(): void {
    this.layers();
    this.training();
    this.payloads();
    this.findings();
    this.metadata();
    this.ledger();
    diffWeights(this.a.side.weights, this.b.side.weights, this.renamedSegments(), this.differences, this.unmatched, this.notes);
  }

  private layers(): void {
    for (const m of this.matching.matches) {
      const x = this.a.layers.get(m.a)!;
      const y = this.b.layers.get(m.b)!;
      if (ownName(x) !== ownName(y)) this.differences.push({ kind: 'layer-renamed', codeCarrying: false, a: m.a, b: m.b, className: m.className, by: m.by });
      if (x.info.className !== y.info.className) {
        this.differences.push({ kind: 'class-changed', codeCarrying: this.holdsCode(this.a, m.a) || this.holdsCode(this.b, m.b), a: m.a, b: m.b, from: x.info.className, to: y.info.className });
      }
      this.layerConfig(x, y);
      this.layerEdges(x, y);
    }
    const removed = this.a.side.report.layers.filter((l) => !this.matching.aToB.has(l.path));
    const added = this.b.side.report.layers.filter((l) => !this.matching.bToA.has(l.path));
    for (const l of removed) {
      this.differences.push({ kind: 'layer-removed', codeCarrying: this.holdsCode(this.a, l.path), layer: l.path, className: l.className, document: l.document, location: l.location });
    }
    for (const l of added) {
      this.differences.push({ kind: 'layer-added', codeCarrying: this.holdsCode(this.b, l.path), layer: l.path, className: l.className, document: l.document, location: l.location });
    }
    if (!this.a.root || !this.b.root) {
      for (const [s, side] of [[this.a, 'a'], [this.b, 'b']] as const) {
        if (!s.root) this.unmatched.push({ side, what: 'model architecture', reason: 'no layer tree was found in this file (no model config), so layers could not be compared' });
      }
    }
  }

  private layerConfig(x: IndexedLayer, y: IndexedLayer): void {
    if (!x.object || !y.object) {
      this.unmatched.push({ side: !x.object ? 'a' : 'b', what: `config of layer ${!x.object ? x.info.path : y.info.path}`, reason: 'its pointer does not resolve in the config documents the scan kept' });
      return;
    }
    const na = normaliseLayer(x, this.a, this.childNameMap(x.info.path));
    const nb = normaliseLayer(y, this.b, (n) => n);
    const acting = [...this.actingPointers(this.a, x.info.path), ...this.actingPointers(this.b, y.info.path)];
    for (const c of diffJson(na, nb, '', this.counters)) {
      if (c.pointer === '/class_name') continue; // said by class-changed
      const at: { a?: string; b?: string } = {};
      if (c.change !== 'added') at.a = `${x.info.document}${x.info.location}${c.pointer}`;
      if (c.change !== 'removed') at.b = `${y.info.document}${y.info.location}${c.pointer}`;
      const record: Difference = { kind: 'config-changed', codeCarrying: acting.some((p) => overlaps(p, c.pointer)), a: x.info.path, b: y.info.path, pointer: c.pointer, change: c.change, at };
      if (c.from !== undefined) record.from = c.from;
      if (c.to !== undefined) record.to = c.to;
      this.differences.push(record);
    }
  }

  /** Inbound edges; a model without `inbound_nodes` (Sequential) falls back to the walker's order-based edges. */
  private edgesOf(s: IndexedSide, layer: IndexedLayer, rename: (n: string) => string): EdgeRef[][] {
    const nodes = inboundEdges(layer.object);
    if (nodes) return nodes.map((node) => node.map((r) => ({ ...r, layer: rename(r.layer) })));
    const parent = layer.info.parent ?? '';
    const names = layer.info.inbound.map((p) => rename(p.slice(parent.length + 1)));
    return names.length ? [names.map((n) => ({ layer: n, node: 0, tensor: 0 }))] : [];
  }

  private layerEdges(x: IndexedLayer, y: IndexedLayer): void {
    if (x.info.parent === undefined || y.info.parent === undefined) return;
    const from = this.edgesOf(this.a, x, this.childNameMap(x.info.parent));
    const to = this.edgesOf(this.b, y, (n) => n);
    // A Sequential's first layer has no inbound_nodes entry on one side and an empty list on the other.
    const empty = (e: EdgeRef[][]) => e.every((n) => n.length === 0);
    if (empty(from) && empty(to)) return;
    if (!jsonEqual(from as unknown as Json, to as unknown as Json)) this.differences.push({ kind: 'inbound-changed', codeCarrying: false, a: x.info.path, b: y.info.path, from, to });
  }

  private training(): void {
    const ta = normaliseTraining(this.a);
    const tb = normaliseTraining(this.b);
    const acting = (s: IndexedSide) =>
      s.findings.filter((f) => acts(f)).map((f) => this.findingPlace(s, f)).filter((p) => p.unit === 'training').map((p) => p.pointer);
    const pointers = [...acting(this.a), ...acting(this.b)];
    for (const c of diffJson(ta, tb, '', this.counters)) {
      const at: { a?: string; b?: string } = {};
      if (this.a.training && c.change !== 'added') at.a = `${this.a.training.document}${this.a.training.pointer}${c.pointer}`;
      if (this.b.training && c.change !== 'removed') at.b = `${this.b.training.document}${this.b.training.pointer}${c.pointer}`;
      const record: Difference = { kind: 'config-changed', codeCarrying: pointers.some((p) => overlaps(p, c.pointer)), a: '', b: '', unit: 'training', pointer: c.pointer, change: c.change, at };
      if (c.from !== undefined) record.from = c.from;
      if (c.to !== undefined) record.to = c.to;
      this.differences.push(record);
    }
  }

  private payloads(): void {
    const byKey = (s: IndexedSide, side: 'a' | 'b') => {
      const map = new Map<string, Finding>();
      for (const f of s.payloads) map.set(occurrence(map, this.placeKey(this.findingPlace(s, f), side)), f);
      return map;
    };
    const pa = byKey(this.a, 'a');
    const pb = byKey(this.b, 'b');
    for (const [key, fa] of pa) {
      const fb = pb.get(key);
      if (!fb) {
        this.differences.push({ kind: 'payload-removed', codeCarrying: true, a: payloadSide(fa) });
        continue;
      }
      if (fa.payload!.sha256 === fb.payload!.sha256 && jsonEqual((fa.payload!.defaults ?? null) as Json, (fb.payload!.defaults ?? null) as Json) && jsonEqual((fa.payload!.closure ?? null) as Json, (fb.payload!.closure ?? null) as Json)) {
        this.payloadsSame++;
        continue;
      }
      const input = (f: Finding) => ({
        bytes: decodeBase64(f.payload!.base64) ?? new Uint8Array(0),
        version: f.payload!.decoded.pythonVersions[0]?.version ?? '3',
        defaults: f.payload!.defaults as Json | undefined,
        closure: f.payload!.closure as Json | undefined,
      });
      const sa = payloadSide(fa);
      const sb = payloadSide(fb);
      const lines: { source?: LineDiff; disassembly?: LineDiff } = {};
      const source = sa.source !== undefined && sb.source !== undefined ? changedLines(sa.source, sb.source) : null;
      if (source) lines.source = source;
      const dis = sa.disassembly !== undefined && sb.disassembly !== undefined ? changedLines(sa.disassembly, sb.disassembly, disassemblyKey) : null;
      if (dis) lines.disassembly = dis;
      this.differences.push({ kind: 'payload-changed', codeCarrying: true, a: sa, b: sb, changes: diffCode(input(fa), input(fb)), ...(source || dis ? { lines } : {}) });
    }
    for (const [key, fb] of pb) if (!pa.has(key)) this.differences.push({ kind: 'payload-added', codeCarrying: true, b: payloadSide(fb) });
  }

  private findingKey(s: IndexedSide, f: Finding, side: 'a' | 'b'): string {
    const place = this.findingPlace(s, f);
    // Context about the file as a whole (the writer's version) sits in a different document per container.
    if (place.layer === undefined && f.effect === 'context') return `C\u0000${f.rule}`;
    // Pickle findings of one stream share its place; the global they name tells them apart.
    const global = typeof f.evidence.global === 'string' ? f.evidence.global : '';
    return `${f.kind}\u0000${this.placeKey(place, side)}\u0000${global}`;
  }

  private findings(): void {
    const byKey = (s: IndexedSide, side: 'a' | 'b') => {
      const map = new Map<string, Finding>();
      for (const f of s.findings) map.set(occurrence(map, this.findingKey(s, f, side)), f);
      return map;
    };
    const fa = byKey(this.a, 'a');
    const fb = byKey(this.b, 'b');
    const brief = (f: Finding) => ({ rule: f.rule, severity: f.severity, title: f.title, location: `${f.document}${f.location}` });
    for (const [key, x] of fa) {
      const y = fb.get(key);
      if (!y) {
        this.differences.push({ kind: 'finding-removed', codeCarrying: acts(x), rule: x.rule, severity: x.severity, title: x.title, ...(x.layer !== undefined ? { layer: x.layer } : {}), document: x.document, location: x.location });
        continue;
      }
      if (x.rule === y.rule && x.severity === y.severity && x.title === y.title) continue;
      // The same code under another rule (an .h5's loader against a .keras's) changes nothing a load runs.
      const samePayload = x.payload && y.payload ? x.payload.sha256 === y.payload.sha256 : jsonEqual(x.evidence as Json, y.evidence as Json);
      const record: Difference = { kind: 'finding-changed', codeCarrying: (acts(x) || acts(y)) && !samePayload, a: brief(x), b: brief(y) };
      if (y.layer !== undefined) record.layer = y.layer;
      this.differences.push(record);
    }
    for (const [key, y] of fb) {
      if (fa.has(key)) continue;
      this.differences.push({ kind: 'finding-added', codeCarrying: acts(y), rule: y.rule, severity: y.severity, title: y.title, ...(y.layer !== undefined ? { layer: y.layer } : {}), document: y.document, location: y.location });
    }
  }

  private metadata(): void {
    const facts = (r: FileReport) => {
      const m = r.model;
      const out = new Map<string, string>(Object.entries(m?.writer ?? {}));
      if (m?.kerasVersion !== undefined && !out.has('keras_version')) out.set('keras_version', m.kerasVersion);
      if (m?.backend !== undefined && !out.has('backend')) out.set('backend', m.backend);
      return out;
    };
    const ma = facts(this.a.side.report);
    const mb = facts(this.b.side.report);
    for (const key of new Set([...ma.keys(), ...mb.keys()])) {
      const x = ma.get(key);
      const y = mb.get(key);
      if (x === y) continue;
      this.differences.push({ kind: 'metadata-changed', codeCarrying: false, key, ...(x !== undefined ? { from: x } : {}), ...(y !== undefined ? { to: y } : {}) });
    }
  }

  /** What either scan could not inspect or compare is listed: the diff cannot vouch for it. */
  private ledger(): void {
    for (const [s, side] of [[this.a, 'a'], [this.b, 'b']] as const) {
      const r = s.side.report;
      if (r.verdict === 'error') this.unmatched.push({ side, what: 'the file', reason: `it could not be inspected: ${r.error?.message ?? r.verdictReason}` });
      for (const k of r.skipped ?? []) this.unmatched.push({ side, what: k.part, reason: `not inspected (${k.category}): ${k.reason}` });
      for (const f of s.payloads) if (!f.payload!.decoded.ok) this.unmatched.push({ side, what: `payload at ${f.document}${f.location}`, reason: `its bytes are not a readable code object (${f.payload!.decoded.error ?? 'unknown'}); compared by hash only` });
      const extra = s.side.documents.filter((d) => !['model_config', 'config.json', 'model.json', 'training_config', 'metadata.json'].includes(d.name)).map((d) => d.name);
      if (extra.length) this.notes.push(`${side}: documents ${extra.join(', ')} were compared only through the payloads and findings in them, not key by key.`);
    }
    const pickled = (s: IndexedSide) =>
      s.side.report.format === 'pickle' || s.findings.some((f) => f.kind === 'pickle') || (s.side.report.members ?? []).some((m) => /\.pkl$/.test(m.name));
    if (pickled(this.a) || pickled(this.b)) {
      this.notes.push('Pickles are compared through what the opcode reader reports (the globals they import, the calls and their string arguments, as findings), not instruction by instruction; a changed pickle member shows as a changed CRC-32.');
    }
    if (this.counters.formOnly) {
      this.notes.push(`${this.counters.formOnly} key(s) present on one side only were not counted as differences because only one save format writes them (module naming a Keras module, registered_name, build_config, shared_object_id, an empty compile_config).`);
    }
  }

  /** Layer names renamed between the files, for mapping weight paths (an .h5 names its weight groups by layer). */
  private renamedSegments(): Map<string, string> {
    const out = new Map<string, string>();
    for (const m of this.matching.matches) {
      const x = this.a.layers.get(m.a)!;
      const y = this.b.layers.get(m.b)!;
      if (ownName(x) !== ownName(y)) out.set(ownName(x), ownName(y));
    }
    return out;
  }
}

export function diffModels(a: DiffSide, b: DiffSide): ModelDiff {
  const d = new Differ(a, b);
  d.run();
  const counts: ModelDiff['summary']['counts'] = {};
  for (const x of d.differences) counts[x.kind] = (counts[x.kind] ?? 0) + 1;
  return {
    schema: DIFF_SCHEMA,
    tool: { name: 'lambdalens', version: VERSION },
    a: fileOf(a.report),
    b: fileOf(b.report),
    summary: {
      codeChanged: d.differences.some((x) => x.codeCarrying),
      architectureChanged: d.differences.some((x) => ARCHITECTURE_KINDS.has(x.kind) && !(x.kind === 'config-changed' && x.unit !== undefined)),
      counts,
      layers: { a: a.report.layers.length, b: b.report.layers.length, matched: d.matching.matches.length },
      payloads: { a: d.a.payloads.length, b: d.b.payloads.length, same: d.payloadsSame },
    },
    matches: d.matching.matches,
    differences: d.differences,
    unmatched: d.unmatched,
    notes: [
      'Weights are never read: only what the containers record about them is compared (zip CRC-32 and sizes, HDF5 dataset shapes and dtypes).',
      ...d.notes,
    ],
  };
}
