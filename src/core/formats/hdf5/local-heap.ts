/**
 * Local heaps (File Format Specification §III.D): the names of an old-style group's links (and the values of its
 * soft links), and the file names of a dataset's External Data Files message, as null-terminated strings at
 * offsets into one data segment.
 */
import type { ByteSource } from '../../io/byte-source';
import { Hdf5TooLarge, Hdf5Unparsed, Hdf5Unsupported, hasBytes, uint } from './raw';
import { absolute, type Superblock } from './superblock';

export interface LocalHeap {
  /** File offset of the heap header. */
  at: number;
  /** The data segment. */
  data: Uint8Array;
}

/** The library reads a local heap's data segment whole; so do we, up to this size. */
const MAX_DATA_BYTES = 16 * 1024 * 1024;

export async function readLocalHeap(source: ByteSource, sb: Superblock, at: number): Promise<LocalHeap> {
  const headerSize = 8 + 2 * sb.lengthSize + sb.offsetSize;
  const header = await source.read(at, headerSize);
  if (header.length < headerSize || !hasBytes(header, 0, 'HEAP')) throw new Hdf5Unparsed(`no local heap at ${at}`);
  if (uint(header, 4, 1) !== 0) throw new Hdf5Unsupported(`local heap at ${at}: version ${header[4]}`);
  // signature, version, reserved (3), data segment size, offset of the free list head, data segment address
  const size = uint(header, 8, sb.lengthSize);
  const dataAt = absolute(sb.base, uint(header, 8 + 2 * sb.lengthSize, sb.offsetSize), sb.offsetSize);
  if (size > MAX_DATA_BYTES) throw new Hdf5TooLarge(`local heap at ${at} declares ${size} bytes`);
  if (dataAt + size > source.size) throw new Hdf5Unparsed(`local heap at ${at}: its ${size}-byte data segment runs past the end of the file`);
  const data = await source.read(dataAt, size);
  if (data.length < size) throw new Hdf5Unparsed(`local heap at ${at}: its data segment runs past the end of the file`);
  return { at, data };
}

/** The null-terminated string at `offset` of the heap's data segment. */
export function heapString(heap: LocalHeap, offset: number): string {
  if (!Number.isSafeInteger(offset) || offset >= heap.data.length) {
    throw new Hdf5Unparsed(`offset ${offset} is past the ${heap.data.length}-byte local heap at ${heap.at}`);
  }
  const end = heap.data.indexOf(0, offset);
  if (end < 0) throw new Hdf5Unparsed(`string at offset ${offset} of the local heap at ${heap.at} has no terminator`);
  return new TextDecoder('utf-8', { fatal: false }).decode(heap.data.subarray(offset, end));
}
