/**
 * One side of a diff, indexed: the scan's report and config documents (what `scanSource` already produced —
 * the diff never re-reads the model), its layer objects, payloads and findings by place, and the container's
 * weight records. "Place" is what makes two files comparable: a layer path plus the pointer inside the layer
 * object, or for code outside layers the document's role plus the pointer inside it, so that an `.h5`'s
 * `model_config` and a `.keras`'s `config.json` (or `training_config` and `compile_config`) line up.
 */
import { isObject, type Json, type JsonObject } from '../json/parse';
import { getPointer } from '../json/pointer';
import type { FileReport, Finding, LayerInfo } from '../report';
import type { ScanDocument } from '../scan-types';
import type { WeightRecords } from './weights';

export interface DiffSide {
  report: FileReport;
  /** The config documents the report's pointers refer to (ScanOptions.onDocuments). */
  documents: ScanDocument[];
  /** What the container records about weights; null when not read. */
  weights: WeightRecords | null;
}

export interface IndexedLayer {
  info: LayerInfo;
  /** The layer object (`{class_name, config, …}`) in its document; undefined when the pointer does not resolve. */
  object: JsonObject | undefined;
  /** Position among its parent's children of the same role. */
  index: number;
}

/** A place that means the same in either file (see the module comment). */
export interface Place {
  /** Layer path, or undefined for code outside layers. */
  layer?: string;
  /** Document role when outside layers: `model`, `training`, or the document's own name. */
  unit?: string;
  /** Pointer relative to the layer object or to the unit's root. */
  pointer: string;
}

export interface IndexedSide {
  side: DiffSide;
  layers: Map<string, IndexedLayer>;
  /** Children of each layer path ('' key: none; the root has no parent), in document order. */
  children: Map<string, IndexedLayer[]>;
  root?: IndexedLayer;
  documents: Map<string, Json>;
  /** Findings carrying a payload, one per carrier. */
  payloads: Finding[];
  findings: Finding[];
  /** `${document}\u0000${pointer}` of every payload string (so configs compare around them). */
  carrierAt: Set<string>;
  /** Per document: shared_object_id value → its ordinal of first appearance (a process id() in the writer). */
  sharedIds: Map<string, Map<string, number>>;
  /** The training config: `training_config` (HDF5) or the root object's `compile_config` (.keras). */
  training?: { document: string; pointer: string; value: Json };
}

const MODEL_DOCUMENTS = new Set(['model_config', 'config.json', 'model.json']);

export function carrierKey(document: string, pointer: string): string {
  return `${document}\u0000${pointer}`;
}

function collectSharedIds(value: Json, out: Map<string, number>): void {
  if (Array.isArray(value)) for (const v of value) collectSharedIds(v, out);
  else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'shared_object_id' && (typeof v === 'number' || typeof v === 'string')) {
        if (!out.has(String(v))) out.set(String(v), out.size);
      } else collectSharedIds(v, out);
    }
  }
}

export function indexSide(side: DiffSide): IndexedSide {
  const documents = new Map(side.documents.map((d) => [d.name, d.value]));
  const layers = new Map<string, IndexedLayer>();
  const children = new Map<string, IndexedLayer[]>();
  let root: IndexedLayer | undefined;
  for (const info of side.report.layers) {
    if (layers.has(info.path)) continue;
    const doc = documents.get(info.document);
    const found = doc === undefined ? undefined : getPointer(doc, info.location);
    const siblings = children.get(info.parent ?? '') ?? [];
    const layer: IndexedLayer = {
      info,
      object: isObject(found) ? found : undefined,
      index: siblings.filter((s) => s.info.role === info.role).length,
    };
    layers.set(info.path, layer);
    if (info.parent === undefined) {
      root ??= layer;
      continue;
    }
    siblings.push(layer);
    children.set(info.parent, siblings);
  }
  const payloads = side.report.findings.filter((f) => f.payload);
  const sharedIds = new Map<string, Map<string, number>>();
  for (const d of side.documents) {
    const ids = new Map<string, number>();
    collectSharedIds(d.value, ids);
    sharedIds.set(d.name, ids);
  }
  let training: IndexedSide['training'];
  const tc = documents.get('training_config');
  if (tc !== undefined) training = { document: 'training_config', pointer: '', value: tc };
  else if (root?.object && isObject(root.object.compile_config)) {
    training = { document: root.info.document, pointer: `${root.info.location}/compile_config`, value: root.object.compile_config };
  }
  return {
    side,
    layers,
    children,
    root,
    documents,
    payloads,
    findings: side.report.findings,
    carrierAt: new Set(payloads.map((f) => carrierKey(f.document, f.location))),
    sharedIds,
    training,
  };
}

/** Where a finding (or payload) sits, in terms both files share. */
export function placeOf(s: IndexedSide, document: string, location: string, layerPath: string | undefined): Place {
  const layer = layerPath === undefined ? undefined : s.layers.get(layerPath);
  if (layer && layer.info.document === document && (location === layer.info.location || location.startsWith(layer.info.location + '/'))) {
    return { layer: layerPath, pointer: location.slice(layer.info.location.length) };
  }
  if (s.training && s.training.document === document && (location === s.training.pointer || location.startsWith(s.training.pointer + '/'))) {
    return { unit: 'training', pointer: location.slice(s.training.pointer.length) };
  }
  // A pickle or other single-document file names its document after itself: the file's own name differs.
  if (document === ownFileName(s.side.report.path)) return { unit: 'file', pointer: location };
  return { unit: MODEL_DOCUMENTS.has(document) ? 'model' : document, pointer: location };
}

function ownFileName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}
