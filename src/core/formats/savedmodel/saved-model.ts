/**
 * saved_model.pb reader: graph nodes, library function nodes, TF version, pre-2.5 Keras metadata,
 * and the file/network/process ops of THREATS.md §C with their constant arguments resolved.
 *
 * Field numbers (tensorflow core/protobuf/saved_model.proto, meta_graph.proto, saved_object_graph.proto,
 * saver.proto; core/framework/graph.proto, function.proto, node_def.proto, op_def.proto, attr_value.proto,
 * tensor.proto, tensor_shape.proto):
 *   SavedModel      { int64 saved_model_schema_version = 1; repeated MetaGraphDef meta_graphs = 2; }
 *   MetaGraphDef    { MetaInfoDef meta_info_def = 1; GraphDef graph_def = 2; SaverDef saver_def = 3;
 *                     map<string,CollectionDef> collection_def = 4; map<string,SignatureDef> signature_def = 5;
 *                     repeated AssetFileDef asset_file_def = 6; SavedObjectGraph object_graph_def = 7; }
 *   MetaInfoDef     { string meta_graph_version = 1; OpList stripped_op_list = 2; Any any_info = 3;
 *                     repeated string tags = 4; string tensorflow_version = 5; string tensorflow_git_version = 6; }
 *   SaverDef        { string filename_tensor_name = 1; string save_tensor_name = 2; string restore_op_name = 3; }
 *   AssetFileDef    { TensorInfo tensor_info = 1; string filename = 2; }
 *   GraphDef        { repeated NodeDef node = 1; FunctionDefLibrary library = 2; VersionDef versions = 4; }
 *   FunctionDefLibrary { repeated FunctionDef function = 1; }
 *   FunctionDef     { OpDef signature = 1; repeated NodeDef node_def = 3; }
 *   OpDef           { string name = 1; repeated ArgDef input_arg = 2; repeated ArgDef output_arg = 3; }  ArgDef { string name = 1; }
 *   NodeDef         { string name = 1; string op = 2; repeated string input = 3; string device = 4; map<string,AttrValue> attr = 5; }
 *   AttrValue       { ListValue list = 1; bytes s = 2; int64 i = 3; float f = 4; bool b = 5; DataType type = 6;
 *                     TensorShapeProto shape = 7; TensorProto tensor = 8; string placeholder = 9; NameAttrList func = 10; }
 *   ListValue       { repeated bytes s = 2; int64 i = 3; float f = 4; bool b = 5; DataType type = 6;
 *                     TensorShapeProto shape = 7; TensorProto tensor = 8; NameAttrList func = 9; }
 *   TensorProto     { DataType dtype = 1; TensorShapeProto tensor_shape = 2; bytes tensor_content = 4; repeated bytes string_val = 8; }
 *   TensorShapeProto{ repeated Dim dim = 2 { int64 size = 1; }; bool unknown_rank = 3; }
 *   SavedObjectGraph{ repeated SavedObject nodes = 1; }  SavedObject { SavedUserObject user_object = 4; string registered_name = 13; }
 *   SavedUserObject { string identifier = 1; VersionDef version = 2; string metadata = 3 [deprecated]; }
 */
import {
  type ParseErrorInfo,
  type WireLimits,
  type WireReader,
  type WireType,
  WIRE_FIXED32,
  WIRE_LEN,
  WIRE_VARINT,
  toErrorInfo,
  wireReader,
} from '../../protobuf/wire';
import { type JsonBudget, parseJsonWithBudget } from './json-budget';
import { readVersionDef } from './keras-metadata';
import type {
  SavedModelInfo,
  TfAttrList,
  TfAttrValue,
  TfFunction,
  TfMetaGraph,
  TfNode,
  TfShape,
  TfTensor,
  TfUserObject,
} from './graph-types';
import { analyseMetaGraph } from './graph-analysis';
import { SAVER_FUNCTION_PATTERN } from './tf-ops';

export interface SavedModelOptions {
  wire?: Partial<WireLimits>;
  json?: Partial<JsonBudget>;
  /** Maximum nodes kept over graph and library together. */
  maxNodes?: number;
  /** Longest attr / string_val string kept (longer ones are cut and marked truncated). */
  maxStringChars?: number;
  /** Most string_val entries kept per tensor. */
  maxStringsPerTensor?: number;
}

interface Limits {
  maxNodes: number;
  maxStringChars: number;
  maxStringsPerTensor: number;
  json?: Partial<JsonBudget>;
}

class BudgetError extends Error {}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Parses saved_model.pb. Never throws: malformed input ends in `error` with a byte offset and partial results. */
export function parseSavedModel(bytes: Uint8Array, options: SavedModelOptions = {}): SavedModelInfo {
  const limits: Limits = {
    maxNodes: options.maxNodes ?? 2_000_000,
    maxStringChars: options.maxStringChars ?? 64 * 1024,
    maxStringsPerTensor: options.maxStringsPerTensor ?? 256,
    json: options.json,
  };
  const info: SavedModelInfo = { metaGraphs: [] };
  const counter = { nodes: 0 };
  try {
    const r = wireReader(bytes, options.wire, true);
    for (let tag = r.readTag(); tag; tag = r.readTag()) {
      if (tag.field === 1 && tag.wireType === WIRE_VARINT) info.schemaVersion = Number(r.readInt64());
      else if (tag.field === 2 && tag.wireType === WIRE_LEN) {
        const mg = emptyMetaGraph(info.metaGraphs.length);
        info.metaGraphs.push(mg);
        readMetaGraph(r.readMessage(), mg, limits, counter);
      } else r.skip(tag);
    }
    if (r.truncatedAt !== undefined) {
      info.error = { message: `message length runs past the end of the data (at byte ${r.truncatedAt})`, offset: r.truncatedAt, code: 'truncated' };
    }
  } catch (err) {
    info.error = err instanceof BudgetError ? { message: err.message, code: 'budget' } : toErrorInfo(err);
  }
  // Analyse whatever was read, even after an error: partial graphs still carry evidence.
  for (const mg of info.metaGraphs) analyseMetaGraph(mg);
  return info;
}

function emptyMetaGraph(index: number): TfMetaGraph {
  return {
    index,
    tags: [],
    strippedOps: [],
    signatureKeys: [],
    assetFiles: [],
    nodes: [],
    functions: [],
    ops: [],
    sensitiveOps: [],
    userObjects: [],
  };
}

function readMetaGraph(r: WireReader, mg: TfMetaGraph, limits: Limits, counter: { nodes: number }): void {
  for (let tag = r.readTag(); tag; tag = r.readTag()) {
    if (tag.wireType !== WIRE_LEN) {
      r.skip(tag);
      continue;
    }
    switch (tag.field) {
      case 1:
        readMetaInfo(r.readMessage(), mg);
        break;
      case 2:
        readGraphDef(r.readMessage(), mg, limits, counter);
        break;
      case 3:
        mg.saverDef = readSaverDef(r.readMessage());
        break;
      case 5: {
        const key = readMapKey(r.readMessage());
        if (key !== undefined) mg.signatureKeys.push(key);
        break;
      }
      case 6: {
        const asset = r.readMessage();
        for (let t = asset.readTag(); t; t = asset.readTag()) {
          if (t.field === 2 && t.wireType === WIRE_LEN) mg.assetFiles.push(asset.readString());
          else asset.skip(t);
        }
        break;
      }
      case 7:
        readObjectGraph(r.readMessage(), mg, limits);
        break;
      default:
        r.skip(tag);
    }
  }
}

function readMetaInfo(r: WireReader, mg: TfMetaGraph): void {
  for (let tag = r.readTag(); tag; tag = r.readTag()) {
    if (tag.wireType !== WIRE_LEN) {
      r.skip(tag);
      continue;
    }
    if (tag.field === 1) mg.metaGraphVersion = r.readString();
    else if (tag.field === 2) {
      // OpList { repeated OpDef op = 1 }, OpDef { string name = 1 }
      const list = r.readMessage();
      for (let t = list.readTag(); t; t = list.readTag()) {
        if (t.field === 1 && t.wireType === WIRE_LEN) {
          const name = readOpDefName(list.readMessage());
          if (name) mg.strippedOps.push(name);
        } else list.skip(t);
      }
    } else if (tag.field === 4) mg.tags.push(r.readString());
    else if (tag.field === 5) mg.tensorflowVersion = r.readString();
    else if (tag.field === 6) mg.tensorflowGitVersion = r.readString();
    else r.skip(tag);
  }
}

function readOpDefName(r: WireReader): string {
  let name = '';
  for (let t = r.readTag(); t; t = r.readTag()) {
    if (t.field === 1 && t.wireType === WIRE_LEN) name = r.readString();
    else r.skip(t);
  }
  return name;
}

function readSaverDef(r: WireReader) {
  const d: { filenameTensorName?: string; saveTensorName?: string; restoreOpName?: string } = {};
  for (let t = r.readTag(); t; t = r.readTag()) {
    if (t.wireType === WIRE_LEN && t.field === 1) d.filenameTensorName = r.readString();
    else if (t.wireType === WIRE_LEN && t.field === 2) d.saveTensorName = r.readString();
    else if (t.wireType === WIRE_LEN && t.field === 3) d.restoreOpName = r.readString();
    else r.skip(t);
  }
  return d;
}

/** Map entries are messages { key = 1; value = 2 }; returns the string key. */
function readMapKey(r: WireReader): string | undefined {
  let key: string | undefined;
  for (let t = r.readTag(); t; t = r.readTag()) {
    if (t.field === 1 && t.wireType === WIRE_LEN) key = r.readString();
    else r.skip(t);
  }
  return key;
}

function readGraphDef(r: WireReader, mg: TfMetaGraph, limits: Limits, counter: { nodes: number }): void {
  let graphIndex = 0;
  for (let tag = r.readTag(); tag; tag = r.readTag()) {
    if (tag.field === 1 && tag.wireType === WIRE_LEN) {
      mg.nodes.push(readNodeDef(r, graphIndex++, undefined, limits, counter));
    } else if (tag.field === 2 && tag.wireType === WIRE_LEN) {
      const lib = r.readMessage();
      for (let t = lib.readTag(); t; t = lib.readTag()) {
        if (t.field === 1 && t.wireType === WIRE_LEN) readFunctionDef(lib, mg, limits, counter);
        else lib.skip(t);
      }
    } else if (tag.field === 4 && tag.wireType === WIRE_LEN) {
      mg.graphVersions = readVersionDef(r.readMessage());
    } else r.skip(tag);
  }
}

function readFunctionDef(parent: WireReader, mg: TfMetaGraph, limits: Limits, counter: { nodes: number }): void {
  const r = parent.readMessage();
  const fn: TfFunction = { name: '', inputArgs: [], outputArgs: [], nodeCount: 0, saverFunction: false, offset: r.offset };
  // The signature (field 1) usually precedes node_def (field 3), but protobuf allows any order:
  // collect nodes first and stamp the function name afterwards.
  const nodes: TfNode[] = [];
  for (let tag = r.readTag(); tag; tag = r.readTag()) {
    if (tag.field === 1 && tag.wireType === WIRE_LEN) {
      const sig = r.readMessage();
      for (let t = sig.readTag(); t; t = sig.readTag()) {
        if (t.field === 1 && t.wireType === WIRE_LEN) fn.name = sig.readString();
        else if ((t.field === 2 || t.field === 3) && t.wireType === WIRE_LEN) {
          const argName = readOpDefName(sig.readMessage());
          (t.field === 2 ? fn.inputArgs : fn.outputArgs).push(argName);
        } else sig.skip(t);
      }
    } else if (tag.field === 3 && tag.wireType === WIRE_LEN) {
      nodes.push(readNodeDef(r, nodes.length, '', limits, counter));
    } else r.skip(tag);
  }
  for (const n of nodes) n.function = fn.name;
  fn.saverFunction = SAVER_FUNCTION_PATTERN.test(fn.name);
  fn.nodeCount = nodes.length;
  mg.functions.push(fn);
  for (const n of nodes) mg.nodes.push(n);
}

function readNodeDef(
  parent: WireReader,
  index: number,
  fn: string | undefined,
  limits: Limits,
  counter: { nodes: number },
): TfNode {
  if (++counter.nodes > limits.maxNodes) throw new BudgetError(`more than ${limits.maxNodes} graph nodes`);
  const r = parent.readMessage();
  const node: TfNode = {
    name: '',
    op: '',
    inputs: [],
    attrs: Object.create(null) as Record<string, TfAttrValue>,
    index,
    offset: r.offset,
    saver: false,
  };
  if (fn !== undefined) node.function = fn;
  for (let tag = r.readTag(); tag; tag = r.readTag()) {
    if (tag.wireType !== WIRE_LEN) {
      r.skip(tag);
      continue;
    }
    if (tag.field === 1) node.name = r.readString();
    else if (tag.field === 2) node.op = r.readString();
    else if (tag.field === 3) node.inputs.push(r.readString());
    else if (tag.field === 4) node.device = r.readString();
    else if (tag.field === 5) {
      const entry = r.readMessage();
      let key = '';
      let value: TfAttrValue = { kind: 'empty' };
      for (let t = entry.readTag(); t; t = entry.readTag()) {
        if (t.field === 1 && t.wireType === WIRE_LEN) key = entry.readString();
        else if (t.field === 2 && t.wireType === WIRE_LEN) value = readAttrValue(entry.readMessage(), limits);
        else entry.skip(t);
      }
      node.attrs[key] = value;
    } else r.skip(tag);
  }
  if (node.device === '') delete node.device;
  return node;
}

function capString(bytes: Uint8Array, limits: Limits): { value: string; truncated: boolean } {
  if (bytes.length <= limits.maxStringChars) return { value: utf8.decode(bytes), truncated: false };
  return { value: utf8.decode(bytes.subarray(0, limits.maxStringChars)), truncated: true };
}

function readAttrValue(r: WireReader, limits: Limits): TfAttrValue {
  let value: TfAttrValue = { kind: 'empty' };
  for (let tag = r.readTag(); tag; tag = r.readTag()) {
    switch (tag.field) {
      case 1:
        if (tag.wireType === WIRE_LEN) {
          value = { kind: 'list', list: readAttrList(r.readMessage(), limits) };
          continue;
        }
        break;
      case 2:
        if (tag.wireType === WIRE_LEN) {
          const s = capString(r.readBytes(), limits);
          value = s.truncated ? { kind: 's', value: s.value, truncated: true } : { kind: 's', value: s.value };
          continue;
        }
        break;
      case 3:
        if (tag.wireType === WIRE_VARINT) {
          value = { kind: 'i', value: Number(r.readInt64()) };
          continue;
        }
        break;
      case 4:
        if (tag.wireType === WIRE_FIXED32) {
          value = { kind: 'f', value: r.readFloat() };
          continue;
        }
        break;
      case 5:
        if (tag.wireType === WIRE_VARINT) {
          value = { kind: 'b', value: r.readBool() };
          continue;
        }
        break;
      case 6:
        if (tag.wireType === WIRE_VARINT) {
          value = { kind: 'type', value: r.readInt32() };
          continue;
        }
        break;
      case 7:
        if (tag.wireType === WIRE_LEN) {
          value = { kind: 'shape', shape: readShape(r.readMessage()) };
          continue;
        }
        break;
      case 8:
        if (tag.wireType === WIRE_LEN) {
          value = { kind: 'tensor', tensor: readTensor(r.readMessage(), limits) };
          continue;
        }
        break;
      case 9:
        if (tag.wireType === WIRE_LEN) {
          value = { kind: 'placeholder', name: r.readString() };
          continue;
        }
        break;
      case 10:
        if (tag.wireType === WIRE_LEN) {
          value = { kind: 'func', name: readOpDefName(r.readMessage()) };
          continue;
        }
        break;
    }
    r.skip(tag);
  }
  return value;
}

function readAttrList(r: WireReader, limits: Limits): TfAttrList {
  const list: TfAttrList = {};
  for (let tag = r.readTag(); tag; tag = r.readTag()) {
    const wt: WireType = tag.wireType;
    switch (tag.field) {
      case 2:
        if (wt === WIRE_LEN) {
          (list.s ??= []).push(capString(r.readBytes(), limits).value);
          continue;
        }
        break;
      case 3:
        if (wt === WIRE_LEN || wt === WIRE_VARINT) {
          for (const v of r.readPackedVarints(wt)) (list.i ??= []).push(Number(BigInt.asIntN(64, v)));
          continue;
        }
        break;
      case 4:
        if (wt === WIRE_LEN || wt === WIRE_FIXED32) {
          for (const v of r.readPackedFloats(wt)) (list.f ??= []).push(v);
          continue;
        }
        break;
      case 5:
        if (wt === WIRE_LEN || wt === WIRE_VARINT) {
          for (const v of r.readPackedVarints(wt)) (list.b ??= []).push(v !== 0n);
          continue;
        }
        break;
      case 6:
        if (wt === WIRE_LEN || wt === WIRE_VARINT) {
          for (const v of r.readPackedVarints(wt)) (list.type ??= []).push(Number(BigInt.asIntN(32, v)));
          continue;
        }
        break;
      case 7:
        if (wt === WIRE_LEN) {
          (list.shape ??= []).push(readShape(r.readMessage()));
          continue;
        }
        break;
      case 8:
        if (wt === WIRE_LEN) {
          (list.tensor ??= []).push(readTensor(r.readMessage(), limits));
          continue;
        }
        break;
      case 9:
        if (wt === WIRE_LEN) {
          (list.func ??= []).push(readOpDefName(r.readMessage()));
          continue;
        }
        break;
    }
    r.skip(tag);
  }
  return list;
}

function readShape(r: WireReader): TfShape {
  const shape: TfShape = { dims: [], unknownRank: false };
  for (let tag = r.readTag(); tag; tag = r.readTag()) {
    if (tag.field === 2 && tag.wireType === WIRE_LEN) {
      const dim = r.readMessage();
      let size = 0;
      for (let t = dim.readTag(); t; t = dim.readTag()) {
        if (t.field === 1 && t.wireType === WIRE_VARINT) size = Number(dim.readInt64());
        else dim.skip(t);
      }
      shape.dims.push(size);
    } else if (tag.field === 3 && tag.wireType === WIRE_VARINT) shape.unknownRank = r.readBool();
    else r.skip(tag);
  }
  return shape;
}

function readTensor(r: WireReader, limits: Limits): TfTensor {
  const t: TfTensor = { dtype: 0, stringVal: [], stringValCount: 0, contentBytes: 0 };
  for (let tag = r.readTag(); tag; tag = r.readTag()) {
    if (tag.field === 1 && tag.wireType === WIRE_VARINT) t.dtype = r.readInt32();
    else if (tag.field === 2 && tag.wireType === WIRE_LEN) t.shape = readShape(r.readMessage());
    else if (tag.field === 4 && tag.wireType === WIRE_LEN) t.contentBytes += r.readBytes().length;
    else if (tag.field === 8 && tag.wireType === WIRE_LEN) {
      const bytes = r.readBytes();
      t.stringValCount++;
      if (t.stringVal.length < limits.maxStringsPerTensor) {
        const s = capString(bytes, limits);
        t.stringVal.push(s.value);
        if (s.truncated) t.truncated = true;
      } else t.truncated = true;
    } else r.skip(tag);
  }
  return t;
}

function readObjectGraph(r: WireReader, mg: TfMetaGraph, limits: Limits): void {
  let nodeId = 0;
  for (let tag = r.readTag(); tag; tag = r.readTag()) {
    if (tag.field === 1 && tag.wireType === WIRE_LEN) {
      const obj = readSavedObject(r.readMessage(), nodeId++, limits);
      if (obj) mg.userObjects.push(obj);
    } else r.skip(tag);
  }
}

function readSavedObject(r: WireReader, nodeId: number, limits: Limits): TfUserObject | undefined {
  let user: TfUserObject | undefined;
  let registeredName: string | undefined;
  for (let tag = r.readTag(); tag; tag = r.readTag()) {
    if (tag.field === 4 && tag.wireType === WIRE_LEN) {
      const u = r.readMessage();
      user = { nodeId, identifier: '', metadataText: '' };
      for (let t = u.readTag(); t; t = u.readTag()) {
        if (t.field === 1 && t.wireType === WIRE_LEN) user.identifier = u.readString();
        else if (t.field === 2 && t.wireType === WIRE_LEN) user.version = readVersionDef(u.readMessage());
        else if (t.field === 3 && t.wireType === WIRE_LEN) user.metadataText = u.readString();
        else u.skip(t);
      }
    } else if (tag.field === 13 && tag.wireType === WIRE_LEN) registeredName = r.readString();
    else r.skip(tag);
  }
  if (!user && !registeredName) return undefined;
  const obj: TfUserObject = user ?? { nodeId, identifier: '', metadataText: '' };
  if (registeredName) obj.registeredName = registeredName;
  if (obj.metadataText.length > 0) {
    const parsed = parseJsonWithBudget(obj.metadataText, limits.json);
    if (parsed.ok) obj.metadataJson = parsed.value;
    else obj.metadataError = parsed.error;
  }
  return obj;
}

export type { ParseErrorInfo };
