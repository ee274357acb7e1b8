/**
 * The hash helper: SHA-256 (hash-wasm's WebAssembly) of slices the scan worker reads and transfers here, on a
 * thread of its own. Created by the page only for files above HASH_HELPER_MIN_BYTES; terminated when done.
 */
/// <reference lib="webworker" />
import { createSHA256 } from 'hash-wasm';
import type { FromHasher, ToHasher } from './hash-protocol';

declare const self: DedicatedWorkerGlobalScope;

/** Serves one hash on `port` (exported for the unit test, which runs it on a plain MessageChannel). */
export async function serveHash(port: MessagePort): Promise<void> {
  const send = (message: FromHasher) => port.postMessage(message);
  let hash: Awaited<ReturnType<typeof createSHA256>>;
  try {
    hash = await createSHA256();
  } catch (e) {
    send({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
    return;
  }
  hash.init();
  port.onmessage = (event: MessageEvent<ToHasher>) => {
    if (event.data === null) {
      send({ type: 'digest', sha256: hash.digest('hex') });
      port.close();
      return;
    }
    hash.update(new Uint8Array(event.data));
    send({ type: 'hashed' });
  };
}

if (typeof DedicatedWorkerGlobalScope !== 'undefined' && self instanceof DedicatedWorkerGlobalScope) {
  self.onmessage = (event: MessageEvent<MessagePort>) => void serveHash(event.data);
}
