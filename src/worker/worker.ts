/**
 * The scan worker: parses files off the main thread. Built as a classic (IIFE) worker so the app also runs
 * from a file:// single-file build. Nothing from a file is ever executed here either.
 */
/// <reference lib="webworker" />
import { scanFolder, scanSource } from '../core/scan';
import { sha256Source } from '../core/io/sha256';
import { layoutReport } from '../core/graph/layout';
import type { ByteSource } from '../core/io/byte-source';
import type { FileReport } from '../core/report';
import type { ScanDocument, ScanProgress } from '../core/scan-types';
import { BlobSource } from './blob-source';
import { mountHdf5InWorker } from './hdf5-mount';
import type { PageToWorker, ScanItem, WorkerToPage } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

const controllers = new Map<number, AbortController>();
let current: number | null = null;

function post(message: WorkerToPage): void {
  self.postMessage(message);
}

async function runScan(id: number, files: ScanItem[], folder: string | undefined): Promise<void> {
  const controller = new AbortController();
  controllers.set(id, controller);
  current = id;
  try {
    await scanAndHash(id, files, folder, controller);
  } finally {
    controllers.delete(id);
  }
}

async function scanAndHash(
  id: number,
  files: ScanItem[],
  folder: string | undefined,
  controller: AbortController,
): Promise<void> {
  const options = {
    mountHdf5: mountHdf5InWorker,
    signal: controller.signal,
    onProgress: (progress: ScanProgress) => post({ type: 'progress', id, progress }),
    onDocuments: (documents: ScanDocument[]) => post({ type: 'documents', id, documents }),
  };
  let source: ByteSource | null = null;
  let report: FileReport;
  if (folder !== undefined) {
    const map = new Map<string, ByteSource>();
    for (const item of files) map.set(item.name, new BlobSource(item.file, item.name));
    report = await scanFolder(map, folder, options);
  } else {
    const item = files[0];
    source = new BlobSource(item.file, item.name);
    report = await scanSource(source, { ...options, path: item.name });
  }
  // After a trap, h5wasm's module may be unusable (Emscripten abort, memory exhausted): start a fresh worker.
  const restart = report.error?.code === 'wasm-trap';
  post({ type: 'report', id, report, restart });
  current = null;
  if (restart) return;
  if (report.layers.length > 0) {
    try {
      post({ type: 'layout', id, layout: layoutReport(report) });
    } catch {
      // The page lays the graph out itself.
    }
  }
  // The hash comes after the verdict, streamed, and stops when the scan is cancelled.
  if (source && !controller.signal.aborted) {
    try {
      const sha256 = await sha256Source(source, undefined, controller.signal);
      post({ type: 'hash', id, sha256 });
    } catch {
      // Cancelled or unreadable: the report keeps sha256 = null.
    }
  }
}

self.onmessage = (event: MessageEvent<PageToWorker>) => {
  const message = event.data;
  if (message.type === 'scan') {
    runScan(message.id, message.files, message.folder).catch((error: unknown) => {
      post({ type: 'fatal', id: message.id, message: describe(error) });
    });
  } else if (message.type === 'cancel') {
    controllers.get(message.id)?.abort();
  }
};

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

self.addEventListener('unhandledrejection', (event) => {
  post({ type: 'fatal', id: current, message: describe(event.reason) });
});
