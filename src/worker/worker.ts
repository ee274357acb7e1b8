/**
 * The scan worker: parses files off the main thread. Built as a classic (IIFE) worker so the app also runs
 * from a file:// single-file build. Nothing from a file is ever executed here either.
 */
/// <reference lib="webworker" />
import { scanFolder, scanSource } from '../core/scan';
import { hashBlob } from './file-hash';
import { layoutReport } from '../core/graph/layout';
import type { ByteSource } from '../core/io/byte-source';
import type { FileReport } from '../core/report';
import type { ScanDocument, ScanProgress } from '../core/scan-types';
import { BlobSource } from './blob-source';
import { scanUrl } from '../core/remote/scan-url';
import { MemorySource } from '../core/io/byte-source';
import { openZip } from '../core/formats/zip';
import { preflightRootAttributes } from '../core/formats/hdf5/preflight';
import { inspectHdf5Structure } from '../core/formats/hdf5/structure';
import { mountHdf5InWorker } from './hdf5-mount';
import { hdf5WasmTimings, startHdf5Compile } from './hdf5-wasm';
import type { GraphLayout } from '../core/graph/types';
import type { DiffInput, PageToWorker, ScanItem, WorkerToPage } from './protocol';
import { diffModels } from '../core/diff/diff';
import type { ModelDiff } from '../core/diff/types';
import type { DiffSide } from '../core/diff/side';
import { readWeightRecords } from '../core/diff/weights';

declare const self: DedicatedWorkerGlobalScope;

// The HDF5 WebAssembly is compiled in idle time (the warm-up below) or when a file needs it: our own parser reads
// the root attributes of ordinary .h5 files, so a drop right after start does not share the CPU with that compile.

const controllers = new Map<number, AbortController>();
let current: number | null = null;

/** Files up to this size are read whole before scanning (see scanAndHash). */
const READ_WHOLE_MAX_BYTES = 16 * 1024 * 1024;

/** The report's host timings (worker steps), created on first use. */
function hostTimings(report: FileReport): Record<string, number> {
  return (report.timings.host ??= {});
}

function post(message: WorkerToPage): void {
  self.postMessage(message);
}

async function runScan(id: number, files: ScanItem[], folder: string | undefined, hashPort: MessagePort | undefined): Promise<void> {
  const controller = new AbortController();
  controllers.set(id, controller);
  current = id;
  try {
    await scanAndHash(id, files, folder, controller, hashPort);
  } finally {
    controllers.delete(id);
  }
}

async function scanAndHash(
  id: number,
  files: ScanItem[],
  folder: string | undefined,
  controller: AbortController,
  hashPort: MessagePort | undefined,
): Promise<void> {
  const options = {
    mountHdf5: mountHdf5InWorker,
    signal: controller.signal,
    onProgress: (progress: ScanProgress) => post({ type: 'progress', id, progress }),
    onDocuments: (documents: ScanDocument[]) => post({ type: 'documents', id, documents }),
  };
  const tookAt = performance.now();
  let source: ByteSource | null = null;
  let report: FileReport;
  if (folder !== undefined) {
    const map = new Map<string, ByteSource>();
    for (const item of files) map.set(item.name, new BlobSource(item.file, item.name));
    report = await scanFolder(map, folder, options);
  } else {
    const item = files[0];
    // A small file is read once into memory: one Blob read instead of dozens (each costs 1–3 ms in a worker).
    // Big files stay lazy: only the bytes the readers ask for are ever read.
    source =
      item.file.size <= READ_WHOLE_MAX_BYTES
        ? new MemorySource(new Uint8Array(await item.file.arrayBuffer()), item.name)
        : new BlobSource(item.file, item.name);
    report = await scanSource(source, { ...options, path: item.name });
  }
  Object.assign(hostTimings(report), { workerAgeAtStartMs: Math.round(tookAt), ...hdf5WasmTimings(), ...(warmUpMs !== undefined ? { warmUpMs } : {}) });
  // After a trap, h5wasm's module may be unusable (Emscripten abort, memory exhausted): start a fresh worker.
  const restart = report.error?.code === 'wasm-trap';
  let layout: GraphLayout | undefined;
  if (!restart && report.layers.length > 0) {
    const t = performance.now();
    try {
      layout = layoutReport(report);
    } catch {
      // The page lays the graph out itself.
    }
    hostTimings(report).layoutMs = Math.round((performance.now() - t) * 10) / 10;
  }
  post({ type: 'report', id, report, restart, ...(layout ? { layout } : {}) });
  current = null;
  if (restart) return;
  // The hash comes after the verdict, streamed, and stops when the scan is cancelled.
  if (!source || controller.signal.aborted) {
    if (hashPort) post({ type: 'hash-failed', id });
  } else {
    try {
      const sha256 = await hashBlob(files[0].file, {
        onProgress: (done, total) => post({ type: 'hash-progress', id, done, total }),
        signal: controller.signal,
        ...(hashPort ? { helper: hashPort } : {}),
      });
      post({ type: 'hash', id, sha256 });
    } catch {
      // Cancelled or unreadable: the report keeps sha256 = null (and the page ends the hash helper).
      post({ type: 'hash-failed', id });
    }
  }
}

/** A hosted file: no HDF5 library (root attributes by our own parser), no hash (that would download the file). */
async function runUrlScan(id: number, url: string, name: string): Promise<void> {
  const controller = new AbortController();
  controllers.set(id, controller);
  current = id;
  try {
    const report = await scanUrl(url, {
      path: name,
      signal: controller.signal,
      onProgress: (progress: ScanProgress) => post({ type: 'progress', id, progress }),
      onDocuments: (documents: ScanDocument[]) => post({ type: 'documents', id, documents }),
    });
    let layout: GraphLayout | undefined;
    if (report.layers.length > 0) {
      try {
        layout = layoutReport(report);
      } catch {
        // The page lays the graph out itself.
      }
    }
    post({ type: 'report', id, report, ...(layout ? { layout } : {}) });
  } finally {
    controllers.delete(id);
    current = null;
  }
}

self.onmessage = (event: MessageEvent<PageToWorker>) => {
  const message = event.data;
  if (message.type === 'scan-url') {
    runUrlScan(message.id, message.url, message.name).catch((error: unknown) => {
      post({ type: 'fatal', id: message.id, message: describe(error) });
    });
  } else if (message.type === 'scan') {
    runScan(message.id, message.files, message.folder, message.hashPort).catch((error: unknown) => {
      post({ type: 'fatal', id: message.id, message: describe(error) });
    });
  } else if (message.type === 'cancel') {
    controllers.get(message.id)?.abort();
  } else if (message.type === 'warm') {
    scheduleWarmUp(message.url);
  } else if (message.type === 'diff') {
    runDiff(message.a, message.b).then(
      (diff) => post({ type: 'diff', id: message.id, diff }),
      (error: unknown) => post({ type: 'diff-failed', id: message.id, message: describe(error) }),
    );
  }
};

/** The weight records are read here, beside the other parsers, never on the page's thread. */
async function diffSide(input: DiffInput): Promise<DiffSide> {
  const weights = input.file && input.report.verdict !== 'error' ? await readWeightRecords(new BlobSource(input.file, input.report.path)) : null;
  return { report: input.report, documents: input.documents, weights };
}

async function runDiff(a: DiffInput, b: DiffInput): Promise<ModelDiff> {
  return diffModels(await diffSide(a), await diffSide(b));
}

/**
 * The warm-up scan: one pass of the whole pipeline (zip, JSON, walker, decoder, rules, layout, our HDF5 parser on
 * model.weights.h5) over the built-in sample, a second after start, only if no real scan has begun; also evaluates
 * h5wasm's JavaScript and compiles its WebAssembly (instantiated only for an HDF5 file our parser cannot read).
 */
const WARM_UP_DELAY_MS = 1000;
let warmed = false;

function scheduleWarmUp(url: string): void {
  setTimeout(() => {
    if (warmed || current !== null || controllers.size > 0) return;
    warmed = true;
    void (async () => {
      const t = performance.now();
      try {
        const response = await fetch(url);
        if (!response.ok || current !== null) return;
        const bytes = new Uint8Array(await response.arrayBuffer());
        const report = await scanSource(new MemorySource(bytes, 'warm-up'), { mountHdf5: mountHdf5InWorker });
        const layout = report.layers.length > 0 ? layoutReport(report) : undefined;
        if (current === null) post({ type: 'warm-report', report, ...(layout ? { layout } : {}) });
        // Our own HDF5 readers (attribute pre-check, group-tree walk) on the sample's model.weights.h5 — plain
        // JavaScript; the HDF5 library's WebAssembly is still only instantiated for a real HDF5 file.
        const zip = await openZip(new MemorySource(bytes, 'warm-up'));
        try {
          const weights = await zip.storedSlice('model.weights.h5');
          if (weights) {
            await preflightRootAttributes(weights, 0);
            await inspectHdf5Structure(weights, 0, []);
          }
        } finally {
          await zip.close();
        }
        await import('h5wasm');
        startHdf5Compile();
        warmUpMs = Math.round(performance.now() - t);
      } catch {
        // A warm-up that fails changes nothing: the first scan is just not warm.
      }
    })();
  }, WARM_UP_DELAY_MS);
}
let warmUpMs: number | undefined;

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

self.addEventListener('unhandledrejection', (event) => {
  post({ type: 'fatal', id: current, message: describe(event.reason) });
});
