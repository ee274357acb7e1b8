/**
 * The scan worker inlined into the page bundle (a blob: URL), for the single-file build opened from file://,
 * where a worker script cannot be loaded from a file URL. A single-file Vite config swaps this module in for
 * `./create-worker` (resolve.alias); the normal build keeps the worker as a separate, cacheable file.
 */
import ScanWorker from './worker?worker&inline';
import HashWorker from './hash-worker?worker&inline';

export function createScanWorker(): Worker {
  return new ScanWorker({ name: 'lambdalens-scan' });
}

export function createHashWorker(): Worker {
  return new HashWorker({ name: 'lambdalens-hash' });
}
