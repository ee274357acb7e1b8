/**
 * What a container already records about its weights, for the diff: zip members' CRC-32 and sizes (the central
 * directory), and HDF5 datasets' shapes and dtypes (object headers, through our own bounded tree walk — in place
 * for a stored `model.weights.h5`, never with the HDF5 library). Weight values are never read: a CRC-32 is a
 * checksum the writer stored, not one computed here.
 */
import type { ByteSource } from '../io/byte-source';
import { findSuperblock } from '../formats/keras-h5';
import { openZip, ZIP_MAGIC, ZIP_EMPTY_MAGIC } from '../formats/zip';
import { walkHdf5Tree } from '../formats/hdf5/tree';
import { Hdf5Unparsed } from '../formats/hdf5/raw';

export interface MemberRecord {
  name: string;
  crc32: number | null;
  size: number;
  compressedSize: number;
}

export interface DatasetRecord {
  /** HDF5 path without the leading slash. */
  path: string;
  shape: number[] | null;
  dtype: string;
}

export interface WeightRecords {
  container: 'zip' | 'hdf5' | 'other';
  members: MemberRecord[];
  /** Datasets of the file itself (`.h5`) or of its weights member (`.keras`). */
  datasets: DatasetRecord[];
  /** The zip member the datasets come from, when they come from one. */
  datasetsIn?: string;
  /** Why part of this could not be read (each becomes an `unmatched` entry of the diff). */
  problems: string[];
}

const WEIGHTS_MEMBER = /^model\.weights\.h5$/;

function startsWith(head: Uint8Array, magic: number[]): boolean {
  return magic.every((b, i) => head[i] === b);
}

async function hdf5Datasets(source: ByteSource): Promise<{ datasets: DatasetRecord[]; problems: string[] }> {
  const head = await source.read(0, Math.min(4096, source.size));
  const at = await findSuperblock(source, { head, size: source.size });
  if (at === null) return { datasets: [], problems: ['no HDF5 superblock'] };
  try {
    const tree = await walkHdf5Tree(source, at);
    const datasets = tree.datasets.map((d) => ({ path: d.path.replace(/^\//, ''), shape: d.shape, dtype: d.dtype }));
    const problems = tree.skipped.map((s) => `${s.path}: ${s.reason}`);
    return { datasets, problems };
  } catch (e) {
    if (e instanceof Hdf5Unparsed) return { datasets: [], problems: [`the HDF5 group tree could not be walked (${e.message})`] };
    throw e;
  }
}

/** Never throws for a damaged file: what could not be read is in `problems`. */
export async function readWeightRecords(source: ByteSource): Promise<WeightRecords> {
  const head = await source.read(0, Math.min(4096, source.size));
  try {
    if (startsWith(head, ZIP_MAGIC) || startsWith(head, ZIP_EMPTY_MAGIC)) {
      const zip = await openZip(source);
      try {
        const members = zip.members
          .filter((m) => !m.directory)
          .map((m) => ({ name: m.name, crc32: m.crc32, size: m.size, compressedSize: m.compressedSize }));
        const weights = members.find((m) => WEIGHTS_MEMBER.test(m.name));
        if (!weights) return { container: 'zip', members, datasets: [], problems: [] };
        // Keras stores the weights member uncompressed; a deflated one is not inflated just for its shapes.
        const slice = await zip.storedSlice(weights.name);
        if (!slice) return { container: 'zip', members, datasets: [], problems: [`${weights.name} is compressed, so its dataset shapes were not read`] };
        const { datasets, problems } = await hdf5Datasets(slice);
        return { container: 'zip', members, datasets, datasetsIn: weights.name, problems: problems.map((p) => `${weights.name}: ${p}`) };
      } finally {
        await zip.close();
      }
    }
    const { datasets, problems } = await hdf5Datasets(source);
    if (problems.length === 1 && problems[0] === 'no HDF5 superblock') return { container: 'other', members: [], datasets: [], problems: [] };
    return { container: 'hdf5', members: [], datasets, problems };
  } catch (e) {
    return { container: 'other', members: [], datasets: [], problems: [`the weight records could not be read: ${e instanceof Error ? e.message : String(e)}`] };
  }
}
