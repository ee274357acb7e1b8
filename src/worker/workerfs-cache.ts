/**
 * A block cache under Emscripten's WORKERFS. WORKERFS serves every HDF5 read with its own synchronous
 * FileReaderSync call; the HDF5 library makes thousands of tiny reads while walking a model's groups and
 * attributes, and each call costs far more than the bytes it returns (a 1.4 MB, 308-layer file took ~2.6 s).
 * Reads are served from aligned 256 KiB blocks instead, still lazily: only blocks that are touched are read,
 * and at most 64 MiB stay cached, so a multi-GB file is never read whole.
 */

export const BLOCK_SIZE = 256 * 1024;
const MAX_CACHED_BYTES = 64 * 1024 * 1024;
/** Reads spanning more blocks than this (large datasets) go straight to the Blob, uncached. */
const MAX_CACHED_SPAN = 4;

interface WorkerFsNode {
  size: number;
  contents: Blob;
}
interface WorkerFsStream {
  node: WorkerFsNode;
}
type ReadFn = (stream: WorkerFsStream, buffer: Uint8Array, offset: number, length: number, position: number) => number;

/** Blocks in least-recently-used order (Map keeps insertion order; a hit re-inserts). */
const blocks = new Map<string, Uint8Array>();
const blobIds = new WeakMap<Blob, number>();
let nextBlobId = 1;
let cachedBytes = 0;
let reader: FileReaderSync | null = null;

function blobId(blob: Blob): number {
  let id = blobIds.get(blob);
  if (id === undefined) {
    id = nextBlobId++;
    blobIds.set(blob, id);
  }
  return id;
}

function readSync(blob: Blob, start: number, end: number): Uint8Array {
  reader ??= new FileReaderSync();
  return new Uint8Array(reader.readAsArrayBuffer(blob.slice(start, end)));
}

function getBlock(blob: Blob, index: number): Uint8Array {
  const key = `${blobId(blob)}:${index}`;
  const hit = blocks.get(key);
  if (hit) {
    blocks.delete(key);
    blocks.set(key, hit);
    return hit;
  }
  const start = index * BLOCK_SIZE;
  const block = readSync(blob, start, Math.min(blob.size, start + BLOCK_SIZE));
  blocks.set(key, block);
  cachedBytes += block.length;
  for (const [oldKey, old] of blocks) {
    if (cachedBytes <= MAX_CACHED_BYTES) break;
    blocks.delete(oldKey);
    cachedBytes -= old.length;
  }
  return block;
}

export const cachedRead: ReadFn = (stream, buffer, offset, length, position) => {
  const blob = stream.node.contents;
  const size = stream.node.size;
  if (position >= size || length <= 0) return 0;
  const end = Math.min(size, position + length);
  const first = Math.floor(position / BLOCK_SIZE);
  const last = Math.floor((end - 1) / BLOCK_SIZE);
  if (last - first + 1 > MAX_CACHED_SPAN) {
    const bytes = readSync(blob, position, end);
    buffer.set(bytes, offset);
    return bytes.length;
  }
  let written = 0;
  for (let index = first; index <= last; index++) {
    const block = getBlock(blob, index);
    const blockStart = index * BLOCK_SIZE;
    const from = Math.max(position, blockStart) - blockStart;
    const to = Math.min(end, blockStart + block.length) - blockStart;
    buffer.set(block.subarray(from, to), offset + written);
    written += to - from;
  }
  return written;
};

/** Drops the cached blocks of one Blob (called when its mount is released). */
export function forgetBlob(blob: Blob): void {
  const id = blobIds.get(blob);
  if (id === undefined) return;
  const prefix = `${id}:`;
  for (const [key, block] of blocks) {
    if (key.startsWith(prefix)) {
      blocks.delete(key);
      cachedBytes -= block.length;
    }
  }
  blobIds.delete(blob);
}

/** Installs the cached read on WORKERFS (its stream_ops object is shared by every WORKERFS node). */
export function installWorkerFsCache(workerfs: unknown): void {
  const fs = workerfs as { stream_ops: { read: ReadFn; __lambdalensCached?: boolean } };
  if (fs.stream_ops.__lambdalensCached) return;
  fs.stream_ops.read = cachedRead;
  fs.stream_ops.__lambdalensCached = true;
}
