/**
 * Scans in a worker thread with a time limit. Nothing in the same thread could interrupt the HDF5 library
 * (WebAssembly) if a crafted file the attribute pre-check cannot read made it loop — so the CLI runs each scan
 * in a worker it can terminate, the way the page's watchdog does with its Web Worker. The worker reports each
 * step, so a timeout can say where the scan was.
 */
import { Worker } from 'node:worker_threads';
import { errorReport } from '../core/scan';
import type { ErrorCode, FileReport } from '../core/report';
import type { ScanDocument, ScanProgress } from '../core/scan-types';
import { scanDirectory, scanPath } from './scan-path';
import { scanUrl } from '../core/remote/scan-url';

export interface ScanJob {
  /** A path on disk, or an http(s) address when `url` is set. */
  path: string;
  folder: boolean;
  hash: boolean;
  /** Read where it is hosted, over HTTP range requests. */
  url?: boolean;
  /** Name in the report (default: the path or address). */
  display?: string;
}

export interface ScanResult {
  report: FileReport;
  documents: ScanDocument[];
}

/** What the worker thread sends back: steps while it works, then one result or failure. */
type Reply = { ok: true; result: ScanResult } | { ok: false; message: string } | { step: string };

/** Runs one job in this thread (the worker side, and the fallback when isolation is off). */
export async function runJob(job: ScanJob, onStep?: (step: string) => void): Promise<ScanResult> {
  let documents: ScanDocument[] = [];
  const options = { hash: job.hash, onDocuments: (d: ScanDocument[]) => (documents = d), onProgress: onStep && ((p: ScanProgress) => onStep(p.message)) };
  const report = job.url
    ? await scanUrl(job.path, { onDocuments: options.onDocuments, onProgress: options.onProgress, path: job.display })
    : job.folder
      ? await scanDirectory(job.path, options)
      : await scanPath(job.path, options);
  if (job.display) report.path = job.display;
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
      const fail = (code: ErrorCode, message: string, kill: boolean) => done({ report: errorReport(job.display ?? job.path, 0, code, message), documents: [] }, kill);
      let step = '';
      const onMessage = (reply: Reply) => {
        if ('step' in reply) step = reply.step;
        else if (reply.ok) done(reply.result, false);
        else fail('crashed', reply.message, false);
      };
      const onError = (e: Error) => fail('crashed', `the scanner crashed (${e.message})`, true);
      const onExit = (code: number) => fail('crashed', `the scanner stopped unexpectedly (exit code ${code})`, true);
      const timer = setTimeout(
        () =>
          fail(
            'timeout',
            `timed out after ${this.timeoutMs / 1000} s and was stopped${step ? ` while ${step}` : ''} (the file may be very large or built to be slow to parse; nothing in it was run)`,
            true,
          ),
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
    runJob(job, (step) => port.postMessage({ step })).then(
      (result) => port.postMessage({ ok: true, result }),
      (e: unknown) => port.postMessage({ ok: false, message: e instanceof Error ? e.message : String(e) }),
    );
  });
}
