/**
 * The dropped file's SHA-256, after the verdict, in the worker, with progress:
 *  - up to 256 MiB: read whole and hashed by WebCrypto (native, SHA instructions: ~1.5 GB/s here);
 *  - above, with a hash helper (the page's build): this worker reads 16 MiB slices and transfers them to the
 *    helper, which hashes them on its own thread, at most four slices in flight (memory bounded whatever the size);
 *  - above, without one: hash-wasm here, reading and hashing taking turns on this thread.
 * WebCrypto has no incremental digest. Measured on this 2-core machine: README "Performance". The portable
 * TypeScript hasher (core/io/sha256.ts) stays for the core's small in-memory hashes (payloads).
 */
/// <reference lib="webworker" />
import { createSHA256 } from 'hash-wasm';
import { HASH_HELPER_MIN_BYTES, type FromHasher, type ToHasher } from './hash-protocol';

const SLICE = 16 * 1024 * 1024;
/** Slices read ahead of the helper: enough to keep it busy, few enough to keep memory flat. */
const IN_FLIGHT = 4;

const hex = (buffer: ArrayBuffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');

export interface HashOptions {
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** A port to the hash helper (hash-worker.ts); without it, this thread hashes. */
  helper?: MessagePort;
  /** For tests: the sizes that pick the path and the slice. */
  wholeMaxBytes?: number;
  sliceBytes?: number;
}

export async function hashBlob(blob: Blob, options: HashOptions = {}): Promise<string> {
  const { wholeMaxBytes = HASH_HELPER_MIN_BYTES, sliceBytes = SLICE } = options;
  if (blob.size <= wholeMaxBytes && typeof crypto !== 'undefined' && crypto.subtle) {
    return hex(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
  }
  return options.helper ? hashWithHelper(blob, options.helper, sliceBytes, options) : hashHere(blob, sliceBytes, options);
}

function hashWithHelper(blob: Blob, port: MessagePort, slice: number, { onProgress, signal }: HashOptions): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let sent = 0;
    let hashed = 0;
    let reading = false;
    let ended = false;
    let finished = false;
    /** Sizes of the slices the helper has not acknowledged yet, in order. */
    const unacknowledged: number[] = [];
    const fail = (e: unknown) => {
      if (finished) return;
      finished = true;
      port.close();
      reject(e instanceof Error ? e : new Error(String(e)));
    };
    const send = (message: ToHasher, transfer: Transferable[] = []) => port.postMessage(message, transfer);
    // Reads the next slices while fewer than IN_FLIGHT are unhashed; one read at a time keeps them in order.
    const pump = async () => {
      if (reading || finished) return;
      reading = true;
      try {
        while (!finished && sent < blob.size && sent - hashed < IN_FLIGHT * slice) {
          if (signal?.aborted) throw new Error('hashing cancelled');
          const buffer = await blob.slice(sent, Math.min(blob.size, sent + slice)).arrayBuffer();
          sent += buffer.byteLength;
          unacknowledged.push(buffer.byteLength);
          send(buffer, [buffer]);
        }
        if (!finished && !ended && sent >= blob.size) {
          ended = true;
          send(null);
        }
      } catch (e) {
        fail(e);
      } finally {
        reading = false;
      }
    };
    port.onmessage = (event: MessageEvent<FromHasher>) => {
      const message = event.data;
      if (message.type === 'failed') fail(new Error(`the hash helper failed: ${message.message}`));
      else if (message.type === 'digest') {
        finished = true;
        port.close();
        resolve(message.sha256);
      } else {
        hashed += unacknowledged.shift() ?? 0;
        onProgress?.(hashed, blob.size);
        void pump();
      }
    };
    signal?.addEventListener('abort', () => fail(new Error('hashing cancelled')), { once: true });
    void pump();
  });
}

async function hashHere(blob: Blob, slice: number, { onProgress, signal }: HashOptions): Promise<string> {
  const hash = await createSHA256();
  hash.init();
  const read = (offset: number) => blob.slice(offset, Math.min(blob.size, offset + slice)).arrayBuffer();
  let pending: Promise<ArrayBuffer> | null = blob.size > 0 ? read(0) : null;
  for (let offset = 0; pending; offset += slice) {
    if (signal?.aborted) throw new Error('hashing cancelled');
    const current = await pending;
    pending = offset + slice < blob.size ? read(offset + slice) : null;
    hash.update(new Uint8Array(current));
    onProgress?.(Math.min(blob.size, offset + slice), blob.size);
  }
  return hash.digest('hex');
}
