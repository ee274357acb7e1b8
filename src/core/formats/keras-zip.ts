/**
 * ZIP containers: the Keras 3 / tf.keras ≥ 2.12 `.keras` archive (`config.json`, `metadata.json`, weights),
 * PyTorch zips, zipped SavedModels and `.npz` archives, read member by member with random access. Members are
 * read the way Python's zipfile reads them (the real bytes, whatever size the directory declares), under a cap
 * on real output; what cannot be read goes to the coverage ledger.
 */
import type { SkippedPart } from '../coverage';
import { errorMessage, skipCategoryOf } from '../errors';
import { MemorySource, type ByteSource } from '../io/byte-source';
import { parseJson, JsonError, isObject } from '../json/parse';
import type { ConfigDocument, ContainerFact, EmbeddedPickle, OpenedModel } from '../keras/model';
import { isTorchPickleMember } from '../pickle/torch-pickles';
import { scanPickle, type PickleScan } from '../pickle/scan';
import { fact, type FactKind } from './facts';
import { FormatError, decodeUtf8, notInspected, type FormatContext, type FormatModule } from './format';
import { inspectNpzArchive, inspectNpzMember } from './npz';
import { readTorchScript, resolveTorchScriptGlobals } from './torchscript';
import { MAX_PB_BYTES, openSavedModelFiles, savedModelRoot } from './savedmodel-folder';
import { HDF5_STRUCTURE_FACTS, inspectHdf5Structure } from './hdf5/structure';
import { findSuperblock } from './keras-h5';
import { ZIP_EMPTY_MAGIC, ZIP_MAGIC, openZip, type ZipArchive } from './zip';

/** A member inflating to more than this many times its stored size is a likely deflate bomb. */
const BOMB_RATIO = 200;

const KERAS_READERS = ['Keras 3 load_model', 'tf.keras / tf_keras (≥ 2.13) load_model'];
const TORCH_READERS = ['torch.load', 'torch.jit.load'];

function parseMember(name: string, bytes: Uint8Array, role: ConfigDocument['role']): ConfigDocument {
  try {
    return { name, value: parseJson(decodeUtf8(bytes)), role };
  } catch (e) {
    if (e instanceof JsonError) throw new FormatError('damaged', `${name} is not valid JSON: ${e.message}`, { offset: e.offset });
    throw e;
  }
}

async function readJsonMember(zip: ZipArchive, name: string, role: ConfigDocument['role']): Promise<ConfigDocument> {
  return parseMember(name, await zip.read(name), role);
}

/**
 * Earlier entries named like a config the loader reads (`config.json` twice): Python's zipfile takes the last, other
 * readers the first, so the hidden ones are walked too, as `unread` documents (code in them is never silent).
 */
async function shadowedDocuments(zip: ZipArchive, name: string, skipped: SkippedPart[]): Promise<ConfigDocument[]> {
  const docs: ConfigDocument[] = [];
  let n = 0;
  try {
    for (const bytes of await zip.readShadowed(name)) {
      const label = `${name} (hidden entry ${++n})`;
      try {
        docs.push(parseMember(label, bytes, 'unread'));
      } catch (e) {
        skipped.push(notInspected(label, 'member', skipCategoryOf(e), `an earlier entry with the same name could not be parsed: ${errorMessage(e)}`, ['zip readers that take the first entry']));
      }
    }
  } catch (e) {
    skipped.push(notInspected(`${name} (hidden entries)`, 'member', skipCategoryOf(e), `earlier entries with the same name could not be read: ${errorMessage(e)}`, ['zip readers that take the first entry']));
  }
  return docs;
}

/**
 * Facts about the members: names, links, ratios and declared totals — computed after the reads, so a member whose
 * real size is known (the directory lied) is judged by its real size, and the lie itself is its own fact.
 */
function zipFacts(zip: ZipArchive, archiveSize: number): ContainerFact[] {
  const facts: ContainerFact[] = [];
  const real = new Map(zip.sizeMismatches.map((m) => [m.member, m.actualBytes]));
  let declaredTotal = 0;
  for (const m of zip.members) {
    const size = real.get(m.name) ?? m.size;
    declaredTotal += size;
    const parts = m.name.split(/[\\/]/);
    if (m.name.startsWith('/') || /^[A-Za-z]:/.test(m.name) || parts.includes('..')) facts.push(fact('zip-path-traversal', m.name, { name: m.name }));
    if (m.symlink) facts.push(fact('zip-symlink', m.name, { name: m.name }));
    if (/(^|\/)assets\//.test(m.name) && /\.(tar|tgz|tar\.gz|tar\.bz2|tar\.xz)$/i.test(m.name)) {
      facts.push(fact('zip-tar-asset', m.name, { name: m.name, size: m.size }));
    }
    if (m.compressedSize > 0 && size / m.compressedSize > BOMB_RATIO && size > 64 * 1024 * 1024) {
      facts.push(fact('zip-ratio', m.name, { size, compressedSize: m.compressedSize }));
    }
  }
  if (declaredTotal > 1024 * archiveSize && declaredTotal > 1024 * 1024 * 1024) {
    facts.push(fact('zip-declared-size', '', { declaredBytes: declaredTotal, archiveBytes: archiveSize }));
  }
  for (const m of zip.sizeMismatches) {
    facts.push(fact('zip-size-mismatch', m.member, { member: m.member, declaredBytes: m.declaredBytes, actualBytes: m.actualBytes }));
  }
  return facts;
}

/** Pickle members (PyTorch zip ≥ 1.6, TorchScript) are read up to this much inflated output. */
const MAX_PICKLE_MEMBER_BYTES = 256 * 1024 * 1024;
/** First read of a pickle member; most are far smaller, and a pickle ends at its STOP. */
const FIRST_PICKLE_READ = 1024 * 1024;
/** A `model.weights.h5` that must be copied (deflated) is inspected only up to this size. */
const MAX_WEIGHTS_H5_COPY_BYTES = 512 * 1024 * 1024;

/**
 * Walks an HDF5 member (links, virtual datasets, External Data Files, declared sizes) with our own bounded parser,
 * in place when the member is stored (Keras stores it), else inflated within a budget. h5wasm is not needed.
 */
async function weightsH5(zip: ZipArchive, name: string, ctx: FormatContext): Promise<{ facts: ContainerFact[]; skipped: SkippedPart[] }> {
  const skip = (category: SkippedPart['category'], reason: string) => ({ facts: [], skipped: [notInspected(name, 'member', category, reason, KERAS_READERS)] });
  let source: ByteSource | null = await zip.storedSlice(name);
  if (!source) {
    try {
      source = new MemorySource(await zip.read(name, MAX_WEIGHTS_H5_COPY_BYTES), name);
    } catch (e) {
      return skip(skipCategoryOf(e), `its HDF5 links could not be checked: ${errorMessage(e)}`);
    }
  }
  ctx.progress(`walking the HDF5 group tree of ${name}`);
  const head = await source.read(0, Math.min(4096, source.size));
  const superblock = await findSuperblock(source, { head, size: source.size });
  if (superblock === null) return skip('unreadable', 'it is named like HDF5 weights but holds no HDF5 superblock, so what h5py would make of it could not be told');
  return inspectHdf5Structure(source, superblock, KERAS_READERS, name);
}

/** The members the Keras loaders read besides config.json / metadata.json: weights and assets. */
function readByKeras(name: string): boolean {
  return /^model\.weights\.(h5|npz)$/.test(name) || /\.(h5|hdf5|npz)$/i.test(name) || name.startsWith('assets/');
}

async function openKerasArchive(zip: ZipArchive, ctx: FormatContext, base: Pick<OpenedModel, 'members'> & { archiveSize: number }): Promise<OpenedModel> {
  const names = new Set(zip.members.map((m) => m.name));
  ctx.progress('reading config.json');
  const documents: ConfigDocument[] = [await readJsonMember(zip, 'config.json', 'model')];
  const writer: Record<string, string> = {};
  if (names.has('metadata.json')) {
    const meta = await readJsonMember(zip, 'metadata.json', 'metadata');
    if (isObject(meta.value)) {
      for (const [k, v] of Object.entries(meta.value)) if (typeof v === 'string' || typeof v === 'number') writer[k] = String(v);
    }
    documents.push(meta);
  }
  const facts: ContainerFact[] = [];
  const pickles: EmbeddedPickle[] = [];
  const skipped: SkippedPart[] = [];
  for (const name of ['config.json', 'metadata.json']) documents.push(...(await shadowedDocuments(zip, name, skipped)));
  for (const m of zip.members) {
    if (!m.directory && isTorchPickleMember(m.name)) {
      // A .keras that is also a PyTorch archive: torch.load on this file unpickles these members.
      await scanPickleMember(zip, m.name, ctx, pickles, skipped);
      continue;
    }
    if (m.directory || !readByKeras(m.name)) continue;
    if (m.encrypted) {
      skipped.push(notInspected(m.name, 'member', 'encrypted', 'the member is encrypted, so its content could not be read', KERAS_READERS));
      continue;
    }
    if (/\.npz$/i.test(m.name)) {
      ctx.progress(`reading the array headers of ${m.name}`);
      const npz = await inspectNpzMember(zip, m.name);
      facts.push(...npz.facts);
      pickles.push(...npz.pickles);
      skipped.push(...npz.skipped);
    } else if (/\.(h5|hdf5)$/i.test(m.name)) {
      const h5 = await weightsH5(zip, m.name, ctx);
      facts.push(...h5.facts);
      skipped.push(...h5.skipped);
    }
  }
  const weights = [...names].filter((n) => /\.(h5|npz)$/.test(n));
  return {
    format: 'keras-v3',
    formatDetail: `Keras v3 .keras zip (${zip.members.length} members${weights.length ? `; weights: ${weights.join(', ')}` : ''})`,
    documents,
    meta: { kerasVersion: writer.keras_version, writer },
    members: base.members,
    containerFacts: [...zipFacts(zip, base.archiveSize), ...facts],
    pickles,
    skipped,
  };
}

/**
 * A pickle member's first pickle, read only as far as needed: torch.load unpickles the first pickle of data.pkl and
 * never looks past its STOP, so padding after it changes nothing. Reads grow from 1 MiB up to the cap.
 */
async function readFirstPickle(zip: ZipArchive, name: string): Promise<{ scan: PickleScan; complete: boolean }> {
  // The encryption flag does not stop torch (it ignores it); read the bytes anyway when stored.
  const slice = await zip.storedSlice(name);
  for (let length = FIRST_PICKLE_READ; ; length = Math.min(length * 8, MAX_PICKLE_MEMBER_BYTES)) {
    const bytes = slice ? await slice.read(0, Math.min(length, slice.size)) : await zip.readHead(name, length);
    const scan = scanPickle(bytes, { maxPickles: 1 });
    // The whole member is in hand: a pickle without STOP is then malformed (torch fails too), not cut short.
    const whole = slice ? bytes.length >= slice.size : bytes.length < length;
    if (scan.pickles >= 1 || whole) return { scan, complete: true };
    if (length >= MAX_PICKLE_MEMBER_BYTES) return { scan, complete: false };
  }
}

/** Scans one pickle member up to its first STOP; what cannot be read goes to the ledger. */
async function scanPickleMember(zip: ZipArchive, name: string, ctx: FormatContext, pickles: EmbeddedPickle[], skipped: SkippedPart[]): Promise<void> {
  ctx.progress(`reading pickle opcodes of ${name}`);
  try {
    const { scan, complete } = await readFirstPickle(zip, name);
    pickles.push({ document: name, location: '', container: 'torch-zip', offset: 0, scan });
    if (!complete) {
      skipped.push(notInspected(name, 'pickle', 'too-large', `its first pickle does not end within the first ${MAX_PICKLE_MEMBER_BYTES} bytes, so the rest was not read`, TORCH_READERS));
    }
  } catch (e) {
    skipped.push(notInspected(name, 'pickle', skipCategoryOf(e), `the pickle could not be read: ${errorMessage(e)}`, TORCH_READERS));
  }
}

/** A PyTorch zip (torch.save ≥ 1.6 / TorchScript): every `.pkl` member is scanned. */
async function openTorchZip(zip: ZipArchive, ctx: FormatContext, base: Pick<OpenedModel, 'members'> & { archiveSize: number }): Promise<OpenedModel> {
  const pickles: EmbeddedPickle[] = [];
  const skipped: SkippedPart[] = [];
  for (const m of zip.members) {
    if (m.directory || !isTorchPickleMember(m.name)) continue;
    await scanPickleMember(zip, m.name, ctx, pickles, skipped);
  }
  const torchscript = zip.members.some((m) => /(^|\/)code\//.test(m.name) || /(^|\/)constants\.pkl$/.test(m.name));
  const script = torchscript ? await readTorchScript(zip) : { modules: [], skipped: [] };
  skipped.push(...script.skipped, ...resolveTorchScriptGlobals(pickles, script.modules));
  return {
    format: 'pickle',
    formatDetail: `${torchscript ? 'TorchScript' : 'PyTorch'} zip (${zip.members.length} members; ${pickles.length} pickle member${pickles.length === 1 ? '' : 's'})`,
    documents: [],
    meta: { writer: {} },
    members: base.members,
    containerFacts: zipFacts(zip, base.archiveSize),
    pickles,
    skipped,
    ...(script.modules.length ? { torchscript: script.modules } : {}),
  };
}

/** Zipped SavedModel folder: its files become byte sources over the archive (sliced when stored). */
async function openSavedModelZip(zip: ZipArchive, ctx: FormatContext, base: Pick<OpenedModel, 'members'> & { archiveSize: number }): Promise<OpenedModel> {
  const root = savedModelRoot(zip.members.map((m) => m.name)) ?? '';
  const files = new Map<string, ByteSource>();
  for (const m of zip.members) {
    if (m.directory || !m.name.startsWith(root)) continue;
    const rel = m.name.slice(root.length);
    if (rel === 'saved_model.pb' || rel === 'keras_metadata.pb') {
      const slice = await zip.storedSlice(m.name);
      files.set(m.name, slice ?? new MemorySource(await zip.read(m.name, MAX_PB_BYTES), m.name));
    } else {
      files.set(m.name, { size: m.size, name: m.name, read: async () => new Uint8Array(0) });
    }
  }
  const opened = await openSavedModelFiles(files, `zipped folder${root ? ` ${root.replace(/\/$/, '')}` : ''}`, ctx);
  return { ...opened, members: base.members, containerFacts: [...zipFacts(zip, base.archiveSize), ...opened.containerFacts] };
}

const ZIP_FACTS: readonly FactKind[] = ['zip-path-traversal', 'zip-symlink', 'zip-tar-asset', 'zip-ratio', 'zip-declared-size', 'zip-size-mismatch', 'npy-object-array', 'npy-declared-size', ...HDF5_STRUCTURE_FACTS];

export const kerasZip: FormatModule<true> = {
  container: 'zip',
  produces: ZIP_FACTS,
  async detect(_source, probe) {
    const h = probe.head;
    return [ZIP_MAGIC, ZIP_EMPTY_MAGIC].some((m) => m.every((b, i) => h[i] === b)) ? true : null;
  },
  async open(source: ByteSource, _detected: true, ctx: FormatContext): Promise<OpenedModel> {
    ctx.progress('reading the zip directory');
    const zip = await openZip(source);
    try {
      const names = new Set(zip.members.map((m) => m.name));
      const members = zip.members.map(({ name, compressedSize, size, method }) => ({ name, compressedSize, size, method }));
      const base = { members, archiveSize: source.size };
      if (names.has('config.json')) return await openKerasArchive(zip, ctx, base);
      if (savedModelRoot(names) !== null) return await openSavedModelZip(zip, ctx, base);
      const files = zip.members.filter((m) => !m.directory);
      if (files.some((m) => isTorchPickleMember(m.name))) return await openTorchZip(zip, ctx, base);
      if (files.length > 0 && files.every((m) => m.name.endsWith('.npy'))) {
        ctx.progress('reading the array headers');
        const npz = await inspectNpzArchive(zip, '');
        return {
          format: 'pickle',
          formatDetail: `NumPy .npz archive (${npz.arrays} arrays)`,
          documents: [],
          meta: { writer: {} },
          members,
          containerFacts: [...zipFacts(zip, source.size), ...npz.facts],
          pickles: npz.pickles,
          skipped: npz.skipped,
        };
      }
      throw new FormatError(
        'unrecognised',
        `not a recognised model format: a zip archive without config.json, saved_model.pb or pickle members (${zip.members.length} members: ${[...names].slice(0, 5).join(', ')}${names.size > 5 ? ', …' : ''})`,
      );
    } finally {
      await zip.close();
    }
  },
};
