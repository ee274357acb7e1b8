/**
 * The page side of the scan worker: one worker reused for a queue of files, cancel, and a watchdog.
 * A file that takes too long, or a worker that dies (e.g. WASM out of memory), costs only that file: the worker
 * is terminated, the file gets an `error` report saying why, a fresh worker takes the rest of the queue.
 */
import type { FileReport } from '../core/report';
import type { ScanDocument, ScanProgress } from '../core/scan-types';
import type { GraphLayout } from '../core/graph/types';
import { errorReport } from '../core/error-report';
import type { ErrorCode } from '../core/report';
import type { DiffInput, PageToWorker, ScanItem, WorkerToPage } from './protocol';
import { HASH_HELPER_MIN_BYTES } from './hash-protocol';
import type { ModelDiff } from '../core/diff/types';

interface PendingDiff {
  resolve(diff: ModelDiff): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export interface ScanJob {
  id: number;
  /** Display name: the file name, or the dropped folder's name. */
  name: string;
  /** Total bytes of the items. */
  size: number;
  items: ScanItem[];
  /** Set for a SavedModel folder (items carry relative paths). */
  folder?: string;
  /** Set for a file read where it is hosted (items is empty). */
  url?: string;
}

export interface ScanClientEvents {
  /** The job was handed to the worker. */
  start?(id: number): void;
  progress?(id: number, progress: ScanProgress): void;
  /** Exactly once per job: from the worker, or made here on timeout, crash or stop. */
  report(id: number, report: FileReport): void;
  /** Before the report: the config documents its JSON pointers refer to. */
  documents?(id: number, documents: ScanDocument[]): void;
  /** How far the file's hash has come, for big files. */
  hashProgress?(id: number, done: number, total: number): void;
  /** The warm-up scan's report (the page may render it once, hidden, to warm its views). */
  warm?(report: FileReport, layout?: GraphLayout): void;
  /** Shortly after the report: the graph's default layout, computed in the worker. */
  layout?(id: number, layout: GraphLayout): void;
  /** Later than the report, when the streamed SHA-256 is done. */
  hash?(id: number, sha256: string): void;
}

export interface ScanClientOptions {
  createWorker: () => Worker;
  /** The hash helper for one big file (hash-worker.ts); without it the scan worker hashes on its own thread. */
  createHashWorker?: () => Worker;
  /** Per-file budget before the worker is terminated (default 30 s). */
  timeoutMs?: number;
  /** How long a cancelled scan may take to wind down before the worker is terminated (default 1.5 s). */
  cancelGraceMs?: number;
}

interface ActiveJob {
  job: ScanJob;
  startedAt: number;
  watchdog: ReturnType<typeof setTimeout>;
  grace?: ReturnType<typeof setTimeout>;
  /** The worker's last progress message, so a watchdog stop can say where the scan was. */
  step?: string;
}

export class ScanClient {
  private worker: Worker | null = null;
  private queue: ScanJob[] = [];
  private active: ActiveJob | null = null;
  /** Jobs whose report is out and whose hash is still being computed in the worker. */
  private hashing = new Set<number>();
  /** Hash helpers by job, terminated when the hash is in or the job ends otherwise. */
  private hashHelpers = new Map<number, Worker>();
  private nextId = 1;
  /** Comparisons asked of the worker (they run between scans' awaits, outside the scan queue). */
  private diffs = new Map<number, PendingDiff>();
  private readonly timeoutMs: number;
  private readonly cancelGraceMs: number;

  constructor(
    private readonly events: ScanClientEvents,
    private readonly options: ScanClientOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.cancelGraceMs = options.cancelGraceMs ?? 1_500;
  }

  /** Queues one file; returns its job id. */
  scanFile(file: Blob, name: string): ScanJob {
    return this.enqueue({ id: this.nextId++, name, size: file.size, items: [{ name, file }] });
  }

  /** Queues a hosted file, read with range requests in the worker; `size` is the listed size when known (else 0). */
  scanUrl(url: string, name: string, size = 0): ScanJob {
    return this.enqueue({ id: this.nextId++, name, size, items: [], url });
  }

  /** Queues a dropped folder (SavedModel); `items` carry paths relative to the folder. */
  scanFolder(name: string, items: ScanItem[]): ScanJob {
    const size = items.reduce((sum, item) => sum + item.file.size, 0);
    return this.enqueue({ id: this.nextId++, name, size, items, folder: name });
  }

  /**
   * Compares two finished scans in the worker (it reads the files' weight records there). Rejects after the
   * per-file budget, or when the worker is replaced meanwhile.
   */
  diff(a: DiffInput, b: DiffInput): Promise<ModelDiff> {
    const id = this.nextId++;
    const worker = this.ensureWorker();
    return new Promise<ModelDiff>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.diffs.delete(id)) reject(new Error('the comparison took too long and was given up'));
      }, this.timeoutMs);
      this.diffs.set(id, { resolve, reject, timer });
      const message: PageToWorker = { type: 'diff', id, a, b };
      worker.postMessage(message);
    });
  }

  private settleDiffs(reason: string): void {
    for (const [id, pending] of this.diffs) {
      clearTimeout(pending.timer);
      this.diffs.delete(id);
      pending.reject(new Error(reason));
    }
  }

  /** Stops one job: drops it from the queue, or aborts it in the worker (terminating it if it does not stop). */
  cancel(id: number): void {
    const queued = this.queue.findIndex((job) => job.id === id);
    if (queued >= 0) {
      const [job] = this.queue.splice(queued, 1);
      this.events.report(job.id, errorReport(job.name, job.size, 'cancelled', 'stopped before the scan started'));
      return;
    }
    if (this.active?.job.id === id) {
      const active = this.active;
      this.post({ type: 'cancel', id });
      active.grace ??= setTimeout(() => {
        if (this.active === active) this.restart('cancelled', 'stopped by the user');
      }, this.cancelGraceMs);
      return;
    }
    if (this.hashing.has(id)) this.post({ type: 'cancel', id });
    this.endHashHelper(id);
  }

  /** Stops everything queued and running. */
  cancelAll(): void {
    for (const job of [...this.queue]) this.cancel(job.id);
    if (this.active) this.cancel(this.active.job.id);
    for (const id of [...this.hashing]) this.cancel(id);
  }

  /**
   * Starts the worker ahead of the first file (it starts compiling the HDF5 WebAssembly at once), and has it scan
   * the built-in sample at `sampleUrl` in its idle time, so the first real scan runs warm.
   */
  warmUp(sampleUrl?: string): void {
    this.ensureWorker();
    if (sampleUrl) this.post({ type: 'warm', url: sampleUrl });
  }

  /** True while a job is queued or running (hashing does not count). */
  get busy(): boolean {
    return this.active !== null || this.queue.length > 0;
  }

  dispose(): void {
    this.queue = [];
    if (this.active) clearTimers(this.active);
    this.active = null;
    this.settleDiffs('the page closed the scanner');
    this.worker?.terminate();
    this.worker = null;
  }

  private enqueue(job: ScanJob): ScanJob {
    this.queue.push(job);
    // Started on a microtask, so the caller can record the job before its `start` event arrives.
    queueMicrotask(() => this.pump());
    return job;
  }

  private pump(): void {
    if (this.active || this.queue.length === 0) return;
    const job = this.queue.shift()!;
    const worker = this.ensureWorker();
    const active: ActiveJob = {
      job,
      startedAt: now(),
      watchdog: setTimeout(() => {
        if (this.active !== active) return;
        const budget = this.timeoutMs >= 1000 ? `${Math.round(this.timeoutMs / 1000)} s` : `${this.timeoutMs} ms`;
        const where = active.step ? ` while ${active.step}` : '';
        this.restart(
          'timeout',
          `the scan took longer than ${budget} and was stopped${where} (the file may be very large or built to be slow to parse; nothing in it was run)`,
        );
      }, this.timeoutMs),
    };
    this.active = active;
    if (job.url !== undefined) {
      worker.postMessage({ type: 'scan-url', id: job.id, url: job.url, name: job.name } satisfies PageToWorker);
    } else {
      const hashPort = this.hashHelperFor(job);
      const message: PageToWorker = { type: 'scan', id: job.id, files: job.items, folder: job.folder, ...(hashPort ? { hashPort } : {}) };
      worker.postMessage(message, hashPort ? [hashPort] : []);
    }
    this.events.start?.(job.id);
  }

  /** A hash helper with a channel to it, for one file above HASH_HELPER_MIN_BYTES; the scan worker gets the port. */
  private hashHelperFor(job: ScanJob): MessagePort | undefined {
    if (!this.options.createHashWorker || job.folder !== undefined || job.items.length !== 1 || job.items[0].file.size <= HASH_HELPER_MIN_BYTES) return undefined;
    const helper = this.options.createHashWorker();
    const channel = new MessageChannel();
    helper.postMessage(channel.port2, [channel.port2]);
    this.hashHelpers.set(job.id, helper);
    return channel.port1;
  }

  private endHashHelper(id: number): void {
    this.hashHelpers.get(id)?.terminate();
    this.hashHelpers.delete(id);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = this.options.createWorker();
    worker.onmessage = (event: MessageEvent<WorkerToPage>) => {
      if (this.worker === worker) this.onMessage(event.data);
    };
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      if (this.worker === worker) this.restart('crashed', `the scanner stopped unexpectedly (${event.message || 'worker error'})`);
    };
    worker.onmessageerror = () => {
      if (this.worker === worker) this.restart('crashed', 'the scanner sent a message that could not be read');
    };
    this.worker = worker;
    return worker;
  }

  private onMessage(message: WorkerToPage): void {
    switch (message.type) {
      case 'hash-progress':
        if (this.hashing.has(message.id)) this.events.hashProgress?.(message.id, message.done, message.total);
        break;
      case 'warm-report':
        this.events.warm?.(message.report, message.layout);
        break;
      case 'progress':
        if (this.active?.job.id === message.id) {
          this.active.step = message.progress.message;
          this.events.progress?.(message.id, message.progress);
        }
        break;
      case 'report': {
        if (this.active?.job.id !== message.id) break;
        clearTimers(this.active);
        this.active = null;
        this.events.report(message.id, message.report);
        // Same task as the report: React renders the verdict and the graph in one pass.
        if (message.layout) this.events.layout?.(message.id, message.layout);
        if (message.restart) {
          // The worker's WASM state may be broken: the next file gets a fresh one.
          this.worker?.terminate();
          this.worker = null;
          this.hashing.clear();
          this.endHashHelper(message.id);
        } else {
          this.hashing.add(message.id);
        }
        this.pump();
        break;
      }
      case 'documents':
        if (this.active?.job.id === message.id) this.events.documents?.(message.id, message.documents);
        break;
      case 'hash-failed':
        this.endHashHelper(message.id);
        this.hashing.delete(message.id);
        break;
      case 'hash':
        this.endHashHelper(message.id);
        if (this.hashing.delete(message.id)) this.events.hash?.(message.id, message.sha256);
        break;
      case 'diff':
      case 'diff-failed': {
        const pending = this.diffs.get(message.id);
        if (!pending) break;
        this.diffs.delete(message.id);
        clearTimeout(pending.timer);
        if (message.type === 'diff') pending.resolve(message.diff);
        else pending.reject(new Error(message.message));
        break;
      }
      case 'fatal':
        this.restart('crashed', `the scanner failed (${message.message})`);
        break;
    }
  }

  /** Terminates the worker, fails the running job with `reason`, and goes on with the queue on a fresh worker. */
  private restart(code: ErrorCode, reason: string): void {
    this.worker?.terminate();
    this.worker = null;
    this.settleDiffs(`the scanner was restarted (${reason})`);
    this.hashing.clear();
    for (const id of [...this.hashHelpers.keys()]) this.endHashHelper(id);
    const active = this.active;
    this.active = null;
    if (active) {
      clearTimers(active);
      this.events.report(
        active.job.id,
        errorReport(active.job.name, active.job.size, code, reason, Math.round(now() - active.startedAt)),
      );
    }
    this.pump();
  }

  private post(message: PageToWorker): void {
    this.worker?.postMessage(message);
  }
}

function clearTimers(active: ActiveJob): void {
  clearTimeout(active.watchdog);
  if (active.grace) clearTimeout(active.grace);
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
