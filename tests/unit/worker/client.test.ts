// ScanClient (the page side of the scan worker): queue, watchdog, crash recovery, cancel, hash after report.
import { describe, expect, it } from 'vitest';
import { ScanClient } from '../../../src/worker/client';
import type { PageToWorker, WorkerToPage } from '../../../src/worker/protocol';
import type { FileReport } from '../../../src/core/report';
import { errorReport } from '../../../src/core/error-report';

type Behaviour = 'ok' | 'hang' | 'crash' | 'fatal' | 'obeys-cancel' | 'wasm-broken';

/** A stand-in Worker: answers each scan according to the file name's behaviour. */
class FakeWorker {
  onmessage: ((event: MessageEvent<WorkerToPage>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  onmessageerror: (() => void) | null = null;
  terminated = false;
  received: PageToWorker[] = [];
  constructor(private readonly behaviour: (name: string) => Behaviour) {}
  postMessage(message: PageToWorker): void {
    this.received.push(message);
    if (message.type === 'warm' || message.type === 'diff') return;
    if (message.type === 'cancel') {
      const scan = this.received.find((m) => m.type === 'scan' && m.id === message.id);
      if (scan?.type === 'scan' && this.behaviour(scan.files[0].name) === 'obeys-cancel')
        this.reply({ type: 'report', id: message.id, report: report(scan.files[0].name, 'error') });
      return;
    }
    const name = message.type === 'scan' ? message.files[0].name : message.name;
    const mode = this.behaviour(name);
    setTimeout(() => {
      if (this.terminated) return;
      if (mode === 'ok') {
        this.reply({ type: 'progress', id: message.id, progress: { stage: 'detect', message: 'x' } });
        this.reply({ type: 'report', id: message.id, report: report(name, 'clean') });
        this.reply({ type: 'hash', id: message.id, sha256: 'f'.repeat(64) });
      } else if (mode === 'crash') {
        this.onerror?.({ message: 'RuntimeError: Aborted(OOM)', preventDefault() {} } as ErrorEvent);
      } else if (mode === 'wasm-broken') {
        this.reply({ type: 'report', id: message.id, report: report(name, 'error'), restart: true });
      } else if (mode === 'fatal') {
        this.reply({ type: 'fatal', id: message.id, message: 'boom' });
      }
    }, 5);
  }
  terminate(): void {
    this.terminated = true;
  }
  private reply(message: WorkerToPage): void {
    if (!this.terminated) this.onmessage?.({ data: message } as MessageEvent<WorkerToPage>);
  }
}

function report(path: string, verdict: FileReport['verdict']): FileReport {
  return { ...errorReport(path, 1, 'damaged', 'x'), verdict, error: undefined };
}

function setup(behaviour: (name: string) => Behaviour, timeoutMs = 200) {
  const workers: FakeWorker[] = [];
  const reports = new Map<number, FileReport>();
  const hashes = new Map<number, string>();
  const order: string[] = [];
  let resolveAll: () => void = () => {};
  let expected = 0;
  const done = new Promise<void>((resolve) => (resolveAll = resolve));
  const client = new ScanClient(
    {
      start: (id) => order.push(`start ${id}`),
      report: (id, r) => {
        order.push(`report ${id}`);
        reports.set(id, r);
        if (reports.size === expected) resolveAll();
      },
      hash: (id, sha) => hashes.set(id, sha),
    },
    {
      createWorker: () => {
        const worker = new FakeWorker(behaviour);
        workers.push(worker);
        return worker as unknown as Worker;
      },
      timeoutMs,
      cancelGraceMs: 50,
    },
  );
  const expect_ = (n: number) => {
    expected = n;
    if (reports.size >= n) resolveAll();
    return done;
  };
  return { client, workers, reports, hashes, order, waitFor: expect_ };
}

const blob = (n = 1) => new Blob([new Uint8Array(n)]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ScanClient', () => {
  it('scans a queue one by one on one worker, with the hash after the report', async () => {
    const t = setup(() => 'ok');
    const a = t.client.scanFile(blob(), 'a.h5');
    const b = t.client.scanFile(blob(), 'b.h5');
    await t.waitFor(2);
    await sleep(20);
    expect(t.workers).toHaveLength(1);
    expect(t.order).toEqual([`start ${a.id}`, `report ${a.id}`, `start ${b.id}`, `report ${b.id}`]);
    expect(t.reports.get(a.id)?.verdict).toBe('clean');
    expect(t.hashes.get(b.id)).toBe('f'.repeat(64));
    expect(t.client.busy).toBe(false);
  });

  it('terminates a worker that takes too long, reports an error for that file, and goes on', async () => {
    const t = setup((name) => (name === 'slow.h5' ? 'hang' : 'ok'), 100);
    const slow = t.client.scanFile(blob(), 'slow.h5');
    const next = t.client.scanFile(blob(), 'next.h5');
    await t.waitFor(2);
    const timedOut = t.reports.get(slow.id)!;
    expect(timedOut.verdict).toBe('error');
    expect(timedOut.error?.message).toMatch(/took longer than .* and was stopped/);
    expect(timedOut.path).toBe('slow.h5');
    expect(t.workers[0].terminated).toBe(true);
    expect(t.workers).toHaveLength(2);
    expect(t.reports.get(next.id)?.verdict).toBe('clean');
  });

  it('recovers from a worker that dies (uncaught error) or reports a fatal error', async () => {
    const t = setup((name) => (name.startsWith('crash') ? 'crash' : name.startsWith('fatal') ? 'fatal' : 'ok'));
    const crash = t.client.scanFile(blob(), 'crash.h5');
    const fatal = t.client.scanFile(blob(), 'fatal.h5');
    const ok = t.client.scanFile(blob(), 'ok.h5');
    await t.waitFor(3);
    expect(t.reports.get(crash.id)?.error?.message).toMatch(/stopped unexpectedly.*OOM/);
    expect(t.reports.get(fatal.id)?.error?.message).toMatch(/failed.*boom/);
    expect(t.reports.get(ok.id)?.verdict).toBe('clean');
    expect(t.workers).toHaveLength(3);
  });

  it('replaces the worker after a report that says its WASM state may be broken', async () => {
    const t = setup((name) => (name === 'oom.h5' ? 'wasm-broken' : 'ok'));
    const oom = t.client.scanFile(blob(), 'oom.h5');
    const next = t.client.scanFile(blob(), 'next.h5');
    await t.waitFor(2);
    expect(t.reports.get(oom.id)?.verdict).toBe('error');
    expect(t.reports.get(next.id)?.verdict).toBe('clean');
    expect(t.workers).toHaveLength(2);
    expect(t.workers[0].terminated).toBe(true);
    expect(t.workers[1].received.some((m) => m.type === 'scan' && m.id === next.id)).toBe(true);
  });

  it('cancel: a queued file never starts; a running one that ignores cancel is terminated', async () => {
    const t = setup((name) => (name === 'stuck.h5' ? 'hang' : 'ok'), 10_000);
    const stuck = t.client.scanFile(blob(), 'stuck.h5');
    const queued = t.client.scanFile(blob(), 'queued.h5');
    await sleep(10);
    t.client.cancelAll();
    await t.waitFor(2);
    expect(t.reports.get(queued.id)?.error?.message).toMatch(/before the scan started/);
    expect(t.reports.get(stuck.id)?.error?.message).toMatch(/stopped by the user/);
    expect(t.order).not.toContain(`start ${queued.id}`);
    expect(t.workers[0].terminated).toBe(true);
  });

  it('cancel: a scan that stops on its own keeps the worker', async () => {
    const t = setup(() => 'obeys-cancel', 10_000);
    const job = t.client.scanFile(blob(), 'obedient.h5');
    await sleep(10);
    t.client.cancel(job.id);
    await t.waitFor(1);
    await sleep(80);
    expect(t.reports.get(job.id)?.verdict).toBe('error');
    expect(t.workers[0].terminated).toBe(false);
  });

  it('sends a folder as one job with relative paths', async () => {
    const t = setup(() => 'ok');
    const job = t.client.scanFolder('saved', [
      { name: 'saved_model.pb', file: blob(3) },
      { name: 'variables/variables.index', file: blob(4) },
    ]);
    await t.waitFor(1);
    expect(job.size).toBe(7);
    const sent = t.workers[0].received[0];
    expect(sent.type === 'scan' && sent.folder).toBe('saved');
    expect(sent.type === 'scan' && sent.files.map((f) => f.name)).toEqual(['saved_model.pb', 'variables/variables.index']);
  });
});
