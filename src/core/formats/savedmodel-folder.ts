/**
 * TensorFlow SavedModel as one model: a folder (dropped in the browser, a directory on the CLI), a zip holding
 * one, or `saved_model.pb` / `keras_metadata.pb` alone. Keras layers come from `keras_metadata.pb` (TF ≥ 2.5)
 * or the pre-2.5 `user_object.metadata` in saved_model.pb; the graph (ops in graph_def AND the function
 * library) goes to the TF op rule. The protobuf parsers live in formats/savedmodel/ (not edited here).
 * A lone .pb is recognised by parsing it, never by its name.
 */
import type { ByteSource } from '../io/byte-source';
import { isObject, type Json } from '../json/parse';
import type { ConfigDocument, ContainerFact, OpenedModel } from '../keras/model';
import type { ArchiveMember } from '../report';
import type { SkippedPart } from '../coverage';
import { FormatError, notInspected, type FormatContext, type FormatModule, type Probe } from './format';
import { parseKerasMetadata, type KerasMetadata } from './savedmodel/keras-metadata';
import { parseSavedModel } from './savedmodel/saved-model';
import type { SavedModelInfo } from './savedmodel/graph-types';

/** saved_model.pb files are read whole, up to this size. */
export const MAX_PB_BYTES = 1024 * 1024 * 1024;

const KERAS_IDENTIFIER = /^_tf_keras_/;
const MODEL_IDENTIFIER = /^_tf_keras_(network|model|sequential)$/;

interface ParsedPb {
  kind: 'saved_model' | 'keras_metadata';
  savedModel?: SavedModelInfo;
  metadata?: KerasMetadata;
}

function looksLikeSavedModel(sm: SavedModelInfo): boolean {
  return !sm.error && sm.metaGraphs.length > 0 && sm.metaGraphs.some((mg) => mg.nodes.length > 0 || mg.tags.length > 0 || mg.userObjects.length > 0);
}

function looksLikeKerasMetadata(km: KerasMetadata): boolean {
  return !km.error && km.nodes.length > 0 && km.nodes.every((n) => KERAS_IDENTIFIER.test(n.identifier) || n.identifier === '');
}

/** Tries both protobuf schemas; null when the bytes are neither. */
export function parseProtobufModel(bytes: Uint8Array): ParsedPb | null {
  // Field 1 varint (schema version) / field 2 message (meta graph) start a SavedModel; field 1 message a SavedMetadata.
  if (bytes[0] !== 0x08 && bytes[0] !== 0x12 && bytes[0] !== 0x0a) return null;
  if (bytes[0] !== 0x0a) {
    const sm = parseSavedModel(bytes);
    return looksLikeSavedModel(sm) ? { kind: 'saved_model', savedModel: sm } : null;
  }
  const km = parseKerasMetadata(bytes);
  if (looksLikeKerasMetadata(km)) return { kind: 'keras_metadata', metadata: km };
  const sm = parseSavedModel(bytes);
  return looksLikeSavedModel(sm) ? { kind: 'saved_model', savedModel: sm } : null;
}

const SAVEDMODEL_READERS = ['tf.keras / tf_keras load_model', 'tf.saved_model.load'];

/** Metadata JSON over the budget or malformed: the loader parses it with Python's json and may accept it. */
function unreadableMetadata(name: string, identifier: string, message: string, text: string): SkippedPart {
  const lambda = /lambda/i.test(text) ? ' It mentions a Lambda.' : '';
  return notInspected(name, 'node', 'unreadable', `the Keras metadata JSON of ${identifier || 'this node'} could not be read (${message}), so any code in it was not checked.${lambda}`, SAVEDMODEL_READERS);
}

function metadataDocuments(km: KerasMetadata, skipped: SkippedPart[]): ConfigDocument[] {
  const docs: ConfigDocument[] = [];
  for (const node of km.nodes) {
    const name = `keras_metadata.pb#${node.nodeId}`;
    if (node.metadataError) {
      skipped.push(unreadableMetadata(name, node.identifier, node.metadataError, node.metadataText));
      continue;
    }
    if (!isObject(node.metadataJson)) continue;
    const isRoot = node.nodePath === 'root' && MODEL_IDENTIFIER.test(node.identifier);
    docs.push({ name, value: node.metadataJson as Json, role: isRoot ? 'model' : 'savedmodel-node' });
  }
  // The root first: its config holds the whole layer tree, the other nodes repeat parts of it.
  return docs.sort((a, b) => (a.role === 'model' ? -1 : 0) - (b.role === 'model' ? -1 : 0));
}

function userObjectDocuments(sm: SavedModelInfo, haveMetadata: boolean, skipped: SkippedPart[]): ConfigDocument[] {
  const docs: ConfigDocument[] = [];
  for (const mg of sm.metaGraphs) {
    for (const obj of mg.userObjects) {
      if (!KERAS_IDENTIFIER.test(obj.identifier) || obj.metadataText.length === 0) continue;
      const name = `saved_model.pb#object${obj.nodeId}`;
      if (obj.metadataError) {
        skipped.push(unreadableMetadata(name, obj.identifier, obj.metadataError, obj.metadataText));
        continue;
      }
      if (!isObject(obj.metadataJson)) continue;
      const isRoot = !haveMetadata && obj.nodeId === 0 && MODEL_IDENTIFIER.test(obj.identifier);
      docs.push({ name, value: obj.metadataJson as Json, role: isRoot ? 'model' : 'savedmodel-node' });
    }
  }
  return docs.sort((a, b) => (a.role === 'model' ? -1 : 0) - (b.role === 'model' ? -1 : 0));
}

function writerFacts(sm: SavedModelInfo | undefined, docs: ConfigDocument[]): Record<string, string> {
  const writer: Record<string, string> = {};
  const mg = sm?.metaGraphs[0];
  if (mg?.tensorflowVersion) writer.tensorflow_version = mg.tensorflowVersion;
  if (mg?.tensorflowGitVersion) writer.tensorflow_git_version = mg.tensorflowGitVersion;
  if (mg?.tags.length) writer.tags = mg.tags.join(',');
  if (mg?.graphVersions?.producer !== undefined) writer.graph_producer = String(mg.graphVersions.producer);
  const root = docs.find((d) => d.role === 'model')?.value;
  if (isObject(root)) {
    for (const k of ['keras_version', 'backend']) if (typeof root[k] === 'string') writer[k] = root[k] as string;
  }
  return writer;
}

/** Builds the opened model from the parsed pieces of a SavedModel. */
export function savedModelOpened(
  parts: { savedModel?: SavedModelInfo; metadata?: KerasMetadata },
  members: ArchiveMember[] | undefined,
  where: string,
): OpenedModel {
  const skipped: SkippedPart[] = [];
  const { savedModel: sm, metadata: km } = parts;
  const parseError = (name: string, error: { message: string }) =>
    skipped.push(notInspected(name, 'file', 'unreadable', `the protobuf breaks off or exceeds a budget (${error.message}); what follows that point was not checked`, SAVEDMODEL_READERS));
  if (sm?.error) parseError('saved_model.pb', sm.error);
  if (km?.error) parseError('keras_metadata.pb', km.error);
  const documents = [...(km ? metadataDocuments(km, skipped) : []), ...(sm ? userObjectDocuments(sm, !!km && km.nodes.length > 0, skipped) : [])];
  const writer = writerFacts(sm, documents);
  const mg = sm?.metaGraphs[0];
  const bits = [
    writer.tensorflow_version ? `TF ${writer.tensorflow_version}` : '',
    mg ? `${sm!.metaGraphs.reduce((n, g) => n + g.nodes.length, 0)} graph and function nodes` : '',
    km ? `${km.nodes.length} Keras metadata nodes` : '',
  ].filter(Boolean);
  return {
    format: 'savedmodel',
    formatDetail: `${where}${bits.length ? ` (${bits.join(', ')})` : ''}`,
    documents,
    meta: { kerasVersion: writer.keras_version, backend: writer.backend, writer },
    members,
    containerFacts: [],
    skipped,
    graphs: sm?.metaGraphs,
  };
}

/** Normalises folder entry names and finds the folder that holds saved_model.pb (shallowest wins). */
export function savedModelRoot(names: Iterable<string>): string | null {
  let best: string | null = null;
  for (const raw of names) {
    const name = raw.replace(/\\/g, '/').replace(/^\.\//, '');
    const m = /^(.*\/)?saved_model\.pb$/.exec(name);
    if (!m) continue;
    const prefix = m[1] ?? '';
    if (best === null || prefix.split('/').length < best.split('/').length) best = prefix;
  }
  return best;
}

/** Opens a SavedModel from its files (relative names → sources). Reads only the two .pb files. */
export async function openSavedModelFiles(files: Map<string, ByteSource>, label: string, ctx?: Pick<FormatContext, 'progress'>): Promise<OpenedModel> {
  const normalised = new Map<string, ByteSource>();
  for (const [k, v] of files) normalised.set(k.replace(/\\/g, '/').replace(/^\.\//, ''), v);
  const root = savedModelRoot(normalised.keys());
  if (root === null) throw new FormatError('unrecognised', 'not a SavedModel folder: no saved_model.pb in it');
  const members: ArchiveMember[] = [];
  for (const [name, src] of normalised) {
    if (!name.startsWith(root)) continue;
    members.push({ name: name.slice(root.length), compressedSize: src.size, size: src.size, method: 'file' });
  }
  members.sort((a, b) => a.name.localeCompare(b.name));
  const readPb = async (name: string): Promise<Uint8Array | undefined> => {
    const src = normalised.get(root + name);
    if (!src) return undefined;
    if (src.size > MAX_PB_BYTES) throw new FormatError('limit', `${name} is ${src.size} bytes, over the ${MAX_PB_BYTES}-byte limit`);
    return src.read(0, src.size);
  };
  ctx?.progress('parsing saved_model.pb');
  const smBytes = await readPb('saved_model.pb');
  const savedModel = smBytes ? parseSavedModel(smBytes) : undefined;
  ctx?.progress('parsing keras_metadata.pb');
  const kmBytes = await readPb('keras_metadata.pb');
  const metadata = kmBytes ? parseKerasMetadata(kmBytes) : undefined;
  return savedModelOpened({ savedModel, metadata }, members, `TensorFlow SavedModel ${label}`);
}

/** A saved_model.pb or keras_metadata.pb dropped alone. */
/** Detected: the parsed protobuf, handed to open (a lone .pb is recognised by parsing it, so it is parsed once). */
export const savedModelPb: FormatModule<ParsedPb> = {
  container: 'protobuf',
  produces: [],
  async detect(source: ByteSource, probe: Probe) {
    const head = probe.head;
    if ((head[0] !== 0x08 && head[0] !== 0x12 && head[0] !== 0x0a) || source.size > MAX_PB_BYTES) return null;
    return parseProtobufModel(await source.read(0, source.size));
  },
  async open(_source: ByteSource, parsed: ParsedPb, ctx: FormatContext): Promise<OpenedModel> {
    ctx.progress(`parsed ${parsed.kind}.pb`);
    const label = parsed.kind === 'saved_model' ? 'saved_model.pb (alone, without keras_metadata.pb)' : 'keras_metadata.pb (alone, without the graph)';
    return savedModelOpened(parsed, undefined, `TensorFlow SavedModel ${label}`);
  },
};
