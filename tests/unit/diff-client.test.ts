// ScanClient.diff: the page asks the worker to compare two scans; the answer, a timeout or a replaced worker
// settles the promise exactly once.
import { describe, expect, it } from 'vitest';
import { ScanClient } from '../../src/worker/client';
import type { PageToWorker, WorkerToPage } from '../../src/worker/protocol';
import type { ModelDiff } from '../../src/core/diff/types';
import { dfx, diffFiles } from './diff-sides';

class DiffWorker {
  onmessage: ((event: MessageEvent<WorkerToPage>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  onmessageerror: (() => void) | null = null;
  received: PageToWorker[] = [];
  constructor(private readonly answer: (message: Extract<PageToWorker, { type: 'diff' }>) => WorkerToPage | null) {}
  postMessage(message: PageToWorker): void {
    this.received.push(message);
    if (message.type !== 'diff') return;
    const reply = this.answer(message);
    if (reply) setTimeout(() => this.onmessage?.({ data: reply } as MessageEvent<WorkerToPage>), 5);
  }
  terminate(): void {}
}

function client(answer: ConstructorParameters<typeof DiffWorker>[0], timeoutMs = 200) {
  const workers: DiffWorker[] = [];
  const c = new ScanClient(
    { report: () => {} },
    {
      createWorker: () => {
        const w = new DiffWorker(answer);
        workers.push(w);
        return w as unknown as Worker;
      },
      timeoutMs,
    },
  );
  return { c, workers };
}

describe('ScanClient.diff', () => {
  it('sends both scans and resolves with the worker’s diff', async () => {
    const real = await diffFiles(dfx('echo_a.keras'), dfx('curl_sh.keras'));
    const { c, workers } = client((m) => ({ type: 'diff', id: m.id, diff: real }));
    const a = { report: { ...real.a } as never, documents: [] };
    const diff: ModelDiff = await c.diff(a, a);
    expect(diff.summary.codeChanged).toBe(true);
    expect(workers[0].received.filter((m) => m.type === 'diff')).toHaveLength(1);
  });
  it('rejects with the worker’s message, and after the time budget when no answer comes', async () => {
    const failing = client((m) => ({ type: 'diff-failed', id: m.id, message: 'Error: boom' }));
    await expect(failing.c.diff({ report: {} as never, documents: [] }, { report: {} as never, documents: [] })).rejects.toThrow('boom');
    const silent = client(() => null, 50);
    await expect(silent.c.diff({ report: {} as never, documents: [] }, { report: {} as never, documents: [] })).rejects.toThrow(/too long/);
  });
  it('rejects when the page disposes of the scanner meanwhile', async () => {
    const { c } = client(() => null, 10_000);
    const pending = c.diff({ report: {} as never, documents: [] }, { report: {} as never, documents: [] });
    c.dispose();
    await expect(pending).rejects.toThrow(/closed/);
  });
});
