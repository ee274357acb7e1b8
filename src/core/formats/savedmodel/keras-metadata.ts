/**
 * keras_metadata.pb (tf.keras ≥ 2.5 / tf_keras SavedModel directories): the Keras layer configs,
 * including Lambda bytecode, live here and not in the graph (THREATS.md §A.0, rule R-SM-LAMBDA).
 *
 * Schema (tf_keras/protobuf/saved_metadata.proto, proto3):
 *   SavedMetadata { repeated SavedObject nodes = 1; }
 *   SavedObject   { reserved 1; int32 node_id = 2; string node_path = 3; string identifier = 4;
 *                   string metadata = 5;  // JSON
 *                   VersionDef version = 6; }
 *   VersionDef    { int32 producer = 1; int32 min_consumer = 2; repeated int32 bad_consumers = 3; }
 */
import { type ParseErrorInfo, type WireLimits, type WireReader, WIRE_LEN, WIRE_VARINT, toErrorInfo, wireReader } from '../../protobuf/wire';
import { type JsonBudget, parseJsonWithBudget } from './json-budget';

export interface VersionInfo {
  producer?: number;
  minConsumer?: number;
  badConsumers?: number[];
}

export interface KerasMetadataNode {
  nodeId: number;
  nodePath: string;
  identifier: string;
  /** Parsed metadata JSON; undefined when empty or when it failed the budget / did not parse. */
  metadataJson?: unknown;
  /** The raw metadata text (kept for evidence and JSON-pointer views). */
  metadataText: string;
  /** Why `metadataJson` is missing although `metadataText` is not empty. */
  metadataError?: string;
  version?: VersionInfo;
  /** Absolute byte offset of this SavedObject's payload in the file. */
  offset: number;
}

export interface KerasMetadata {
  nodes: KerasMetadataNode[];
  /** Set when the protobuf itself is malformed; `nodes` then holds what was read before the problem. */
  error?: ParseErrorInfo;
}

export interface KerasMetadataOptions {
  wire?: Partial<WireLimits>;
  json?: Partial<JsonBudget>;
  /** Maximum number of nodes (SavedObjects). */
  maxNodes?: number;
}

/** Parses keras_metadata.pb. Never throws; protobuf problems end in `error` with a byte offset. */
export function parseKerasMetadata(bytes: Uint8Array, options: KerasMetadataOptions = {}): KerasMetadata {
  const nodes: KerasMetadataNode[] = [];
  const maxNodes = options.maxNodes ?? 1_000_000;
  try {
    const r = wireReader(bytes, options.wire, true);
    for (let tag = r.readTag(); tag; tag = r.readTag()) {
      if (tag.field === 1 && tag.wireType === WIRE_LEN) {
        if (nodes.length >= maxNodes) throw new Error(`more than ${maxNodes} metadata nodes`);
        const sub = r.readMessage();
        nodes.push(readSavedObject(sub, sub.offset, options.json));
      } else {
        r.skip(tag);
      }
    }
    if (r.truncatedAt !== undefined) {
      return { nodes, error: { message: `message length runs past the end of the data (at byte ${r.truncatedAt})`, offset: r.truncatedAt, code: 'truncated' } };
    }
    return { nodes };
  } catch (err) {
    return { nodes, error: toErrorInfo(err) };
  }
}

function readSavedObject(r: WireReader, offset: number, json: Partial<JsonBudget> | undefined): KerasMetadataNode {
  const node: KerasMetadataNode = { nodeId: 0, nodePath: '', identifier: '', metadataText: '', offset };
  for (let tag = r.readTag(); tag; tag = r.readTag()) {
    if (tag.field === 2 && tag.wireType === WIRE_VARINT) node.nodeId = r.readInt32();
    else if (tag.field === 3 && tag.wireType === WIRE_LEN) node.nodePath = r.readString();
    else if (tag.field === 4 && tag.wireType === WIRE_LEN) node.identifier = r.readString();
    else if (tag.field === 5 && tag.wireType === WIRE_LEN) node.metadataText = r.readString();
    else if (tag.field === 6 && tag.wireType === WIRE_LEN) node.version = readVersionDef(r.readMessage());
    else r.skip(tag);
  }
  if (node.metadataText.length > 0) {
    const parsed = parseJsonWithBudget(node.metadataText, json);
    if (parsed.ok) node.metadataJson = parsed.value;
    else node.metadataError = parsed.error;
  }
  return node;
}

/** tensorflow/core/framework/versions.proto VersionDef. */
export function readVersionDef(r: WireReader): VersionInfo {
  const v: VersionInfo = {};
  for (let tag = r.readTag(); tag; tag = r.readTag()) {
    if (tag.field === 1 && tag.wireType === WIRE_VARINT) v.producer = r.readInt32();
    else if (tag.field === 2 && tag.wireType === WIRE_VARINT) v.minConsumer = r.readInt32();
    else if (tag.field === 3 && (tag.wireType === WIRE_VARINT || tag.wireType === WIRE_LEN)) {
      for (const b of r.readPackedVarints(tag.wireType)) (v.badConsumers ??= []).push(Number(BigInt.asIntN(32, b)));
    } else r.skip(tag);
  }
  return v;
}
