/**
 * The block cache under the HDF5 tree walk: whatever the order and size of reads, each returns exactly the bytes
 * of the underlying source; reads and bytes are counted; the budget ends in Hdf5BudgetExceeded; readahead grows
 * along a stream of nearby reads and stays one block for scattered ones.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BlockCache, Hdf5BudgetExceeded } from '../../../src/core/formats/hdf5/block-cache';
import { MemorySource } from '../../../src/core/io/byte-source';

const bytes = new Uint8Array(300_000).map((_, i) => (i * 7 + (i >> 8)) & 0xff);
const options = { blockSize: 4096, maxBlocks: 16, maxReadahead: 8, maxBytes: 64 * 1024 * 1024 };

describe('BlockCache', () => {
  it('returns the source bytes for any sequence of reads (small cache, readahead, past the end)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: -10, max: 310_000 }), fc.integer({ min: 0, max: 70_000 })), { maxLength: 60 }), async (reads) => {
        const source = new MemorySource(bytes);
        const cache = new BlockCache(source, options);
        for (const [offset, length] of reads) {
          const got = await cache.read(offset, length);
          const want = await source.read(Math.max(0, offset), length);
          expect(Buffer.from(got).equals(Buffer.from(want)), `read(${offset}, ${length})`).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('counts what reached the source; a stream of nearby reads reads ahead, scattered reads do not', async () => {
    const source = new MemorySource(bytes);
    const sequential = new BlockCache(source, options);
    for (let at = 0; at < 200_000; at += 1000) await sequential.read(at, 100);
    // 49 blocks in reads of 1, 2, 4, 8, 8, … blocks
    expect(sequential.reads).toBeLessThan(10);
    const scattered = new BlockCache(source, options);
    for (let at = 0; at < 300_000; at += 100_000) await scattered.read(at + 5000, 100); // 24 blocks apart
    expect(scattered.reads).toBe(3);
    expect(scattered.bytesRead).toBe(3 * 4096);
  });

  it('readahead stops at the budget; a read past it throws Hdf5BudgetExceeded, and nothing is read for it', async () => {
    const cache = new BlockCache(new MemorySource(bytes), { ...options, maxBytes: 10_000 });
    await cache.read(0, 10);
    await cache.read(4096, 10); // would read 2 blocks ahead; 1 fits
    expect(cache.bytesRead).toBe(8192);
    await expect(cache.read(200_000, 10)).rejects.toBeInstanceOf(Hdf5BudgetExceeded);
    expect(cache.bytesRead).toBe(8192);
  });
});
