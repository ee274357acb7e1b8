import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemorySource } from '../../src/core/io/byte-source';
import { Sha256, sha256Hex, sha256Source } from '../../src/core/io/sha256';

describe('sha256', () => {
  it('matches node:crypto on edge lengths', () => {
    for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000]) {
      const data = randomBytes(n);
      expect(sha256Hex(data)).toBe(createHash('sha256').update(data).digest('hex'));
    }
  });
  it('is the same fed in uneven chunks', () => {
    const data = randomBytes(10_000);
    const h = new Sha256();
    for (let i = 0; i < data.length; i += 37) h.update(data.subarray(i, i + 37));
    expect(h.digestHex()).toBe(createHash('sha256').update(data).digest('hex'));
  });
  it('streams a source larger than one chunk', async () => {
    const data = randomBytes(9 * 1024 * 1024 + 17);
    const seen: number[] = [];
    const hex = await sha256Source(new MemorySource(data), (done) => seen.push(done));
    expect(hex).toBe(createHash('sha256').update(data).digest('hex'));
    expect(seen.length).toBe(3);
  });
});
