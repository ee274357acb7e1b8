/** Fixed-size block caches (the HDF5 block cache, the HTTP range source) share this: bytes [start, end) cut from blocks first…last. */
export function sliceBlocks(blocks: readonly Uint8Array[], first: number, last: number, start: number, end: number, blockSize: number): Uint8Array {
  if (first === last) return blocks[0].subarray(start - first * blockSize, end - first * blockSize);
  const out = new Uint8Array(end - start);
  for (let b = first; b <= last; b++) {
    const from = Math.max(start, b * blockSize);
    const to = Math.min(end, (b + 1) * blockSize);
    out.set(blocks[b - first].subarray(from - b * blockSize, to - b * blockSize), from - start);
  }
  return out;
}
