/**
 * `.npz` archives (zips of `.npy` members), as `model.weights.npz` inside a `.keras` (R-NPZ-PICKLE) or alone:
 * only each member's header is inflated; the data of object-dtype arrays (a pickle) is read, bounded, and
 * handed to the pickle scanner. Numeric data is never read. Members are recognised by their bytes, as
 * `numpy.lib.npyio.NpzFile.__getitem__` does: any member starting with the NPY magic is read as an array,
 * whatever its name.
 */
import type { SkippedPart } from '../coverage';
import { MemorySource, type ByteSource } from '../io/byte-source';
import type { EmbeddedPickle } from '../keras/model';
import { fact, type ContainerFact } from './facts';
import { errorMessage, skipCategoryOf } from '../errors';
import { notInspected } from './format';
import { isNpy, parseNpy, type NpyInfo } from './npy';
import { openZip, type ZipArchive } from './zip';

/** Enough for any header numpy writes (numpy refuses headers over 10 000 bytes for untrusted loads). */
const NPY_HEAD_BYTES = 64 * 1024;
/** Object arrays are pickles; read at most this much of one. */
const MAX_OBJECT_ARRAY_BYTES = 64 * 1024 * 1024;
/** A nested npz larger than this is only listed, not opened, when it cannot be sliced without copying. */
const MAX_NPZ_COPY_BYTES = 256 * 1024 * 1024;
/** Header shape × itemsize beyond this many times the stored bytes (and over 256 MiB) is a bomb. */
const BOMB_RATIO = 100;
const BOMB_MIN_BYTES = 256 * 1024 * 1024;

const NPZ_READERS = ['numpy.load (Keras 3 < 3.9 loads model.weights.npz with allow_pickle=True)'];

/** Facts from one parsed `.npy` header: object dtype (pickle) and declared size vs present bytes. */
export function npyFacts(where: string, info: NpyInfo, storedBytes: number, inNpz: boolean): ContainerFact[] {
  const facts: ContainerFact[] = [];
  const header = { descr: info.descr, shape: info.shape, fortranOrder: info.fortranOrder };
  if (info.objectDtype) facts.push(fact('npy-object-array', where, { ...header, inNpz }));
  const declared = info.declaredDataBytes ?? 0;
  if (declared > BOMB_MIN_BYTES && declared > BOMB_RATIO * Math.max(1, storedBytes)) {
    facts.push(fact('npy-declared-size', where, { ...header, declaredBytes: declared, storedBytes }));
  }
  return facts;
}

export interface NpzInspection {
  facts: ContainerFact[];
  pickles: EmbeddedPickle[];
  skipped: SkippedPart[];
  arrays: number;
}

/** Inspects every member of an opened npz archive; `prefix` names the archive in facts (`model.weights.npz/`). */
export async function inspectNpzArchive(zip: ZipArchive, prefix: string, readBy: readonly string[] = NPZ_READERS): Promise<NpzInspection> {
  const out: NpzInspection = { facts: [], pickles: [], skipped: [], arrays: 0 };
  for (const m of zip.members) {
    if (m.directory) continue;
    const where = `${prefix}${m.name}`;
    let head: Uint8Array;
    try {
      head = await zip.readHead(m.name, NPY_HEAD_BYTES);
    } catch (e) {
      out.skipped.push(notInspected(where, 'member', skipCategoryOf(e), `its array header could not be read (${errorMessage(e)})`, readBy));
      continue;
    }
    // numpy returns a member without the NPY magic as plain bytes: nothing in it is interpreted.
    if (!isNpy(head)) continue;
    out.arrays++;
    const info = parseNpy(head, { scanObjectPickle: false });
    if (info.error) {
      out.skipped.push(notInspected(where, 'member', 'unreadable', `its array header is malformed (${info.error.message})`, readBy));
      if (!info.descr) continue;
    }
    out.facts.push(...npyFacts(where, info, m.size - (info.dataOffset ?? 0), true));
    if (info.objectDtype && info.dataOffset !== undefined) {
      let bytes: Uint8Array;
      try {
        bytes = await zip.read(m.name, MAX_OBJECT_ARRAY_BYTES);
      } catch (e) {
        out.skipped.push(notInspected(where, 'pickle', skipCategoryOf(e), `its object array (a pickle) could not be read (${errorMessage(e)})`, readBy));
        continue;
      }
      const full = parseNpy(bytes);
      if (full.pickle) {
        out.pickles.push({ document: where, location: '', container: 'npz-object', offset: full.dataOffset ?? 0, scan: full.pickle });
      }
    }
  }
  return out;
}

/** Opens the npz member `name` of `outer` (sliced in place when stored, else inflated within a budget). */
export async function inspectNpzMember(outer: ZipArchive, name: string): Promise<NpzInspection> {
  let source: ByteSource | null = await outer.storedSlice(name);
  if (!source) {
    try {
      // The cap is on what really inflates: the declared size may lie either way.
      source = new MemorySource(await outer.read(name, MAX_NPZ_COPY_BYTES), name);
    } catch (e) {
      return { facts: [], pickles: [], skipped: [notInspected(name, 'member', skipCategoryOf(e), `the compressed archive could not be opened (${errorMessage(e)})`, NPZ_READERS)], arrays: 0 };
    }
  }
  let inner: ZipArchive;
  try {
    inner = await openZip(source);
  } catch (e) {
    return { facts: [], pickles: [], skipped: [notInspected(name, 'member', skipCategoryOf(e), `it is not a readable zip archive (${errorMessage(e)})`, NPZ_READERS)], arrays: 0 };
  }
  try {
    return await inspectNpzArchive(inner, `${name}/`);
  } finally {
    await inner.close();
  }
}
