/**
 * `.npz` archives (zips of `.npy` members), as `model.weights.npz` inside a `.keras` (THREATS.md §A.3,
 * R-NPZ-PICKLE) or alone: only each member's header is inflated; the data of object-dtype arrays (a
 * pickle) is read, bounded, and handed to the pickle scanner. Numeric data is never read.
 */
import { MemorySource, type ByteSource } from '../io/byte-source';
import type { ContainerFact, EmbeddedPickle } from '../keras/model';
import { parseNpy, type NpyInfo } from './npy';
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

/** Facts from one parsed `.npy` header: object dtype (pickle) and declared size vs present bytes. */
export function npyFacts(where: string, info: NpyInfo, storedBytes: number): ContainerFact[] {
  const facts: ContainerFact[] = [];
  const header = { descr: info.descr, shape: info.shape, fortranOrder: info.fortranOrder };
  if (info.objectDtype) facts.push({ kind: 'npy-object-array', where, detail: header });
  const declared = info.declaredDataBytes ?? 0;
  if (declared > BOMB_MIN_BYTES && declared > BOMB_RATIO * Math.max(1, storedBytes)) {
    facts.push({ kind: 'npy-declared-size', where, detail: { ...header, declaredBytes: declared, storedBytes } });
  }
  if (info.error) facts.push({ kind: 'npy-unreadable', where, detail: { message: info.error.message, offset: info.error.offset } });
  return facts;
}

export interface NpzInspection {
  facts: ContainerFact[];
  pickles: EmbeddedPickle[];
  arrays: number;
}

/** Inspects every `.npy` member of an opened npz archive; `prefix` names the archive in facts (`model.weights.npz/`). */
export async function inspectNpzArchive(zip: ZipArchive, prefix: string): Promise<NpzInspection> {
  const out: NpzInspection = { facts: [], pickles: [], arrays: 0 };
  for (const m of zip.members) {
    if (m.directory) continue;
    const where = `${prefix}${m.name}`;
    if (!m.name.endsWith('.npy')) {
      out.facts.push({ kind: 'npz-other-member', where, detail: { name: m.name, size: m.size } });
      continue;
    }
    out.arrays++;
    let head: Uint8Array;
    try {
      head = await zip.readHead(m.name, NPY_HEAD_BYTES);
    } catch (e) {
      out.facts.push({ kind: 'npy-unreadable', where, detail: { message: e instanceof Error ? e.message : String(e) } });
      continue;
    }
    const info = parseNpy(head, { scanObjectPickle: false });
    out.facts.push(...npyFacts(where, info, m.size - (info.dataOffset ?? 0)));
    if (info.objectDtype && info.dataOffset !== undefined) {
      let bytes: Uint8Array;
      try {
        bytes = await zip.read(m.name, MAX_OBJECT_ARRAY_BYTES);
      } catch (e) {
        out.facts.push({ kind: 'npy-unreadable', where, detail: { message: e instanceof Error ? e.message : String(e) } });
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
export async function inspectNpzMember(outer: ZipArchive, name: string, size: number): Promise<NpzInspection> {
  let source: ByteSource | null = await outer.storedSlice(name);
  if (!source) {
    if (size > MAX_NPZ_COPY_BYTES) {
      return { facts: [{ kind: 'npz-not-inspected', where: name, detail: { size, limit: MAX_NPZ_COPY_BYTES } }], pickles: [], arrays: 0 };
    }
    source = new MemorySource(await outer.read(name, MAX_NPZ_COPY_BYTES), name);
  }
  const inner = await openZip(source);
  try {
    return await inspectNpzArchive(inner, `${name}/`);
  } finally {
    await inner.close();
  }
}
