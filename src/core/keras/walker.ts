/**
 * Walks every object of every config document: the layer tree (nested models, wrappers, RNN cells) and every
 * code carrier, wherever it sits. Scanners that read only `config.layers[]` miss Lambdas in sub-models,
 * wrappers and compile configs (THREATS.md fact 7); this walker never assumes a place.
 */
import { readCodeObject } from '../python/marshal';
import { isObject, joinPointer, type Json, type JsonObject } from '../json/parse';
import type { LayerInfo } from '../report';
import type { CarrierShape, CodeCarrier, ConfigDocument, ConfigObject, WalkedModel } from './model';
import { decodeBase64AsPython, payloadCandidate, rawUnicodeEscapeToBytes, type PayloadCandidate } from './payload-bytes';
import { sha256Hex } from '../io/sha256';

/** Keys under a layer's config that hold other layers (also what the diff takes out of a layer's own config). */
export const CHILD_LAYER_KEYS = ['layers', 'layer', 'forward_layer', 'backward_layer', 'cell', 'cells'] as const;

interface Frame {
  container: Json[] | JsonObject;
  key: string | number;
}

interface LayerContext {
  path: string;
  className: string;
  /** Pointer of the layer's `config` object (slots are keys directly below it). */
  configPointer: string;
  config: JsonObject | null;
}

export function walkDocuments(documents: ConfigDocument[]): WalkedModel {
  const walker = new Walker();
  // SavedModel: when the root node's config already holds the layer tree, the per-layer nodes repeat it;
  // they are still walked for code (an edited node may differ), but their layers are not listed twice.
  walker.shadowNodes = documents.some((d) => d.role === 'model');
  for (const doc of documents) walker.walkDocument(doc);
  return {
    layers: walker.layers,
    carriers: walker.carriers,
    objects: walker.objects,
    rootClass: walker.rootClass,
    rootName: walker.rootName,
  };
}

function str(v: Json | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** `{"class_name": "function", "config": "<name>"}`: what Keras 3 writes for a function in a layers list. */
function isFunctionEntry(v: Json | undefined): v is JsonObject {
  return isObject(v) && v.class_name === 'function' && typeof v.config === 'string';
}

/** A Keras layer object: `class_name` plus a `config` (object, or the old Sequential list form). */
export function isLayerObject(v: Json | undefined): v is JsonObject {
  return isObject(v) && typeof v.class_name === 'string' && (isObject(v.config) || Array.isArray(v.config));
}

class Walker {
  layers: LayerInfo[] = [];
  carriers: CodeCarrier[] = [];
  objects: ConfigObject[] = [];
  shadowNodes = false;
  rootClass?: string;
  rootName?: string;
  private infoByPath = new Map<string, LayerInfo>();
  private nextSuffix = new Map<string, number>();
  private doc!: ConfigDocument;
  /** Layer objects already registered, by identity, so the generic walk knows its layer context. */
  private layerAt = new Map<JsonObject, LayerContext>();
  /** Each distinct candidate string is decoded, parsed and hashed once (a crafted config repeats one 100,000 times). */
  private screened = new Map<string, { candidate: PayloadCandidate; parses: boolean; sha256: string }>();

  walkDocument(doc: ConfigDocument): void {
    this.doc = doc;
    this.layerAt.clear();
    const root = doc.value;
    if ((doc.role === 'model' || doc.role === 'savedmodel-node') && isLayerObject(root)) {
      const shadow = doc.role === 'savedmodel-node' && this.shadowNodes;
      const ctx = this.registerLayer(root, '', undefined, undefined, doc.role === 'model', shadow);
      if (doc.role === 'model' && this.rootClass === undefined) {
        this.rootClass = ctx.className;
        this.rootName = ctx.path;
      }
    }
    this.walkValue(root, '', [], undefined);
  }

  /** Registers a layer and, recursively, the layers it contains. Returns its context. */
  private registerLayer(
    obj: JsonObject,
    pointer: string,
    parent: LayerContext | undefined,
    role: string | undefined,
    isRoot = false,
    shadow = false,
  ): LayerContext {
    const className = obj.class_name as string;
    const config = isObject(obj.config) ? obj.config : null;
    const baseName = str(config?.name) ?? str(obj.name) ?? (isRoot ? className.toLowerCase() : className);
    let path = parent && parent.path ? `${parent.path}/${baseName}` : baseName;
    if (!shadow && this.infoByPath.has(path)) {
      // Duplicate names (crafted or unnamed layers) get #2, #3 …; a counter per name keeps 20,000 of them linear.
      let n = this.nextSuffix.get(path) ?? 2;
      while (this.infoByPath.has(`${path}#${n}`)) n++;
      this.nextSuffix.set(path, n + 1);
      path = `${path}#${n}`;
    }
    const ctx: LayerContext = { path, className, configPointer: joinPointer(pointer, 'config'), config };
    this.layerAt.set(obj, ctx);
    const info: LayerInfo = {
      path,
      name: baseName,
      className,
      parent: parent?.path || undefined,
      role,
      inbound: [],
      container: false,
      document: this.doc.name,
      location: pointer,
    };
    if (!shadow) {
      this.layers.push(info);
      this.infoByPath.set(path, info);
    }

    const children: { obj: JsonObject; pointer: string; role: string; info?: LayerInfo }[] = [];
    const collect = (value: Json | undefined, at: string, childRole: string) => {
      if (isLayerObject(value)) children.push({ obj: value, pointer: at, role: childRole });
      else if (Array.isArray(value))
        value.forEach((v, i) => {
          // A Functional `layers[]` entry that is a function (CVE-2025-1550) is a node of the graph too.
          if (isLayerObject(v) || (childRole === 'layers' && isFunctionEntry(v))) children.push({ obj: v, pointer: joinPointer(at, i), role: childRole });
        });
    };
    if (Array.isArray(obj.config)) collect(obj.config, joinPointer(pointer, 'config'), 'layers'); // Keras 1/2.0 Sequential
    if (config) for (const key of CHILD_LAYER_KEYS) collect(config[key], joinPointer(ctx.configPointer, key), key);
    info.container = children.length > 0;
    const childInfos: (LayerInfo | undefined)[] = [];
    for (const child of children) {
      if (this.layerAt.has(child.obj)) {
        childInfos.push(undefined);
        continue;
      }
      this.registerLayer(child.obj, child.pointer, ctx, child.role, false, shadow);
      childInfos.push(shadow ? undefined : this.infoByPath.get(this.layerAt.get(child.obj)!.path));
    }
    linkInbound(className, children, childInfos);
    return ctx;
  }

  /** Generic walk: every string is screened for code; layer objects met on the way give the context. */
  private walkValue(value: Json, pointer: string, frames: Frame[], layer: LayerContext | undefined): void {
    if (typeof value === 'string') {
      this.screenString(value, pointer, frames, layer);
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((v, i) => {
        frames.push({ container: value, key: i });
        this.walkValue(v, joinPointer(pointer, i), frames, layer);
        frames.pop();
      });
      return;
    }
    if (!isObject(value)) return;
    const own = this.layerAt.get(value);
    const here = own ?? layer;
    const parent = frames[frames.length - 1];
    this.objects.push({
      document: this.doc.name,
      role: this.doc.role,
      pointer,
      value,
      key: parent?.key,
      parent: parent?.container,
      layer: here?.path,
      layerClass: here?.className,
      isLayer: own !== undefined,
    });
    for (const key of Object.keys(value)) {
      frames.push({ container: value, key });
      this.walkValue(value[key], joinPointer(pointer, key), frames, here);
      frames.pop();
    }
  }

  private screenString(text: string, pointer: string, frames: Frame[], layer: LayerContext | undefined): void {
    let screened = this.screened.get(text);
    const candidate = screened ? screened.candidate : payloadCandidate(text);
    const shape = carrierShape(frames);
    // The config says it is code: a `__lambda__` wrapper, or the first item of a list beside `*_type: "lambda"`.
    let declared = shape.shape === 'keras3-lambda' || shape.shape === 'keras3-lambda-value';
    let slot: string | undefined;
    let declaredType: string | undefined;
    if (candidate || shape.shape !== 'bare-string') {
      slot = layer ? slotOf(pointer, layer.configPointer) : pointer.split('/')[1];
      declaredType = slot && layer?.config ? str(layer.config[`${slot}_type`]) : undefined;
      if (declaredType === 'lambda') declared = true;
    }
    if (!screened) {
      // Not code-like, yet declared code: take the bytes the loader would (func_load: base64, else raw_unicode_escape).
      const bytes = candidate ?? (declared && text.length > 0 ? loaderBytes(text) : null);
      if (!bytes) return;
      // A payload is recognised by decoding it. Bytes that do not parse still count when the config says they
      // are code: fail closed.
      let parses = true;
      try {
        readCodeObject(bytes.bytes);
      } catch {
        parses = false;
      }
      screened = { candidate: bytes, parses, sha256: sha256Hex(bytes.bytes) };
      this.screened.set(text, screened);
    }
    if (!screened.parses && !declared) return;
    const encoded = screened.candidate;
    const moduleKey = slot === 'function' ? 'module' : `${slot}_module`;
    this.carriers.push({
      document: this.doc.name,
      pointer,
      shape: shape.shape,
      encoding: encoded.encoding,
      bytes: encoded.bytes,
      sha256: screened.sha256,
      defaults: shape.defaults,
      closure: shape.closure,
      layer: layer?.path,
      layerClass: layer?.className,
      slot,
      declaredType,
      module: layer?.config ? str(layer.config[moduleKey]) : undefined,
      arguments: nonEmpty(layer?.config?.arguments),
    });
  }
}

function nonEmpty(v: Json | undefined): Json | undefined {
  if (isObject(v)) return Object.keys(v).length > 0 ? v : undefined;
  if (Array.isArray(v)) return v.length > 0 ? v : undefined;
  return v === null || v === undefined ? undefined : v;
}

/** What Keras's `func_load` turns a code string into: base64 as Python decodes it, else raw_unicode_escape. */
function loaderBytes(text: string): PayloadCandidate {
  const b64 = decodeBase64AsPython(text);
  return b64 ? { bytes: b64, encoding: 'base64' } : { bytes: rawUnicodeEscapeToBytes(text), encoding: 'raw_unicode_escape' };
}

/** The first pointer segment below the layer's config object. */
function slotOf(pointer: string, configPointer: string): string | undefined {
  if (!pointer.startsWith(configPointer + '/')) return undefined;
  return pointer.slice(configPointer.length + 1).split('/')[0].replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Recognises the on-disk shape around a code string from its parents (THREATS.md §A.1). */
function carrierShape(frames: Frame[]): { shape: CarrierShape; defaults?: Json; closure?: Json } {
  const parent = frames[frames.length - 1];
  const grand = frames[frames.length - 2];
  const great = frames[frames.length - 3];
  if (!parent) return { shape: 'bare-string' };
  const p = parent.container;
  if (isObject(p) && parent.key === 'code' && grand && isObject(grand.container) && grand.container.class_name === '__lambda__') {
    return { shape: 'keras3-lambda', defaults: p.defaults, closure: p.closure };
  }
  if (Array.isArray(p) && parent.key === 0) {
    const triple = { defaults: p[1], closure: p[2] };
    if (grand && isObject(grand.container)) {
      const g = grand.container;
      if (grand.key === 'value') {
        const lambdaWrapper = great && isObject(great.container) && great.container.class_name === '__lambda__';
        return { shape: lambdaWrapper ? 'keras3-lambda-value' : 'value-list', ...triple };
      }
      if (grand.key === 'items' && g.class_name === '__tuple__') return { shape: 'tuple', ...triple };
    }
    return { shape: 'list', ...triple };
  }
  return { shape: 'bare-string' };
}

/** Keras 3 `inbound_nodes`: every `keras_history: [layer, node, tensor]` inside args/kwargs. */
function historyNames(value: Json | undefined, out: string[]): void {
  if (Array.isArray(value)) for (const v of value) historyNames(v, out);
  else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'keras_history' && Array.isArray(v) && typeof v[0] === 'string') out.push(v[0]);
      else historyNames(v, out);
    }
  }
}

/** Inbound layer names of one layer entry, for both the Keras 1/2 list form and the Keras 3 dict form. */
export function inboundNames(entry: JsonObject): string[] {
  const nodes = entry.inbound_nodes;
  const out: string[] = [];
  if (!Array.isArray(nodes)) return out;
  for (const node of nodes) {
    if (Array.isArray(node)) {
      // Keras 1/2: [[name, node_index, tensor_index, kwargs], …]
      for (const t of node) if (Array.isArray(t) && typeof t[0] === 'string') out.push(t[0]);
    } else if (isObject(node)) historyNames(node, out);
  }
  return [...new Set(out)];
}

function linkInbound(
  className: string,
  children: { obj: JsonObject; role: string }[],
  infos: (LayerInfo | undefined)[],
): void {
  const layerChildren = children
    .map((c, i) => ({ ...c, info: infos[i] }))
    .filter((c): c is typeof c & { info: LayerInfo } => c.role === 'layers' && c.info !== undefined);
  const byName = new Map(layerChildren.map((c) => [c.info.name, c.info.path]));
  const anyInbound = layerChildren.some((c) => Array.isArray(c.obj.inbound_nodes) && c.obj.inbound_nodes.length > 0);
  if (!anyInbound && /Sequential/.test(className)) {
    for (let i = 1; i < layerChildren.length; i++) layerChildren[i].info.inbound = [layerChildren[i - 1].info.path];
    return;
  }
  for (const c of layerChildren) {
    c.info.inbound = inboundNames(c.obj)
      .map((n) => byName.get(n))
      .filter((p): p is string => p !== undefined && p !== c.info.path);
  }
}
