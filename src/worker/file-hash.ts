/**
 * The dropped file's SHA-256, after the verdict, in the worker, with progress:
 *  - up to 256 MiB: read whole and hashed by WebCrypto (native, SHA instructions: ~1.5 GB/s here);
 *  - above: hash-wasm's WebAssembly SHA-256 over 16 MiB slices, the next slice read while the current one is
 *    hashed, so memory stays at two slices whatever the size (WebCrypto has no incremental digest).
 * Measured on this 2-core machine (scripts/bench/browser.mjs): see README "Performance". The portable TypeScript
 * hasher (core/io/sha256.ts) stays for the core's small in-memory hashes (payloads).
 */
/// <reference lib="webworker" />
import { createSHA256 } from 'hash-wasm';

const WHOLE_MAX_BYTES = 256 * 1024 * 1024;
const SLICE = 16 * 1024 * 1024;

const hex = (buffer: ArrayBuffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');

export async function hashBlob(blob: Blob, onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<string> {
  if (blob.size <= WHOLE_MAX_BYTES && typeof crypto !== 'undefined' && crypto.subtle) {
    return hex(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
  }
  const hash = await createSHA256();
  hash.init();
  const read = (offset: number) => blob.slice(offset, Math.min(blob.size, offset + SLICE)).arrayBuffer();
  let pending: Promise<ArrayBuffer> | null = blob.size > 0 ? read(0) : null;
  for (let offset = 0; pending; offset += SLICE) {
    if (signal?.aborted) throw new Error('hashing cancelled');
    const current = await pending;
    pending = offset + SLICE < blob.size ? read(offset + SLICE) : null;
    hash.update(new Uint8Array(current));
    onProgress?.(Math.min(blob.size, offset + SLICE), blob.size);
  }
  return hash.digest('hex');
}
