/**
 * A bounded fuzz smoke inside the suite: the harness of scripts/fuzz (light profile: no multi-megabyte inputs)
 * for 1,000 inputs per format, scanned in two worker threads with a 5 s bound per input (a hang is terminated,
 * not waited for). Any hang or crash fails: since the HDF5 attribute pre-check, hangs inside the HDF5 library
 * are no longer an expected outcome (0 in 40,000 mutated .h5 files). Full runs: `npm run fuzz`.
 */
// @ts-expect-error plain ESM helper without types
import { bundleForNode } from '../../../scripts/bundle-node.mjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORMATS, type FuzzFormat } from '../../../scripts/fuzz/campaign';
import { ROOT, TIME_BOUND_MS } from './helpers';

const PER_FORMAT = Number(process.env.FUZZ_SMOKE_N ?? 1000);
const SEED = 20240601;
const OUT = path.join(ROOT, '.fuzz/smoke');

interface Reply {
  id: number;
  outcome?: string;
  verdict?: string;
  message?: string;
  reason?: string;
  ms?: number;
  recipe?: string;
  stage?: string;
  generated?: boolean;
  ready?: boolean;
}

class Pool {
  private worker!: Worker;
  async start(): Promise<void> {
    // The HDF5 library prints diagnostics for every corrupt file: keep them out of the test log.
    this.worker = new Worker(path.join(OUT, 'thread.mjs'), { stderr: true, stdout: true });
    this.worker.stderr.resume();
    this.worker.stdout.resume();
    await new Promise<void>((resolve, reject) => {
      const onMessage = (m: Reply) => m.ready && (this.worker.off('message', onMessage), resolve());
      this.worker.on('message', onMessage);
      this.worker.once('error', reject);
    });
  }
  run(format: FuzzFormat, index: number, id: number): Promise<Reply> {
    return new Promise((resolve) => {
      let stage = '';
      let timer = setTimeout(() => done({ id, outcome: 'hang', reason: 'input generation took over 60 s' }), 60_000);
      const onMessage = (m: Reply) => {
        if (m.id !== id) return;
        if (m.stage) stage = m.stage;
        else if (m.generated) {
          clearTimeout(timer);
          timer = setTimeout(() => done({ id, outcome: 'hang', reason: `no answer within ${TIME_BOUND_MS} ms; last stage "${stage}"`, stage }), TIME_BOUND_MS);
        } else done(m);
      };
      const onError = (e: Error) => done({ id, outcome: 'crash', reason: `worker thread died: ${e.message}` });
      const done = async (r: Reply) => {
        clearTimeout(timer);
        this.worker.off('message', onMessage);
        this.worker.off('error', onError);
        if (r.outcome === 'hang' || r.reason?.startsWith('worker thread died')) {
          await this.worker.terminate();
          await this.start();
        }
        resolve({ ...r, stage });
      };
      this.worker.on('message', onMessage);
      this.worker.once('error', onError);
      this.worker.postMessage({ id, seed: SEED, format, index });
    });
  }
  stop(): Promise<number> {
    return this.worker.terminate();
  }
}

const pools = [new Pool(), new Pool()];

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  await bundleForNode(path.join(ROOT, 'scripts/fuzz/harness.ts'), path.join(OUT, 'harness.mjs'));
  writeFileSync(path.join(OUT, 'thread.mjs'), `import { serveThread } from './harness.mjs';\nserveThread(${JSON.stringify(ROOT)}, true);\n`);
  await Promise.all(pools.map((p) => p.start()));
}, 60_000);

afterAll(async () => {
  await Promise.all(pools.map((p) => p.stop()));
});

describe('fuzz smoke (light profile)', () => {
  it(`runs ${PER_FORMAT} mutated inputs per format without a crash or a hang`, async () => {
    const rows: Record<string, Record<string, number>> = {};
    const failures: string[] = [];
    let id = 0;
    const started = performance.now();
    for (const format of FORMATS) {
      const row: Record<string, number> = { inputs: 0, report: 0, error: 0, hang: 0, crash: 0 };
      let next = 0;
      await Promise.all(
        pools.map(async (pool) => {
          while (next < PER_FORMAT) {
            const index = next++;
            const r = await pool.run(format, index, ++id);
            row.inputs++;
            row[r.outcome ?? 'crash']++;
            const line = `${format} #${index} (seed ${SEED}): ${r.outcome} ${r.reason ?? ''} ${r.message ?? ''} [${r.recipe ?? ''}] repro: node scripts/fuzz/run.mjs --format ${format} --seed ${SEED} --only ${index}`;
            if (r.outcome === 'hang' || r.outcome === 'crash') failures.push(line);
          }
        }),
      );
      rows[format] = row;
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    for (const [format, row] of Object.entries(rows)) console.log(`[fuzz-smoke] ${format.padEnd(8)} ${JSON.stringify(row)}`);
    console.log(`[fuzz-smoke] ${FORMATS.length * PER_FORMAT} inputs in ${seconds} s`);
    expect(failures, failures.join('\n')).toEqual([]);
    for (const format of FORMATS) expect(rows[format].inputs).toBe(PER_FORMAT);
  }, 600_000);
});
