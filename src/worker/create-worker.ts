/**
 * Creates the scan worker. `?worker` lets Vite pick the worker type: a module worker in dev, and in the build
 * the `worker.format` of vite.config.ts (IIFE → a classic worker, which a file:// single-file build needs).
 */
import ScanWorker from './worker?worker';
import HashWorker from './hash-worker?worker';

export function createScanWorker(): Worker {
  return new ScanWorker({ name: 'lambdalens-scan' });
}

/** The hash helper for big files (hash-worker.ts). */
export function createHashWorker(): Worker {
  return new HashWorker({ name: 'lambdalens-hash' });
}
