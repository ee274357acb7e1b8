/**
 * Human-readable `lambdalens diff` output (formatting only; the ModelDiff is the data). Every text that comes
 * from a file — paths, layer names, config values, decoded constants and source — goes through `inert`, so a
 * crafted model cannot drive the terminal. Lines starting with `!` are differences that can change the code a
 * load runs.
 */
import type { CodeChange, Difference, DiffFile, EdgeRef, LineDiff, ModelDiff, PayloadSide } from '../core/diff/types';
import type { Json } from '../core/json/parse';
import { inert } from './format-text';

function clip(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

/** A JSON value on one line, clipped. */
function value(v: Json | undefined): string {
  return v === undefined ? '(absent)' : inert(clip(JSON.stringify(v), 160));
}

function edges(nodes: EdgeRef[][]): string {
  if (nodes.length === 0) return '(none)';
  return nodes.map((n) => `[${n.map((r) => `${inert(r.layer)}[${r.node}][${r.tensor}]`).join(', ')}]`).join(' ');
}

function fileLine(label: string, f: DiffFile): string {
  const model = f.model ? `, ${inert(f.model.className ?? '?')} with ${f.model.layerCount} layers` : '';
  return `${label}: ${inert(f.path)}  ${f.format}${model}, ${f.verdict}${f.sha256 ? `  sha256 ${f.sha256}` : ''}`;
}

function codeChange(c: CodeChange): string {
  const where = c.codeObject ? `${inert(c.codeObject)} ` : '';
  const index = c.index !== undefined ? `[${c.index}]` : '';
  return `${where}${c.field}${index}: ${inert(c.from ?? '(absent)')} → ${inert(c.to ?? '(absent)')}`;
}

function payloadPlace(p: PayloadSide): string {
  return p.layer ? `${inert(p.layer)}${p.slot ? ` (${inert(p.slot)})` : ''}` : `${inert(p.document)}${inert(p.location)}`;
}

function source(p: PayloadSide): string {
  if (p.source) return inert(clip(p.source.trim().replace(/\n/g, ' ⏎ '), 200)) + (p.sourceComplete ? '' : '  (partial)');
  return p.decodeError ? `not decoded: ${inert(p.decodeError)}` : `names ${inert(clip(p.names.join(', '), 160))}`;
}

/** Disassembly lines listed per side under a changed payload; the rest is in the JSON. */
const MAX_DIS_LINES = 12;

function changedDisassembly(a: PayloadSide, b: PayloadSide, lines: LineDiff | undefined): string[] {
  if (!lines || !a.disassembly || !b.disassembly) return [];
  const pick = (text: string, indices: number[], mark: string) => {
    const all = text.split('\n');
    const shown = indices.slice(0, MAX_DIS_LINES).map((i) => `    ${mark} ${inert(all[i] ?? '')}`);
    if (indices.length > MAX_DIS_LINES) shown.push(`    ${mark} … ${indices.length - MAX_DIS_LINES} more changed lines`);
    return shown;
  };
  return ['    disassembly, changed lines (- a, + b):', ...pick(a.disassembly, lines.a, '-'), ...pick(b.disassembly, lines.b, '+')];
}

function describe(d: Difference): string[] {
  switch (d.kind) {
    case 'layer-added':
    case 'layer-removed':
      return [`${d.kind === 'layer-added' ? 'layer added' : 'layer removed'}: ${inert(d.layer)} (${inert(d.className)}) at ${inert(d.document)}${inert(d.location)}`];
    case 'layer-renamed':
      return [`layer renamed: ${inert(d.a)} → ${inert(d.b)} (${inert(d.className)}, matched by ${d.by})`];
    case 'class-changed':
      return [`class changed: ${inert(d.b)}: ${inert(d.from)} → ${inert(d.to)}`];
    case 'config-changed': {
      const where = d.unit ? `${d.unit} config` : inert(d.b || d.a);
      return [`config ${d.change}: ${where} ${inert(d.pointer) || '/'}: ${value(d.from)} → ${value(d.to)}`];
    }
    case 'inbound-changed':
      return [`inbound changed: ${inert(d.b)}: ${edges(d.from)} → ${edges(d.to)}`];
    case 'payload-added':
      return [`payload added: ${payloadPlace(d.b)}  sha256 ${d.b.sha256}`, `    b: ${source(d.b)}`];
    case 'payload-removed':
      return [`payload removed: ${payloadPlace(d.a)}  sha256 ${d.a.sha256}`, `    a: ${source(d.a)}`];
    case 'payload-changed':
      return [
        `payload changed: ${payloadPlace(d.b)}  sha256 ${d.a.sha256.slice(0, 12)}… → ${d.b.sha256.slice(0, 12)}…`,
        ...d.changes.map((c) => `    ${codeChange(c)}`),
        `    a: ${source(d.a)}`,
        `    b: ${source(d.b)}`,
        ...changedDisassembly(d.a, d.b, d.lines?.disassembly),
      ];
    case 'finding-added':
    case 'finding-removed':
      return [`finding only in ${d.kind === 'finding-added' ? 'b' : 'a'}: [${d.severity.toUpperCase()}] ${d.rule} ${inert(d.title)}`];
    case 'finding-changed':
      return [`finding changed${d.layer ? ` in ${inert(d.layer)}` : ''}: ${d.a.rule} ${d.a.severity} → ${d.b.rule} ${d.b.severity}${d.a.title !== d.b.title ? `: ${inert(d.a.title)} → ${inert(d.b.title)}` : ''}`];
    case 'metadata-changed':
      return [`writer metadata ${inert(d.key)}: ${inert(d.from ?? '(absent)')} → ${inert(d.to ?? '(absent)')}`];
    case 'container-changed': {
      const r = d.record;
      return [`container ${r.part} ${r.change}: ${inert(r.name)}: ${inert(r.from ?? '(absent)')} → ${inert(r.to ?? '(absent)')}`];
    }
  }
}

export function formatDiffText(diff: ModelDiff): string {
  const s = diff.summary;
  const lines = [fileLine('a', diff.a), fileLine('b', diff.b)];
  lines.push(
    s.codeChanged
      ? 'CODE CHANGED: some difference can change the code a load runs (lines marked !)'
      : `no difference in the code a load runs${s.architectureChanged ? '; the architecture differs' : ''}`,
  );
  lines.push(`layers ${s.layers.a} / ${s.layers.b}, ${s.layers.matched} matched; payloads ${s.payloads.a} / ${s.payloads.b}, ${s.payloads.same} identical`);
  if (diff.differences.length === 0) lines.push('no differences');
  // Code first, then architecture, then the rest (records keep their kind order within each group).
  const ordered = [...diff.differences.filter((d) => d.codeCarrying), ...diff.differences.filter((d) => !d.codeCarrying)];
  for (const d of ordered) {
    const [first, ...rest] = describe(d);
    lines.push(`${d.codeCarrying ? '! ' : '  '}${first}`, ...rest.map((l) => `  ${l}`));
  }
  for (const u of diff.unmatched) lines.push(`  not compared (${u.side}): ${inert(u.what)}: ${inert(u.reason)}`);
  for (const n of diff.notes) lines.push(`  note: ${inert(n)}`);
  return lines.join('\n');
}
