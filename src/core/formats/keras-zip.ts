/**
 * ZIP containers: the Keras 3 / tf.keras ≥ 2.12 `.keras` archive (`config.json`, `metadata.json`, weights),
 * read member by member with random access; other zips are listed and reported for what they are.
 */
import { MemorySource, type ByteSource } from '../io/byte-source';
import { parseJson, JsonError, isObject } from '../json/parse';
import type { ConfigDocument, ContainerFact, EmbeddedPickle, OpenedModel } from '../keras/model';
import { isTorchPickleMember } from '../pickle/torch-pickles';
import { scanPickle } from '../pickle/scan';
import { FormatError, decodeUtf8, type FormatContext, type FormatModule } from './format';
import { inspectNpzArchive, inspectNpzMember } from './npz';
import { MAX_PB_BYTES, openSavedModelFiles, savedModelRoot } from './savedmodel-folder';
import { scanHdf5Structure } from './hdf5/structure';
import { ZIP_EMPTY_MAGIC, ZIP_MAGIC, openZip, type ZipArchive } from './zip';

/** A member inflating to more than this many times its stored size is a likely deflate bomb. */
const BOMB_RATIO = 200;

async function readJsonMember(zip: ZipArchive, name: string, role: ConfigDocument['role']): Promise<ConfigDocument> {
  const text = decodeUtf8(await zip.read(name));
  try {
    return { name, value: parseJson(text), role };
  } catch (e) {
    if (e instanceof JsonError) throw new FormatError(`${name} is not valid JSON: ${e.message}`, e.offset);
    throw e;
  }
}

function memberFacts(zip: ZipArchive, archiveSize: number): ContainerFact[] {
  const facts: ContainerFact[] = [];
  let declaredTotal = 0;
  for (const m of zip.members) {
    declaredTotal += m.size;
    const parts = m.name.split(/[\\/]/);
    if (m.name.startsWith('/') || /^[A-Za-z]:/.test(m.name) || parts.includes('..')) {
      facts.push({ kind: 'zip-path-traversal', where: m.name, detail: { name: m.name } });
    }
    if (m.symlink) facts.push({ kind: 'zip-symlink', where: m.name, detail: { name: m.name } });
    if (/(^|\/)assets\//.test(m.name) && /\.(tar|tgz|tar\.gz|tar\.bz2|tar\.xz)$/i.test(m.name)) {
      facts.push({ kind: 'zip-tar-asset', where: m.name, detail: { name: m.name, size: m.size } });
    }
    if (m.encrypted) facts.push({ kind: 'zip-encrypted', where: m.name, detail: { name: m.name } });
    if (m.compressedSize > 0 && m.size / m.compressedSize > BOMB_RATIO && m.size > 64 * 1024 * 1024) {
      facts.push({ kind: 'zip-ratio', where: m.name, detail: { size: m.size, compressedSize: m.compressedSize } });
    }
  }
  if (declaredTotal > 1024 * archiveSize && declaredTotal > 1024 * 1024 * 1024) {
    facts.push({ kind: 'zip-declared-size', where: '', detail: { declaredBytes: declaredTotal, archiveBytes: archiveSize } });
  }
  return facts;
}

/** Pickle members (PyTorch zip ≥ 1.6, TorchScript) are read whole up to this size. */
const MAX_PICKLE_MEMBER_BYTES = 256 * 1024 * 1024;
/** A `model.weights.h5` that must be copied (deflated) is inspected only up to this size. */
const MAX_WEIGHTS_H5_COPY_BYTES = 512 * 1024 * 1024;

/** Runs the HDF5 structure check (links, virtual datasets, declared sizes) on an HDF5 member. */
async function weightsH5Facts(zip: ZipArchive, name: string, size: number, ctx: FormatContext): Promise<ContainerFact[]> {
  const started = Date.now();
  let source: ByteSource | null = await zip.storedSlice(name);
  let copied = false;
  if (!source) {
    if (size > MAX_WEIGHTS_H5_COPY_BYTES) return [{ kind: 'hdf5-not-inspected', where: name, detail: { size, limit: MAX_WEIGHTS_H5_COPY_BYTES } }];
    source = new MemorySource(await zip.read(name, MAX_WEIGHTS_H5_COPY_BYTES), name);
    copied = true;
  }
  ctx.progress(`checking ${name} for HDF5 links`);
  let mounted;
  try {
    mounted = await ctx.mountHdf5(source);
  } catch (e) {
    return [{ kind: 'hdf5-not-inspected', where: name, detail: { size, message: e instanceof Error ? e.message : String(e) } }];
  }
  try {
    const file = new mounted.h5.File(mounted.path, 'r');
    try {
      return scanHdf5Structure(mounted.h5, file, size).map((f) => ({
        ...f,
        where: `${name}:${f.where}`,
        detail: { ...f.detail, member: name, inspectMs: Date.now() - started, copied },
      }));
    } finally {
      file.close();
    }
  } catch (e) {
    return [{ kind: 'hdf5-not-inspected', where: name, detail: { size, message: e instanceof Error ? e.message : String(e) } }];
  } finally {
    mounted.release();
  }
}

async function openKerasArchive(zip: ZipArchive, source: ByteSource, ctx: FormatContext, base: Pick<OpenedModel, 'members' | 'containerFacts'>): Promise<OpenedModel> {
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
  const facts = [...base.containerFacts];
  const pickles: EmbeddedPickle[] = [];
  for (const m of zip.members) {
    if (m.directory || m.encrypted) continue;
    if (/\.npz$/i.test(m.name)) {
      ctx.progress(`reading the array headers of ${m.name}`);
      try {
        const npz = await inspectNpzMember(zip, m.name, m.size);
        facts.push(...npz.facts);
        pickles.push(...npz.pickles);
      } catch (e) {
        facts.push({ kind: 'npz-not-inspected', where: m.name, detail: { message: e instanceof Error ? e.message : String(e) } });
      }
    } else if (/\.(h5|hdf5)$/i.test(m.name)) {
      facts.push(...(await weightsH5Facts(zip, m.name, m.size, ctx)));
    }
  }
  const weights = [...names].filter((n) => /\.(h5|npz)$/.test(n));
  void source;
  return {
    format: 'keras-v3',
    formatDetail: `Keras v3 .keras zip (${zip.members.length} members${weights.length ? `; weights: ${weights.join(', ')}` : ''})`,
    documents,
    meta: { kerasVersion: writer.keras_version, writer },
    members: base.members,
    containerFacts: facts,
    pickles,
  };
}

/** A PyTorch zip (torch.save ≥ 1.6 / TorchScript): every `.pkl` member is scanned. */
async function openTorchZip(zip: ZipArchive, ctx: FormatContext, base: Pick<OpenedModel, 'members' | 'containerFacts'>): Promise<OpenedModel> {
  const pickles: EmbeddedPickle[] = [];
  const facts = [...base.containerFacts];
  for (const m of zip.members) {
    if (m.directory || !isTorchPickleMember(m.name)) continue;
    ctx.progress(`reading pickle opcodes of ${m.name}`);
    let bytes: Uint8Array;
    try {
      // The encryption flag does not stop torch (it ignores it); read the bytes anyway when stored.
      const slice = m.encrypted ? await zip.storedSlice(m.name) : null;
      bytes = slice ? await slice.read(0, slice.size) : await zip.read(m.name, MAX_PICKLE_MEMBER_BYTES);
    } catch (e) {
      facts.push({ kind: 'pickle-not-inspected', where: m.name, detail: { message: e instanceof Error ? e.message : String(e) } });
      continue;
    }
    pickles.push({ document: m.name, location: '', container: 'torch-zip', offset: 0, scan: scanPickle(bytes) });
  }
  const torchscript = zip.members.some((m) => /(^|\/)code\//.test(m.name) || /(^|\/)constants\.pkl$/.test(m.name));
  return {
    format: 'pickle',
    formatDetail: `${torchscript ? 'TorchScript' : 'PyTorch'} zip (${zip.members.length} members; ${pickles.length} pickle member${pickles.length === 1 ? '' : 's'})`,
    documents: [],
    meta: { writer: {} },
    members: base.members,
    containerFacts: facts,
    pickles,
  };
}

/** Zipped SavedModel folder: its files become byte sources over the archive (sliced when stored). */
async function openSavedModelZip(zip: ZipArchive, ctx: FormatContext, base: Pick<OpenedModel, 'members' | 'containerFacts'>): Promise<OpenedModel> {
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
  return { ...opened, members: base.members, containerFacts: [...base.containerFacts, ...opened.containerFacts] };
}

export const kerasZip: FormatModule = {
  id: 'zip',
  async detect(_source, probe) {
    const h = probe.head;
    return [ZIP_MAGIC, ZIP_EMPTY_MAGIC].some((m) => m.every((b, i) => h[i] === b));
  },
  async open(source: ByteSource, ctx: FormatContext): Promise<OpenedModel> {
    ctx.progress('reading the zip directory');
    const zip = await openZip(source);
    try {
      const names = new Set(zip.members.map((m) => m.name));
      const members = zip.members.map(({ name, compressedSize, size, method }) => ({ name, compressedSize, size, method }));
      const base = { members, containerFacts: memberFacts(zip, source.size) };
      if (names.has('config.json')) return await openKerasArchive(zip, source, ctx, base);
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
          containerFacts: [...base.containerFacts, ...npz.facts],
          pickles: npz.pickles,
        };
      }
      throw new FormatError(
        `not a recognised model format: a zip archive without config.json, saved_model.pb or pickle members (${zip.members.length} members: ${[...names].slice(0, 5).join(', ')}${names.size > 5 ? ', …' : ''})`,
      );
    } finally {
      await zip.close();
    }
  },
};
