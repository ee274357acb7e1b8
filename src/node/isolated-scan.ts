/**
 * Scans in a worker thread with a time limit. The HDF5 library can loop forever on a corrupt file (found by
 * fuzzing: a damaged string attribute), and nothing in the same thread can interrupt WebAssembly — so the CLI
 * runs each scan in a worker it can terminate, the way the page's watchdog does with its Web Worker.
 */
import { Worker } from 'node:worker_threads';
import { errorReport } from '../core/scan';
import type { FileReport } from '../core/report';
import type { ScanDocument } from '../core/scan-types';
import { scanDirectory, scanPath } from './scan-path';

export interface ScanJob {
  path: string;
  folder: boolean;
  hash: boolean;
}

export interface ScanResult {
  report: FileReport;
  documents: ScanDocument[];
}

/** What the worker thread receives and sends back. */
type Reply = { ok: true; result: ScanResult } | { ok: false; message: string };

/** Runs one job in this thread (the worker side, and the fallback when isolation is off). */
export async function runJob(job: ScanJob): Promise<ScanResult> {
  let documents: ScanDocument[] = [];
  const options = { hash: job.hash, onDocuments: (d: ScanDocument[]) => (documents = d) };
  const report = job.folder ? await scanDirectory(job.path, options) : await scanPath(job.path, options);
  return { report, documents };
}

/** A single reusable worker thread running `entry` (the bundled CLI), replaced after a timeout or a crash. */
export class IsolatedScanner {
  private worker: Worker | null = null;

  constructor(
    private entry: URL,
    private timeoutMs: number,
  ) {}

  async scan(job: ScanJob): Promise<ScanResult> {
    const worker = (this.worker ??= new Worker(this.entry, { workerData: { lambdalensScanWorker: true } }));
    return new Promise<ScanResult>((resolve) => {
      const done = (result: ScanResult, kill: boolean) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        if (kill) {
          void worker.terminate();
          this.worker = null;
        }
        resolve(result);
      };
      const fail = (message: string, kill: boolean) => done({ report: errorReport(job.path, 0, message), documents: [] }, kill);
      const onMessage = (reply: Reply) => (reply.ok ? done(reply.result, false) : fail(reply.message, false));
      const onError = (e: Error) => fail(`the scanner crashed (${e.message})`, true);
      const onExit = (code: number) => fail(`the scanner stopped unexpectedly (exit code ${code})`, true);
      const timer = setTimeout(
        () => fail(`timed out after ${this.timeoutMs / 1000} s and was stopped (the file may be very large or built to be slow to parse; nothing in it was run)`, true),
        this.timeoutMs,
      );
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage(job);
    });
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = null;
  }
}

/** The worker thread's loop: one job at a time, never throwing. */
export function serveScanJobs(port: { on(event: 'message', cb: (job: ScanJob) => void): void; postMessage(reply: Reply): void }): void {
  port.on('message', (job) => {
    runJob(job).then(
      (result) => port.postMessage({ ok: true, result }),
      (e: unknown) => port.postMessage({ ok: false, message: e instanceof Error ? e.message : String(e) }),
    );
  });
}
