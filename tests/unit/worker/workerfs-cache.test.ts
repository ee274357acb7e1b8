// The WORKERFS block cache returns exactly the bytes a direct read would, and reads only touched blocks.
import { describe, expect, it } from 'vitest';
import { BLOCK_SIZE, cachedRead, forgetBlob } from '../../../src/worker/workerfs-cache';

/** A stand-in Blob over bytes: slice() is lazy; FileReaderSync below counts the bytes it reads. */
class FakeBlob {
  constructor(
    readonly bytes: Uint8Array,
    readonly start = 0,
    readonly end = bytes.length,
  ) {}
  get size(): number {
    return this.end - this.start;
  }
  slice(a: number, b: number): FakeBlob {
    return new FakeBlob(this.bytes, this.start + a, this.start + Math.min(b, this.size));
  }
}
let bytesRead = 0;
(globalThis as { FileReaderSync?: unknown }).FileReaderSync = class {
  readAsArrayBuffer(blob: FakeBlob): ArrayBuffer {
    bytesRead += blob.size;
    return blob.bytes.slice(blob.start, blob.end).buffer;
  }
};

function file(size: number, seed: number): FakeBlob {
  const bytes = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return new FakeBlob(bytes);
}

function read(blob: FakeBlob, position: number, length: number): Uint8Array {
  const buffer = new Uint8Array(length + 8);
  const n = cachedRead({ node: { size: blob.size, contents: blob as unknown as Blob } }, buffer, 4, length, position);
  return buffer.subarray(4, 4 + n);
}

describe('WORKERFS block cache', () => {
  it('returns the same bytes as the file for random reads, across block edges and at the end', () => {
    const blob = file(3 * BLOCK_SIZE + 1234, 7);
    let x = 99;
    const rand = (n: number) => {
      x = (x * 1103515245 + 12345) >>> 0;
      return x % n;
    };
    const cases: [number, number][] = [
      [0, 8],
      [BLOCK_SIZE - 3, 10],
      [3 * BLOCK_SIZE + 1200, 100],
      [blob.size, 10],
      [0, blob.size],
    ];
    for (let i = 0; i < 300; i++) cases.push([rand(blob.size), 1 + rand(i % 10 === 0 ? 2 * BLOCK_SIZE : 600)]);
    for (const [position, length] of cases) {
      const expected = blob.bytes.subarray(position, Math.min(blob.size, position + length));
      const got = read(blob, position, length);
      expect(got.length).toBe(expected.length);
      expect(Buffer.compare(Buffer.from(got), Buffer.from(expected)), `read(${position}, ${length})`).toBe(0);
    }
    forgetBlob(blob as unknown as Blob);
  });

  it('reads each touched block once for many small reads, and never the untouched rest', () => {
    const blob = file(40 * BLOCK_SIZE, 3);
    bytesRead = 0;
    for (let i = 0; i < 1000; i++) read(blob, (i * 97) % 4096, 16);
    for (let i = 0; i < 1000; i++) read(blob, 20 * BLOCK_SIZE + ((i * 13) % 1000), 8);
    expect(bytesRead).toBe(2 * BLOCK_SIZE);
    forgetBlob(blob as unknown as Blob);
    bytesRead = 0;
    read(blob, 0, 16);
    expect(bytesRead).toBe(BLOCK_SIZE);
  });
});
