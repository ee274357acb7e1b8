/**
 * What makes equal meaning compare equal across Keras versions and save formats, applied to one layer object
 * before its keys are compared:
 * - a layer's own name, its `inbound_nodes` and the layers it contains are compared elsewhere (matching, edges,
 *   their own records), so they are taken out here;
 * - `shared_object_id` is the writer process's id() of a shared object: replaced by its order of appearance;
 * - a code payload string is replaced by a marker: payloads are compared by hash and decoded code, not as text;
 * - `input_layers` / `output_layers` in Keras 3's single `[name, node, tensor]` form are wrapped into Keras 2's
 *   list of them, and their names mapped to the other file's names through the layer matches.
 * Keys one save format writes and the other does not (`module: "keras…"`, `registered_name`, `build_config`) are
 * handled by the comparison (config-diff.ts), not removed here: a module outside Keras must still show.
 */
import { isObject, joinPointer, type Json, type JsonObject } from '../json/parse';
import type { EdgeRef } from './types';
import { carrierKey, type IndexedLayer, type IndexedSide } from './side';
import { CHILD_LAYER_KEYS, isLayerObject } from '../keras/walker';

export const PAYLOAD_MARKER = '<code payload>';

function holdsLayers(v: Json | undefined): boolean {
  return isLayerObject(v) || (Array.isArray(v) && v.some((x) => isLayerObject(x)));
}

interface NormaliseContext {
  side: IndexedSide;
  document: string;
  /** Maps a child layer name of this layer to the name used for comparison (the other file's, when matched). */
  childName: (name: string) => string;
}

function normaliseValue(value: Json, pointer: string, ctx: NormaliseContext): Json {
  if (typeof value === 'string') return ctx.side.carrierAt.has(carrierKey(ctx.document, pointer)) ? PAYLOAD_MARKER : value;
  if (Array.isArray(value)) return value.map((v, i) => normaliseValue(v, joinPointer(pointer, i), ctx));
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'shared_object_id' && (typeof v === 'number' || typeof v === 'string')) {
      out[k] = `#${ctx.side.sharedIds.get(ctx.document)?.get(String(v)) ?? '?'}`;
    } else out[k] = normaliseValue(v, joinPointer(pointer, k), ctx);
  }
  return out;
}

/** Keras 3 writes `["out", 0, 0]`, Keras 2 `[["out", 0, 0]]`: both become the list form, names mapped. */
function endpointList(v: Json, childName: (n: string) => string): Json {
  if (!Array.isArray(v)) return v;
  const list = typeof v[0] === 'string' ? [v] : v;
  return list.map((e) => (Array.isArray(e) && typeof e[0] === 'string' ? [childName(e[0]), ...e.slice(1)] : e));
}

/** The layer object as compared key by key (see the module comment for what is taken out). */
export function normaliseLayer(layer: IndexedLayer, side: IndexedSide, childName: (name: string) => string): JsonObject {
  const obj = layer.object;
  if (!obj) return {};
  const ctx: NormaliseContext = { side, document: layer.info.document, childName };
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) {
    // compile_config of a .keras root is compared as the training config, with the .h5's training_config.
    if (k === 'name' || k === 'inbound_nodes' || (k === 'compile_config' && layer.info.parent === undefined)) continue;
    if (k === 'config' && Array.isArray(v)) continue; // Keras 1/2.0 Sequential: the list is its layers
    out[k] = normaliseValue(v, joinPointer(layer.info.location, k), ctx);
  }
  if (isObject(obj.config) && isObject(out.config)) {
    const config: JsonObject = {};
    for (const [k, v] of Object.entries(out.config)) {
      if (k === 'name') continue;
      if ((CHILD_LAYER_KEYS as readonly string[]).includes(k) && holdsLayers(obj.config[k])) continue;
      config[k] = k === 'input_layers' || k === 'output_layers' ? endpointList(v, childName) : v;
    }
    out.config = config;
  }
  return out;
}

/** The training config, normalised the same way; Keras 3's `.h5` calls the optimizer `optimizer_config`. */
export function normaliseTraining(side: IndexedSide): Json | undefined {
  const t = side.training;
  if (!t) return undefined;
  const ctx: NormaliseContext = { side, document: t.document, childName: (n) => n };
  const value = normaliseValue(t.value, t.pointer, ctx);
  // A .keras of an uncompiled model writes `compile_config: {}` where an .h5 writes no training_config.
  if (isObject(value) && Object.keys(value).length === 0) return undefined;
  if (isObject(value) && 'optimizer_config' in value && !('optimizer' in value)) {
    const { optimizer_config, ...rest } = value;
    return { ...rest, optimizer: optimizer_config };
  }
  return value;
}

function historyRefs(value: Json | undefined, out: EdgeRef[]): void {
  if (Array.isArray(value)) for (const v of value) historyRefs(v, out);
  else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'keras_history' && Array.isArray(v) && typeof v[0] === 'string') {
        out.push({ layer: v[0], node: typeof v[1] === 'number' ? v[1] : 0, tensor: typeof v[2] === 'number' ? v[2] : 0 });
      } else historyRefs(v, out);
    }
  }
}

/**
 * The call nodes of a layer as ordered lists of inputs, from Keras 2's `[[name, node, tensor, kwargs], …]` and
 * Keras 3's `{args, kwargs}` with `keras_history` alike; null when the object has no `inbound_nodes` (Sequential).
 */
export function inboundEdges(obj: JsonObject | undefined): EdgeRef[][] | null {
  const nodes = obj?.inbound_nodes;
  if (!Array.isArray(nodes)) return null;
  return nodes.map((node) => {
    const refs: EdgeRef[] = [];
    if (Array.isArray(node)) {
      for (const t of node) {
        if (Array.isArray(t) && typeof t[0] === 'string') refs.push({ layer: t[0], node: typeof t[1] === 'number' ? t[1] : 0, tensor: typeof t[2] === 'number' ? t[2] : 0 });
      }
    } else if (isObject(node)) historyRefs(node, refs);
    return refs;
  });
}
