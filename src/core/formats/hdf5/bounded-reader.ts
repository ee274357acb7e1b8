/**
 * Reads for one dense-storage walk (v2 B-tree nodes, fractal heap blocks) under one byte budget: a block must
 * lie inside the file, no single block may exceed MAX_BLOCK_BYTES, and a short read is a structure running off
 * the file. Used by dense attribute storage and dense link storage alike.
 */
import type { ByteSource } from '../../io/byte-source';
import { Hdf5TooLarge, Hdf5Unparsed } from './raw';

/** All bytes read from the file (B-tree nodes, heap blocks) plus all bytes returned, per walk. */
const MAX_TOTAL_BYTES = 64 * 1024 * 1024;
/** One metadata block read at once (B-tree node, indirect block, direct block). */
export const MAX_BLOCK_BYTES = 16 * 1024 * 1024;

export class BoundedReader {
  private total = 0;
  constructor(
    private readonly source: ByteSource,
    /** What the budget is for, in messages ("dense attribute storage"). */
    private readonly what: string,
  ) {}

  charge(length: number): void {
    if ((this.total += length) > MAX_TOTAL_BYTES) throw new Hdf5TooLarge(`${this.what} needs more than ${MAX_TOTAL_BYTES} bytes`);
  }

  async read(offset: number, length: number, what: string): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset >= this.source.size) throw new Hdf5Unparsed(`${what} at ${offset} is outside the file`);
    if (length > MAX_BLOCK_BYTES) throw new Hdf5TooLarge(`${what} at ${offset} declares ${length} bytes`);
    if (offset + length > this.source.size) throw new Hdf5Unparsed(`${what} at ${offset} runs past the end of the file`);
    this.charge(length);
    const bytes = await this.source.read(offset, length);
    if (bytes.length < length) throw new Hdf5Unparsed(`${what} at ${offset} runs past the end of the file`);
    return bytes;
  }
}
