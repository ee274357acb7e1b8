/**
 * Plain records for what the SavedModel reader extracts from saved_model.pb. No methods, JSON-friendly.
 */
import type { ParseErrorInfo } from '../../protobuf/wire';
import type { VersionInfo } from './keras-metadata';
import type { TfOpCapability } from './tf-ops';

export interface TfShape {
  /** -1 = unknown dimension. */
  dims: number[];
  unknownRank: boolean;
}

/** A TensorProto summary: only strings are kept (paths/URLs); numeric payloads are counted, not copied. */
export interface TfTensor {
  /** DataType enum (7 = DT_STRING). */
  dtype: number;
  shape?: TfShape;
  /** string_val entries, UTF-8 decoded, capped in count and length. */
  stringVal: string[];
  /** Number of string_val entries on the wire (may exceed stringVal.length). */
  stringValCount: number;
  /** Bytes of tensor_content (raw numeric payload). */
  contentBytes: number;
  /** True when a string was cut at the length cap or entries were dropped. */
  truncated?: true;
}

export type TfAttrValue =
  | { kind: 's'; value: string; truncated?: true }
  | { kind: 'i'; value: number }
  | { kind: 'f'; value: number }
  | { kind: 'b'; value: boolean }
  | { kind: 'type'; value: number }
  | { kind: 'shape'; shape: TfShape }
  | { kind: 'tensor'; tensor: TfTensor }
  | { kind: 'func'; name: string }
  | { kind: 'placeholder'; name: string }
  | { kind: 'list'; list: TfAttrList }
  | { kind: 'empty' };

export interface TfAttrList {
  s?: string[];
  i?: number[];
  f?: number[];
  b?: boolean[];
  type?: number[];
  shape?: TfShape[];
  tensor?: TfTensor[];
  func?: string[];
}

export interface TfNode {
  name: string;
  op: string;
  /** Raw input references: "name", "name:1", "^ctrl", and in functions "node:output:0". */
  inputs: string[];
  device?: string;
  /** Attr map (null-prototype object: keys come from the file). */
  attrs: Record<string, TfAttrValue>;
  /** The library function holding this node; absent for graph_def.node. */
  function?: string;
  /** Position in its graph / function. */
  index: number;
  /** Absolute offset of the NodeDef payload. */
  offset: number;
  /** Part of the standard checkpoint saver sub-graph (rule layers may ignore it). */
  saver: boolean;
}

export interface TfFunction {
  name: string;
  /** Signature input argument names (references to them appear as node inputs). */
  inputArgs: string[];
  outputArgs: string[];
  nodeCount: number;
  /** Name matches the TF2 traced saver functions. */
  saverFunction: boolean;
  offset: number;
}

/** Where a value fed to an op input comes from, as far as a static reader can follow it. */
export type TfValueSource =
  | { kind: 'const'; node: string; dtype: number; values: string[] }
  | { kind: 'placeholder'; node: string; default?: TfValueSource }
  | { kind: 'function-arg'; function: string; name: string; callers?: TfValueSource[] }
  | { kind: 'join'; node: string; separator: string; parts: TfValueSource[] }
  | { kind: 'select'; node: string; options: TfValueSource[] }
  | { kind: 'pack'; node: string; items: TfValueSource[] }
  | { kind: 'sharded'; node: string; base: TfValueSource }
  | { kind: 'computed'; node: string; op: string }
  | { kind: 'missing'; ref: string }
  | { kind: 'limit'; ref: string };

export interface TfResolvedArg {
  /** Data-input position. */
  index: number;
  /** The raw input reference. */
  ref: string;
  source: TfValueSource;
  /** Every constant string reachable through the source (the paths/URLs to show). */
  strings: string[];
  /** Short human rendering: `"/etc/passwd"`, `join(<arg file_prefix>, ".part")` … */
  text: string;
}

/** One use of a file / network / process op (THREATS §C). */
export interface TfSensitiveOp {
  op: string;
  capability: TfOpCapability;
  node: string;
  function?: string;
  /** Index into TfMetaGraph.nodes. */
  nodeIndex: number;
  saver: boolean;
  /** The path/URL-carrying inputs from the op table, resolved. */
  pathArgs: TfResolvedArg[];
  /** The path/URL/token-carrying attrs from the op table. */
  pathAttrs: { name: string; values: string[] }[];
}

export interface TfUserObject {
  /** Index in SavedObjectGraph.nodes. */
  nodeId: number;
  identifier: string;
  /** Pre-TF-2.5 Keras metadata JSON (deprecated SavedUserObject.metadata). */
  metadataText: string;
  metadataJson?: unknown;
  metadataError?: string;
  registeredName?: string;
  version?: VersionInfo;
}

export interface TfSaverDef {
  filenameTensorName?: string;
  saveTensorName?: string;
  restoreOpName?: string;
}

export interface TfMetaGraph {
  index: number;
  tags: string[];
  metaGraphVersion?: string;
  tensorflowVersion?: string;
  tensorflowGitVersion?: string;
  /** Op names in meta_info_def.stripped_op_list (the producer's OpDefs). */
  strippedOps: string[];
  graphVersions?: VersionInfo;
  saverDef?: TfSaverDef;
  signatureKeys: string[];
  assetFiles: string[];
  /** graph_def.node first, then every library function's node_def in library order. */
  nodes: TfNode[];
  functions: TfFunction[];
  /** Op name → number of nodes using it, sorted by op name. */
  ops: { op: string; count: number }[];
  sensitiveOps: TfSensitiveOp[];
  userObjects: TfUserObject[];
}

export interface SavedModelInfo {
  schemaVersion?: number;
  metaGraphs: TfMetaGraph[];
  /** Set when the protobuf is malformed or a budget ran out; metaGraphs then holds what was read. */
  error?: ParseErrorInfo;
}
