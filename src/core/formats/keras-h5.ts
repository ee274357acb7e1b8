/**
 * Legacy Keras HDF5 (`model.save('x.h5')` in Keras 1/2, tf.keras, tf_keras, Keras 3): the model lives in root
 * attributes `model_config` / `training_config` (JSON text), beside `keras_version` and `backend`
 * (THREATS.md §A.0). Read through the real HDF5 library; weights are never touched.
 */
import type { Attribute } from 'h5wasm';
import type { ByteSource } from '../io/byte-source';
import { parseJson, JsonError } from '../json/parse';
import type { SkippedPart } from '../coverage';
import type { ConfigDocument, OpenedModel } from '../keras/model';
import { FormatError, decodeUtf8, notInspected, type FormatContext, type FormatModule, type Probe } from './format';
import { HDF5_STRUCTURE_FACTS, inspectHdf5Structure, type Hdf5Structure } from './hdf5/structure';
import { readRootAttributes, type RootAttributes } from './hdf5/root-attributes';
import { preflightRootAttributes, type PreflightResult } from './hdf5/preflight';
import { Hdf5Damage, Hdf5Unparsed } from './hdf5/raw';

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

function hasSignature(bytes: Uint8Array, at = 0): boolean {
  return SIGNATURE.every((b, i) => bytes[at + i] === b);
}

/** HDF5 superblock at 0, or after a user block at 512, 1024, 2048, … (HDF5 spec). Returns the offset. */
export async function findSuperblock(source: ByteSource, probe: Probe): Promise<number | null> {
  if (hasSignature(probe.head)) return 0;
  const beyond: number[] = [];
  for (let at = 512; at + 8 <= source.size; at *= 2) {
    if (at + 8 <= probe.head.length) {
      if (hasSignature(probe.head, at)) return at;
    } else beyond.push(at);
  }
  // The offsets past the head are read together: one round trip, not one per power of two (a Blob or HTTP read each).
  const heads = await Promise.all(beyond.map((at) => source.read(at, 8)));
  const found = heads.findIndex((h) => hasSignature(h));
  return found >= 0 ? beyond[found] : null;
}

/** Attribute text whether written as variable- or fixed-length strings, `bytes` or `str`, or a 1-element array. */
export function attributeText(attr: Attribute | undefined): string | undefined {
  if (!attr) return undefined;
  let v: unknown = attr.value;
  if (Array.isArray(v) && v.length === 1) v = v[0];
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return decodeUtf8(v);
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return undefined;
}

const MAX_ATTRIBUTE_CHARS = 64 * 1024 * 1024;

/** A root attribute's value as text (undefined: absent, or not a single string or number). */
type AttributeLookup = (name: string) => string | undefined;

function readJsonAttribute(attr: AttributeLookup, name: string, role: ConfigDocument['role']): ConfigDocument | undefined {
  const text = attr(name);
  if (text === undefined) return undefined;
  if (text.length > MAX_ATTRIBUTE_CHARS) throw new FormatError('limit', `root attribute ${name} is ${text.length} characters, over the limit`);
  try {
    return { name, value: parseJson(text), role };
  } catch (e) {
    if (e instanceof JsonError) throw new FormatError('damaged', `root attribute ${name} is not valid JSON: ${e.message}`, { offset: e.offset });
    throw e;
  }
}

const H5_READERS = ['Keras load_model / load_weights (h5py)'];

/** Attributes that carry the model: never reported as absent when the file holds them. */
const MODEL_ATTRIBUTES = ['model_config', 'training_config'];

/**
 * Root attributes our own parser found but the library does not list (it drops every attribute after a damaged
 * message), and attribute messages whose name nobody could read. A model config among them must not turn into
 * "no model config, clean": another HDF5 build might still read it, so the file is an error; anything else is a
 * part a loader reads that was not inspected.
 */
function unlistedAttributes(precheck: PreflightResult, listed: string[]): SkippedPart[] {
  const unlisted = [...new Set(precheck.names.filter((n) => !listed.includes(n)))];
  const shown = (n: string) => JSON.stringify(n.length > 80 ? `${n.slice(0, 79)}…` : n);
  if (unlisted.some((n) => MODEL_ATTRIBUTES.includes(n))) {
    throw new FormatError(
      'damaged',
      `the file holds root attribute(s) ${unlisted.slice(0, 5).map(shown).join(', ')} that the HDF5 library cannot read (a damaged attribute message): ` +
        'the model config cannot be inspected, and a more lenient HDF5 reader might still load it',
    );
  }
  const skipped = unlisted.map((n) => notInspected(`attribute ${shown(n)}`, 'attribute', 'unreadable', 'the attribute is in the file but the HDF5 library could not read its value', []));
  // Messages whose name the pre-check could not read, and that the library did not list either.
  const unaccounted = precheck.unnamed - Math.max(0, listed.length - (precheck.names.length - unlisted.length));
  if (unaccounted > 0) {
    skipped.push(
      notInspected(
        'root attributes',
        'attribute',
        'unreadable',
        `${unaccounted} root attribute message(s) could be read neither by this inspector nor by the HDF5 library, so whether one of them is a model config cannot be told`,
        [],
      ),
    );
  }
  return skipped;
}

/**
 * Other root attributes holding JSON (a renamed `model_config`, a config under a made-up name): no Keras loader
 * reads them as a model, but code in them must not be silent. Walked as `unread` documents.
 */
function otherJsonAttributes(attributes: [name: string, text: string | undefined][], skipped: SkippedPart[]): ConfigDocument[] {
  const docs: ConfigDocument[] = [];
  for (const [n, text] of attributes) {
    if (text === undefined || !/^\s*[[{]/.test(text)) continue;
    try {
      if (text.length > MAX_ATTRIBUTE_CHARS) throw new JsonError(`${text.length} characters, over the limit`, 0);
      docs.push({ name: n, value: parseJson(text), role: 'unread' });
    } catch (e) {
      if (!(e instanceof JsonError)) throw e;
      // JSON-like but unparseable (or too long): a lenient reader might still find code in it.
      skipped.push(notInspected(`attribute ${JSON.stringify(n.slice(0, 80))}`, 'attribute', 'unreadable', `it looks like a JSON config but could not be parsed (${e.message})`, []));
    }
  }
  return docs;
}

/** What the open needs from the root group, whoever read it (the HDF5 library, or our own parser for remote files). */
interface RootView {
  attrNames: string[];
  attr: AttributeLookup;
  /** Names of the root group's members; given the structure walk, which the parser view takes them from. */
  keys(structure: Hdf5Structure): string[];
  /** Ledger entries for attributes found but not readable. */
  unlisted: SkippedPart[];
  /** Later attribute messages with a name already read (the library cannot list them: parser only). */
  repeated: RootAttributes['repeated'];
}

/** The open once the root attributes are known: config documents, writer facts, the structure walk. */
async function assemble(source: ByteSource, userBlock: number, view: RootView, ctx: FormatContext, notes: string[]): Promise<OpenedModel> {
  const { attrNames, attr, unlisted } = view;
  const documents: ConfigDocument[] = [];
  const model = readJsonAttribute(attr, 'model_config', 'model');
  if (model) documents.push(model);
  const training = readJsonAttribute(attr, 'training_config', 'training');
  if (training) documents.push(training);
  const others = attrNames.filter((n) => !MODEL_ATTRIBUTES.includes(n)).map((n): [string, string | undefined] => [n, attr(n)]);
  // A name given to several attribute messages (crafted): the library reads the first; the later ones are
  // inspected too, as documents no loader reads, so code in them is never silent.
  documents.push(...otherJsonAttributes([...others, ...view.repeated.map((r): [string, string | undefined] => [`${r.name} (repeated)`, r.text])], unlisted));
  const writer: Record<string, string> = {};
  for (const n of attrNames) {
    if (n === 'model_config' || n === 'training_config' || n.startsWith('layer_names')) continue;
    const t = attr(n);
    if (t !== undefined && t.length < 200) writer[n] = t;
  }
  ctx.progress('walking the HDF5 group tree');
  const structure = await inspectHdf5Structure(source, userBlock, H5_READERS);
  const keys = view.keys(structure);
  const weightsOnly = !model && (attrNames.some((n) => n.startsWith('layer_names')) || keys.includes('layers') || keys.includes('vars'));
  const detail = [
    model ? 'Keras HDF5 model' : weightsOnly ? 'Keras HDF5 weights only (no model config)' : 'HDF5 file without a Keras model config',
    userBlock ? `user block of ${userBlock} bytes` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return {
    format: model ? 'keras-h5' : weightsOnly ? 'keras-h5-weights' : 'hdf5',
    formatDetail: detail,
    documents,
    meta: { kerasVersion: writer.keras_version, backend: writer.backend, writer },
    containerFacts: structure.facts,
    skipped: [...unlisted, ...structure.skipped],
    ...(notes.length ? { notes } : {}),
  };
}

/** The dense-storage rule shared by both readers: an index that lists nothing cannot say there is no model config. */
function checkDense(precheck: PreflightResult, listed: number): void {
  if (precheck.denseUnreadable !== undefined && listed === 0) {
    // Dense storage only exists with many attributes: none listed means the index is damaged, and what it
    // held (a model config?) cannot be told. Never "no model config, clean".
    throw new FormatError(
      'damaged',
      `the root group's attribute storage is damaged (${precheck.denseUnreadable}): neither the HDF5 library nor the pre-check can list its attributes, so whether it holds a model config cannot be told`,
    );
  }
}

/**
 * Root attributes through our own parser (no HDF5 library for this source: a remote file). Fails closed: a model
 * config it cannot read is an error that says to scan the file locally; other unreadable attributes and unnamed
 * messages are ledger entries.
 */
async function remoteParserView(source: ByteSource, userBlock: number, precheck: PreflightResult): Promise<RootView> {
  try {
    return parserView(await readRootAttributes(source, userBlock), precheck);
  } catch (e) {
    if (e instanceof Hdf5Unparsed) {
      throw new FormatError('unreadable', `the root attributes could not be read without the HDF5 library (${e.message}); download the file and scan it locally`);
    }
    throw e;
  }
}

function parserView(root: RootAttributes, precheck: PreflightResult): RootView {
  const attrNames = [...root.text.keys()];
  checkDense(precheck, attrNames.length + root.unreadable.size);
  const badModel = MODEL_ATTRIBUTES.find((n) => root.unreadable.has(n));
  if (badModel) {
    throw new FormatError(
      'unreadable',
      `root attribute ${badModel} is stored in a way the built-in HDF5 reader for remote files does not read (${root.unreadable.get(badModel)}); download the file and scan it locally`,
    );
  }
  const unlisted = [...root.unreadable].map(([n, why]) =>
    notInspected(`attribute ${JSON.stringify(n.slice(0, 80))}`, 'attribute', 'unreadable', `its value could not be read without the HDF5 library (${why})`, []),
  );
  if (root.unnamed.length > 0 && !attrNames.includes('model_config')) {
    unlisted.push(
      notInspected(
        'root attributes',
        'attribute',
        'unreadable',
        `${root.unnamed.length} root attribute message(s) could not be read (${[...new Set(root.unnamed)].join('; ')}), so whether one of them is a model config cannot be told`,
        [],
      ),
    );
  }
  return {
    attrNames,
    attr: (n) => root.text.get(n),
    unlisted,
    repeated: root.repeated,
    // The walk lists the root group's members (it only changes the label between "weights only" and "HDF5 file").
    keys: (structure) => structure.tree?.rootMembers ?? [],
  };
}

/**
 * The parser's view when it read every root attribute the pre-check found — no unreadable value, no unnamed or
 * shared message, the same names as the pre-check — and among them a model or training config; else null, and
 * the HDF5 library reads the file.
 */
async function completeParserView(source: ByteSource, userBlock: number, precheck: PreflightResult): Promise<RootView | null> {
  let root: RootAttributes;
  try {
    root = await readRootAttributes(source, userBlock);
  } catch (e) {
    if (e instanceof Hdf5Unparsed) return null;
    throw e;
  }
  if (root.unreadable.size > 0 || root.unnamed.length > 0 || precheck.unnamed > 0 || precheck.denseUnreadable !== undefined) return null;
  const attrNames = [...root.text.keys()];
  const found = new Set(precheck.names);
  if (found.size !== attrNames.length || attrNames.some((n) => !found.has(n))) return null;
  // Without a config there is nothing to gain and a damaged file to miss: the library says whether it opens.
  if (!MODEL_ATTRIBUTES.some((n) => root.text.get(n) !== undefined)) return null;
  return parserView(root, precheck);
}

/** Detected: the superblock's offset (0, or the size of the user block before it). */
export const kerasH5: FormatModule<number> = {
  container: 'hdf5',
  produces: HDF5_STRUCTURE_FACTS,
  detect: findSuperblock,
  async open(source: ByteSource, userBlock: number, ctx: FormatContext): Promise<OpenedModel> {
    ctx.progress('checking HDF5 attribute heaps');
    let precheck: PreflightResult;
    try {
      precheck = await preflightRootAttributes(source, userBlock);
    } catch (e) {
      if (e instanceof Hdf5Damage) throw new FormatError('damaged', e.message, { offset: e.offset });
      throw e;
    }
    if (ctx.mountHdf5 === null) {
      ctx.progress('reading HDF5 root attributes');
      const view = await remoteParserView(source, userBlock, precheck);
      return assemble(source, userBlock, view, ctx, ['Root attributes were read by the built-in HDF5 reader (the file is not on this machine), not by the HDF5 library.']);
    }
    // On this machine too, our parser reads the root attributes first: the HDF5 library (3.5 MB of WebAssembly
    // to compile) is started only for a file the parser cannot read completely, and then reads it as before.
    const own = precheck.verified ? await completeParserView(source, userBlock, precheck) : null;
    if (own) return assemble(source, userBlock, own, ctx, []);
    const notes = precheck.verified
      ? []
      : [`Some root attributes could not be pre-checked (${precheck.reason}); the HDF5 library read them unchecked, under the time limit.`];
    ctx.progress(precheck.verified ? 'opening HDF5' : `opening HDF5 (some root attributes not pre-checked: ${precheck.reason})`);
    const mounted = await ctx.mountHdf5(source);
    let file: InstanceType<typeof mounted.h5.File> | undefined;
    try {
      try {
        file = new mounted.h5.File(mounted.path, 'r');
      } catch (e) {
        throw new FormatError('damaged', `the HDF5 library could not open the file: ${e instanceof Error ? e.message : String(e)}`);
      }
      const opened = file;
      const attrNames = Object.keys(opened.attrs);
      const unlisted = unlistedAttributes(precheck, attrNames);
      checkDense(precheck, attrNames.length);
      const keys = opened.keys();
      return await assemble(source, userBlock, { attrNames, attr: (n) => attributeText(opened.attrs[n]), unlisted, keys: () => keys, repeated: [] }, ctx, notes);
    } catch (e) {
      if (e instanceof FormatError) throw e;
      // h5wasm reports HDF5 library failures as plain strings/errors without context.
      throw new FormatError('damaged', `the HDF5 library could not read the file: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      try {
        file?.close();
      } finally {
        mounted.release();
      }
    }
  },
};
