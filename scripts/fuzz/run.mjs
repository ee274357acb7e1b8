#!/usr/bin/env node
// Fuzz harness: mutates every fixture (see scripts/fuzz/campaign.ts) and runs each input through scanSource in
// a pool of worker processes with a per-input time bound and an RSS watch. Usage:
//   node scripts/fuzz/run.mjs [--iterations N] [--seconds S] [--format h5,keras,...] [--seed K]
//                             [--timeout MS] [--workers W] [--max-rss-mb MB] [--only INDEX] [--repro FILE]
// Exit code 1 when any input hung or crashed; each such input is saved under .fuzz/crashes/ with a repro line.
import { bundleForNode } from '../bundle-node.mjs';
import { fork } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const out = path.join(root, '.fuzz');

function parseArgs(argv) {
  const a = { iterations: 10000, seconds: Infinity, format: '', seed: 1, timeout: 5000, workers: 2, maxRssMb: 2048, only: null, repro: null };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = () => argv[++i];
    if (k === '--iterations') a.iterations = Number(v());
    else if (k === '--seconds') a.seconds = Number(v());
    else if (k === '--format') a.format = v();
    else if (k === '--seed') a.seed = Number(v());
    else if (k === '--timeout') a.timeout = Number(v());
    else if (k === '--workers') a.workers = Number(v());
    else if (k === '--max-rss-mb') a.maxRssMb = Number(v());
    else if (k === '--only') a.only = Number(v());
    else if (k === '--repro') a.repro = v();
    else if (k === '--help' || k === '-h') {
      console.log('usage: node scripts/fuzz/run.mjs [--iterations N] [--seconds S] [--format F[,F]] [--seed K] [--timeout MS] [--workers W] [--max-rss-mb MB] [--only INDEX] [--repro FILE]');
      process.exit(0);
    } else throw new Error(`unknown argument ${k}`);
  }
  return a;
}

async function bundle() {
  mkdirSync(out, { recursive: true });
  await bundleForNode(path.join(root, 'scripts/fuzz/harness.ts'), path.join(out, 'harness.mjs'));
  writeFileSync(path.join(out, 'child.mjs'), `import { serveChild } from './harness.mjs';\nserveChild(${JSON.stringify(root)});\n`);
}

function rssOf(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** One worker process; `run(req)` resolves with the reply or a synthesized hang/crash record. */
class Worker {
  constructor(opts) {
    this.opts = opts;
    this.proc = null;
  }
  async start() {
    const tmp = path.join(out, 'tmp');
    mkdirSync(tmp, { recursive: true });
    this.stderr = '';
    this.proc = fork(path.join(out, 'child.mjs'), [], {
      execArgv: ['--max-old-space-size=2048', '--expose-gc'],
      env: { ...process.env, TMPDIR: tmp },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    this.proc.stderr.on('data', (d) => (this.stderr = (this.stderr + d).slice(-4000)));
    await new Promise((resolve, reject) => {
      this.proc.once('message', resolve);
      this.proc.once('exit', (code) => reject(new Error(`worker died at start (${code}): ${this.stderr}`)));
    });
    // Warm-up (corpus, h5wasm) outside any time bound.
    await this.run({ id: -1, seed: 0, format: 'h5', index: 0 }, 60_000);
  }
  run(req, timeout = this.opts.timeout) {
    return new Promise((resolve) => {
      const proc = this.proc;
      let done = false;
      let peak = 0;
      let stage = '';
      const finish = (r) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearInterval(watch);
        proc.off('message', onMessage);
        proc.off('exit', onExit);
        resolve({ ...r, reason: r.outcome === 'hang' && stage ? `${r.reason}; last stage "${stage}"` : r.reason, peakRss: Math.max(peak, r.rss ?? 0) });
      };
      const onMessage = (m) => {
        if (m.id !== req.id) return;
        if (m.stage) {
          stage = m.stage;
          return;
        }
        if (m.generated) {
          // Input generated: the time bound for the scan starts here.
          clearTimeout(timer);
          peak = 0;
          timer = setTimeout(() => kill({ id: req.id, outcome: 'hang', reason: `no answer within ${timeout} ms`, ms: timeout }), timeout);
        } else finish(m);
      };
      const onExit = (code, signal) => {
        this.proc = null;
        finish({ id: req.id, outcome: 'crash', reason: `worker process died (code ${code}, signal ${signal})`, message: this.stderr.trim().split('\n').slice(-6).join('\n'), ms: NaN });
      };
      const kill = (r) => {
        proc.off('exit', onExit);
        proc.kill('SIGKILL');
        this.proc = null;
        finish(r);
      };
      // Until the worker says the input is generated, a generous bound (generation is ours, not the scanner's).
      let timer = setTimeout(() => kill({ id: req.id, outcome: 'hang', reason: `input generation took over 120 s`, ms: NaN }), 120_000);
      const watch = setInterval(() => {
        peak = Math.max(peak, rssOf(proc.pid));
        if (peak > this.opts.maxRssMb * 1024 * 1024) kill({ id: req.id, outcome: 'crash', reason: `worker RSS ${Math.round(peak / 1048576)} MB over the ${this.opts.maxRssMb} MB watch`, ms: NaN });
      }, 50);
      proc.on('message', onMessage);
      proc.once('exit', onExit);
      proc.send(req);
    });
  }
  async ensure() {
    if (!this.proc) await this.start();
  }
  stop() {
    this.proc?.kill('SIGKILL');
    this.proc = null;
  }
}

function saveFinding(harness, corpus, args, format, index, result, ext) {
  const dir = path.join(out, 'crashes');
  mkdirSync(dir, { recursive: true });
  const input = harness.generateInput(corpus, args.seed, format, index);
  const base = `${format}-s${args.seed}-${index}-${result.outcome}`;
  const file = path.join(dir, `${base}.${ext}`);
  writeFileSync(file, input.bytes);
  const rel = path.relative(root, file);
  writeFileSync(
    path.join(dir, `${base}.txt`),
    [
      `outcome: ${result.outcome}${result.reason ? ` (${result.reason})` : ''}`,
      `message: ${result.message ?? ''}`,
      `format: ${format}  seed: ${args.seed}  index: ${index}  bytes: ${input.bytes.length}`,
      `recipe: ${input.recipe.join(' ')}`,
      `repro: node scripts/fuzz/run.mjs --repro ${rel}`,
      `repro (regenerate): node scripts/fuzz/run.mjs --format ${format} --seed ${args.seed} --only ${index}`,
      '',
    ].join('\n'),
  );
  return rel;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  await bundle();
  const harness = await import(pathToFileURL(path.join(out, 'harness.mjs')).href);
  const opts = { timeout: args.timeout, maxRssMb: args.maxRssMb };

  if (args.repro) {
    const w = new Worker(opts);
    await w.start();
    const r = await w.run({ id: 1, file: path.resolve(args.repro) });
    w.stop();
    console.log(JSON.stringify(r, null, 2));
    process.exit(r.outcome === 'hang' || r.outcome === 'crash' ? 1 : 0);
  }

  const formats = args.format ? args.format.split(',') : harness.FORMATS;
  for (const f of formats) if (!harness.FORMATS.includes(f)) throw new Error(`unknown format ${f} (known: ${harness.FORMATS.join(', ')})`);
  const corpus = harness.loadCorpus(root);
  const workers = Array.from({ length: args.workers }, () => new Worker(opts));
  await Promise.all(workers.map((w) => w.start()));
  console.log(`fuzz: seed ${args.seed}, ${args.only ?? args.iterations} input(s) per format, time bound ${args.timeout} ms, RSS watch ${args.maxRssMb} MB, ${workers.length} workers (build+start ${((Date.now() - t0) / 1000).toFixed(1)} s)`);

  const rows = [];
  const findings = [];
  let id = 0;
  for (const format of formats) {
    const started = Date.now();
    const row = { format, inputs: 0, report: 0, error: 0, hang: 0, crash: 0, verdicts: {}, holdPayload: 0, caught: 0, failOpen: 0, maxMs: 0, slowest: -1, peakRssMb: 0, peakRssInput: -1, seconds: 0 };
    const indices = args.only !== null ? [args.only] : Array.from({ length: args.iterations }, (_, i) => i);
    let next = 0;
    let lastPrint = Date.now();
    const ext = { h5: 'h5', keras: 'keras', json: 'json', marshal: 'json', pickle: 'pkl', pb: 'pb' }[format];
    await Promise.all(
      workers.map(async (w) => {
        while (next < indices.length && (Date.now() - started) / 1000 < args.seconds) {
          const index = indices[next++];
          await w.ensure();
          const r = await w.run({ id: ++id, seed: args.seed, format, index });
          row.inputs++;
          row[r.outcome]++;
          if (r.verdict) row.verdicts[r.verdict] = (row.verdicts[r.verdict] ?? 0) + 1;
          // Fail-open oracle: an input that still holds a seed payload byte for byte must never be clean.
          if (r.holdsPayload) {
            row.holdPayload++;
            if (r.verdict === 'clean') {
              row.failOpen++;
              r.outcome = 'fail-open';
              r.reason = 'reported clean although it still holds a seed payload byte for byte';
            } else row.caught++;
          }
          if (Number.isFinite(r.ms) && r.ms > row.maxMs) [row.maxMs, row.slowest] = [r.ms, index];
          const rssMb = Math.round((r.peakRss ?? 0) / 1048576);
          if (rssMb > row.peakRssMb) [row.peakRssMb, row.peakRssInput] = [rssMb, index];
          if (r.outcome === 'hang' || r.outcome === 'crash' || r.outcome === 'fail-open') {
            const file = saveFinding(harness, corpus, args, format, index, r, ext);
            findings.push({ format, index, outcome: r.outcome, reason: r.reason, message: r.message, file });
            console.log(`  ${r.outcome.toUpperCase()} ${format} #${index}: ${r.reason ?? ''} ${(r.message ?? '').split('\n')[0].slice(0, 200)} → ${file}`);
          }
          if (Date.now() - lastPrint > 15000) {
            lastPrint = Date.now();
            console.log(`  … ${format}: ${row.inputs}/${indices.length} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
          }
        }
      }),
    );
    row.seconds = Math.round((Date.now() - started) / 100) / 10;
    rows.push(row);
    console.log(
      `${format.padEnd(8)} inputs ${String(row.inputs).padStart(6)}  report ${String(row.report).padStart(6)}  error ${String(row.error).padStart(6)}  hang ${row.hang}  crash ${row.crash}  holding a payload ${row.holdPayload}, caught ${row.caught}, fail-open ${row.failOpen}  max ${Math.round(row.maxMs)} ms (#${row.slowest})  peak RSS ${row.peakRssMb} MB (#${row.peakRssInput})  ${row.seconds} s  verdicts ${JSON.stringify(row.verdicts)}`,
    );
  }
  for (const w of workers) w.stop();
  rmSync(path.join(out, 'tmp'), { recursive: true, force: true });
  const total = rows.reduce((t, r) => ({ inputs: t.inputs + r.inputs, hang: t.hang + r.hang, crash: t.crash + r.crash, failOpen: t.failOpen + r.failOpen }), { inputs: 0, hang: 0, crash: 0, failOpen: 0 });
  writeFileSync(path.join(out, 'summary.json'), JSON.stringify({ seed: args.seed, timeoutMs: args.timeout, rows, findings, total }, null, 2));
  console.log(`total: ${total.inputs} inputs, ${total.hang} hang(s), ${total.crash} crash(es), ${total.failOpen} fail-open in ${((Date.now() - t0) / 1000).toFixed(1)} s; summary in .fuzz/summary.json${findings.length ? ', inputs in .fuzz/crashes/' : ''}`);
  process.exit(total.hang + total.crash + total.failOpen > 0 ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
