/**
 * The file hash of the page (src/worker/file-hash.ts) against node:crypto: whole-file WebCrypto, the two-thread
 * path (slices transferred to the hash helper over a real MessageChannel, helper code from hash-worker.ts) and
 * the one-thread fallback, at slice boundaries; progress ends at the size; a cancelled hash rejects.
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashBlob } from '../../../src/worker/file-hash';
import { serveHash } from '../../../src/worker/hash-worker';

const SLICE = 1024;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function helper(): MessagePort {
  const channel = new MessageChannel();
  void serveHash(channel.port2);
  return channel.port1;
}

describe('hashBlob equals node:crypto', () => {
  for (const size of [0, 1, SLICE - 1, SLICE, SLICE + 1, 5 * SLICE + 3, 40 * SLICE]) {
    it(`${size} bytes`, async () => {
      const bytes = new Uint8Array(randomBytes(size));
      const blob = new Blob([bytes]);
      const expected = sha256(bytes);
      expect(await hashBlob(blob)).toBe(expected);
      const progress: number[] = [];
      const viaHelper = await hashBlob(blob, { helper: helper(), wholeMaxBytes: -1, sliceBytes: SLICE, onProgress: (done) => progress.push(done) });
      expect(viaHelper).toBe(expected);
      expect(progress.at(-1) ?? 0).toBe(size);
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
      expect(await hashBlob(blob, { wholeMaxBytes: -1, sliceBytes: SLICE })).toBe(expected);
    });
  }

  it('a cancelled hash with the helper rejects', async () => {
    const controller = new AbortController();
    const blob = new Blob([new Uint8Array(randomBytes(200 * SLICE))]);
    const hashing = hashBlob(blob, { helper: helper(), wholeMaxBytes: -1, sliceBytes: SLICE, signal: controller.signal, onProgress: () => controller.abort() });
    await expect(hashing).rejects.toThrow(/cancelled/);
  });
});
