/**
 * Global heap collections (§III.E): where variable-length strings such as `model_config` are stored.
 *
 * Why we read them ourselves: the HDF5 library in h5wasm walks a collection's objects by their declared sizes,
 * and a free-space object of size 0 (or one whose size, cut to the 32-bit `size_t` of WebAssembly, is 0)
 * makes that walk stand still forever; an object larger than the value that refers to it is copied past the
 * end of its buffer. Fuzzing found both (tests/fixtures/regressions). The walk below mirrors the library's,
 * with the checks it lacks.
 */
import type { ByteSource } from '../../io/byte-source';
import { Hdf5Damage, Hdf5TooLarge, align8, hasBytes, uint } from './raw';
import type { Superblock } from './superblock';

export interface HeapObject {
  /** Declared size in bytes. */
  size: number;
  /** File offset of the object's data. */
  at: number;
}

export interface Collection {
  offset: number;
  /** Object index → where its data is and its declared size. */
  objects: Map<number, HeapObject>;
}

/** Collections larger than this are not walked here (the library reads them whole as well). */
const MAX_COLLECTION_BYTES = 256 * 1024 * 1024;

/** Null when there is no collection at `offset`: the library refuses to read such a value as well. */
export async function readCollection(source: ByteSource, sb: Superblock, offset: number): Promise<Collection | null> {
  const headerSize = 8 + sb.lengthSize;
  const header = await source.read(offset, headerSize);
  if (header.length < headerSize || !hasBytes(header, 0, 'GCOL') || uint(header, 4, 1) !== 1) return null;
  const size = uint(header, 8, sb.lengthSize);
  // The library reads up to the end-of-file address in the superblock and sees zeros past the real end of
  // the file; only the part inside the file is read here and the rest taken as zeros, as it would be.
  const inFile = Math.max(0, Math.min(size, source.size - offset));
  if (inFile > MAX_COLLECTION_BYTES) throw new Hdf5TooLarge(`global heap collection of ${size} bytes`);
  const bytes = await source.read(offset, inFile);
  const at = (i: number, width: number) => (i + width <= bytes.length ? uint(bytes, i, width) : 0);

  const objectHeader = 8 + sb.lengthSize;
  const objects = new Map<number, HeapObject>();
  let p = headerSize;
  while (p < size) {
    if (p + objectHeader > size) break; // too small for an object: trailing free space
    const index = at(p, 2);
    const declared = at(p + 8, sb.lengthSize);
    // object 0 is the free space and its size covers its own header; others are header + data padded to 8
    const need = index === 0 ? declared : objectHeader + align8(declared);
    if (need === 0 || declared >= 2 ** 32) {
      throw new Hdf5Damage(
        `damaged HDF5 global heap: object ${index} at byte ${offset + p} declares ${declared} bytes, ` +
          'on which the HDF5 library loops forever; the file was not opened',
        offset + p,
      );
    }
    if (p + need > size) {
      throw new Hdf5Damage(
        `damaged HDF5 global heap: object ${index} at byte ${offset + p} declares ${declared} bytes, ` +
          `past the end of its ${size}-byte collection; the file was not opened`,
        offset + p,
      );
    }
    if (index > 0) objects.set(index, { size: declared, at: offset + p + objectHeader });
    p += need;
  }
  return { offset, objects };
}
