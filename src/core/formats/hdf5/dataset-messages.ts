/**
 * The messages of a dataset's object header that say where its values come from (File Format Specification
 * §IV.A.2.i "Data Layout", §IV.A.2.g "External Data Files", §III.F "Global Heap Block for Virtual Datasets"):
 * the layout class, the external files a contiguous dataset is stored in, and the source files and datasets a
 * virtual dataset maps. Reading a dataset's values reads those files: they are what this module reports.
 * Dataspace and datatype are in dataspace.ts and datatype.ts (attributes carry them too).
 */
import { Hdf5Unparsed, Hdf5Unsupported, isUndefinedAddress, uint } from './raw';
import { absolute, type Superblock } from './superblock';

export type LayoutClass = 'compact' | 'contiguous' | 'chunked' | 'virtual';

export interface Layout {
  class: LayoutClass;
  /** Virtual layout: the global heap object holding the mapping (collection file offset, object index); null when none is stored. */
  mapping?: { collection: number; index: number } | null;
}

const LAYOUT_CLASSES: readonly LayoutClass[] = ['compact', 'contiguous', 'chunked', 'virtual'];

export function parseLayout(data: Uint8Array, sb: Superblock): Layout {
  const version = uint(data, 0, 1);
  if (version === 1 || version === 2) {
    // version, dimensionality, class, reserved (5), …; no virtual layout before version 4
    const cls = uint(data, 2, 1);
    if (cls > 2) throw new Hdf5Unparsed(`data layout class ${cls} in a version ${version} layout message`);
    return { class: LAYOUT_CLASSES[cls] };
  }
  if (version !== 3 && version !== 4) throw new Hdf5Unsupported(`data layout message version ${version}`);
  const cls = uint(data, 1, 1);
  if (cls > 3 || (cls === 3 && version === 3)) throw new Hdf5Unparsed(`data layout class ${cls} in a version ${version} layout message`);
  if (cls !== 3) return { class: LAYOUT_CLASSES[cls] };
  const collection = uint(data, 2, sb.offsetSize);
  const index = uint(data, 2 + sb.offsetSize, 4);
  return { class: 'virtual', mapping: isUndefinedAddress(collection, sb.offsetSize) ? null : { collection: absolute(sb.base, collection, sb.offsetSize), index } };
}

export interface ExternalFileList {
  /** File offset of the local heap holding the file names. */
  heap: number;
  slots: { nameOffset: number; offset: number; size: number | null }[];
}

export function parseExternalFileList(data: Uint8Array, sb: Superblock): ExternalFileList {
  const L = sb.lengthSize;
  const version = uint(data, 0, 1);
  if (version !== 1) throw new Hdf5Unsupported(`external data files message version ${version}`);
  // version, reserved (3), allocated slots (2), used slots (2), heap address; then per slot: name offset, offset, size
  const allocated = uint(data, 4, 2);
  const used = uint(data, 6, 2);
  if (used > allocated) throw new Hdf5Unparsed(`external data files message uses ${used} of ${allocated} slots`);
  const heap = absolute(sb.base, uint(data, 8, sb.offsetSize), sb.offsetSize);
  const slots: ExternalFileList['slots'] = [];
  for (let s = 0, p = 8 + sb.offsetSize; s < used; s++, p += 3 * L) {
    const size = uint(data, p + 2 * L, L);
    // all 64 bits set (H5F_UNLIMITED): the slot runs to the end of the external file; with 4-byte lengths the
    // library reads 0xffffffff back as that many bytes, not as unlimited
    slots.push({ nameOffset: uint(data, p, L), offset: uint(data, p + L, L), size: L === 8 && isUndefinedAddress(size, L) ? null : size });
  }
  return { heap, slots };
}

export interface VirtualSource {
  /** "." when the source is in the same file. */
  file: string;
  dataset: string;
}

const VDS_FLAG = { fileShared: 0x01, datasetShared: 0x02, sameFile: 0x04 } as const;
const utf8 = new TextDecoder('utf-8', { fatal: false });

/** The source file and dataset of every mapping in a virtual dataset's global heap object. */
export function parseVirtualMapping(b: Uint8Array, sb: Superblock): VirtualSource[] {
  const L = sb.lengthSize;
  const version = uint(b, 0, 1);
  if (version > 1) throw new Hdf5Unsupported(`virtual dataset mapping version ${version}`);
  const count = uint(b, 1, L);
  // every entry takes at least two selections of 16 bytes: a larger count is not what this object holds
  if (count * 32 > b.length) throw new Hdf5Unparsed(`virtual dataset mapping of ${count} entries in ${b.length} bytes`);
  let p = 1 + L;
  const string = (): string => {
    const end = b.indexOf(0, p);
    if (end < 0) throw new Hdf5Unparsed('virtual dataset source name without terminator');
    const s = utf8.decode(b.subarray(p, end));
    p = end + 1;
    return s;
  };
  const earlier = (i: number): VirtualSource => {
    const origin = uint(b, p, L);
    p += L;
    if (origin >= i) throw new Hdf5Unparsed(`virtual dataset mapping ${i} shares a name with mapping ${origin}`);
    return sources[origin];
  };
  const sources: VirtualSource[] = [];
  for (let i = 0; i < count; i++) {
    const flags = version >= 1 ? uint(b, p++, 1) : 0;
    const file = flags & VDS_FLAG.sameFile ? '.' : flags & VDS_FLAG.fileShared ? earlier(i).file : string();
    const dataset = flags & VDS_FLAG.datasetShared ? earlier(i).dataset : string();
    sources.push({ file, dataset });
    p = skipSelection(b, p); // in the source dataset
    p = skipSelection(b, p); // in the virtual dataset
  }
  return sources;
}

const SELECTION = { none: 0, points: 1, hyperslabs: 2, all: 3 } as const;
const HYPERSLAB_REGULAR = 0x01;
const MAX_RANK = 32;

/** Offset just past a serialized dataspace selection (H5S_SELECT_SERIALIZE formats). */
function skipSelection(b: Uint8Array, at: number): number {
  const type = uint(b, at, 4);
  const version = uint(b, at + 4, 4);
  const rankAt = (p: number): number => {
    const rank = uint(b, p, 4);
    if (rank > MAX_RANK) throw new Hdf5Unparsed(`selection of rank ${rank}`);
    return rank;
  };
  const width = (p: number): number => {
    const w = uint(b, p, 1);
    if (w !== 2 && w !== 4 && w !== 8) throw new Hdf5Unparsed(`selection coordinates of ${w} bytes`);
    return w;
  };
  let end: number;
  if (type === SELECTION.none || type === SELECTION.all) {
    if (version !== 1) throw new Hdf5Unsupported(`selection version ${version}`);
    end = at + 16; // type, version, reserved, length
  } else if (type === SELECTION.points) {
    if (version === 1) {
      // type, version, reserved, length, rank, count, then 4-byte coordinates
      const rank = rankAt(at + 16);
      end = at + 24 + uint(b, at + 20, 4) * rank * 4;
    } else if (version === 2) {
      // type, version, coordinate width, rank, count, coordinates
      const w = width(at + 8);
      const rank = rankAt(at + 9);
      end = at + 13 + w + uint(b, at + 13, w) * rank * w;
    } else throw new Hdf5Unsupported(`point selection version ${version}`);
  } else if (type === SELECTION.hyperslabs) {
    if (version === 1) {
      // type, version, reserved, length, rank, block count, then each block's start and end corners (4 bytes each)
      const rank = rankAt(at + 16);
      end = at + 24 + uint(b, at + 20, 4) * 2 * rank * 4;
    } else if (version === 2) {
      // type, version, flags, length, rank; regular only: start, stride, count, block per dimension (8 bytes each)
      if (!(uint(b, at + 8, 1) & HYPERSLAB_REGULAR)) throw new Hdf5Unsupported('irregular hyperslab selection version 2');
      end = at + 17 + 4 * rankAt(at + 13) * 8;
    } else if (version === 3) {
      // type, version, flags, coordinate width, rank; regular: 4 values per dimension; else a block count and the corners
      const regular = uint(b, at + 8, 1) & HYPERSLAB_REGULAR;
      const w = width(at + 9);
      const rank = rankAt(at + 10);
      end = regular ? at + 14 + 4 * rank * w : at + 14 + w + uint(b, at + 14, w) * 2 * rank * w;
    } else throw new Hdf5Unsupported(`hyperslab selection version ${version}`);
  } else throw new Hdf5Unparsed(`selection of type ${type}`);
  if (!(end <= b.length)) throw new Hdf5Unparsed('selection runs past the virtual dataset mapping');
  return end;
}
