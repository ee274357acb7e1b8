// The browser half of the benchmark: drop → verdict time and tab memory in the system Chromium.
//   node scripts/bench/browser.mjs [files…] [--runs 3] [--skip-build]
// Builds the page (vite build → .bench/dist, so a concurrent `dist/` of the e2e tests is left alone), serves it on
// 127.0.0.1, opens it in /usr/bin/chromium via playwright-core (never downloads a browser), hands each bench file
// to the page's file input by path (CDP DOM.setFileInputFiles: the test process never reads the file), waits
// for [data-testid="verdict"], and samples the Pss of the renderer processes (/proc/<pid>/smaps_rollup) every
// 100 ms. Without arguments it uses .bench/inputs/* (see make-inputs.mjs). Robust to a page that is not ready:
// every failure is reported per file, and the script exits 0 with what it measured.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { CHROMIUM, CHROMIUM_ARGS, buildApp, serveDir } from '../browser-kit.mjs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = path.join(root, '.bench/dist');
const VERDICT_TIMEOUT_MS = Number(process.env.BENCH_VERDICT_TIMEOUT_MS ?? 300_000);

function build() {
  if (!buildApp(outDir)) throw new Error('vite build failed');
}

/** Pids of Chromium renderer processes below `browserPid` (the page and its worker live in one of them). */
function rendererPids(browserPid) {
  const parent = new Map();
  const renderer = new Set();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const statText = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(statText.slice(statText.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(name), ppid);
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('--type=renderer')) renderer.add(Number(name));
    } catch {
      // the process ended meanwhile
    }
  }
  const below = (pid) => {
    for (let p = pid, n = 0; p > 1 && n < 64; p = parent.get(p) ?? 0, n++) if (p === browserPid) return true;
    return false;
  };
  return [...renderer].filter(below);
}

function pssKiB(pid) {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
}

async function measureOne(browser, browserPid, url, file) {
  let context;
  try {
    context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'load' });
    const input = page.locator('input[type=file][data-testid="file-input"], input[type=file]:not([webkitdirectory])').first();
    await input.waitFor({ state: 'attached', timeout: 15_000 });
    const baseline = browserPid ? rendererPids(browserPid).reduce((n, p) => n + pssKiB(p), 0) : NaN;
    let peak = baseline;
    const sampler = setInterval(() => {
      if (!browserPid) return;
      const total = rendererPids(browserPid).reduce((n, p) => n + pssKiB(p), 0);
      if (total > peak) peak = total;
    }, 100);
    // By path, through CDP: Chromium opens the file itself; nothing is read or copied by this process.
    const cdp = await context.newCDPSession(page);
    const { root: doc } = await cdp.send('DOM.getDocument', { depth: 0 });
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: doc.nodeId, selector: 'input[type=file]:not([webkitdirectory])' });
    if (!nodeId) throw new Error('no file input on the page');
    // Warm: a small model first, so the measured drop finds the worker started and h5wasm instantiated
    // (what a user sees from the second file on); cold: the drop right after the page loaded.
    let coldMs;
    const verdictOf = (name) =>
      page.locator('[data-testid="verdict"]').filter({ hasText: name }).first().waitFor({ state: 'visible', timeout: VERDICT_TIMEOUT_MS });
    const warmFile = path.join(root, 'tests/fixtures/no_lambda.h5');
    {
      const t = performance.now();
      await cdp.send('DOM.setFileInputFiles', { nodeId, files: [warmFile] });
      await verdictOf('no_lambda.h5');
      coldMs = performance.now() - t;
    }
    const started = performance.now();
    await cdp.send('DOM.setFileInputFiles', { nodeId, files: [file] });
    await verdictOf(path.basename(file));
    const ms = performance.now() - started;
    clearInterval(sampler);
    const after = browserPid ? rendererPids(browserPid).reduce((n, p) => n + pssKiB(p), 0) : NaN;
    const verdict = (await page.locator('[data-testid="verdict"]').first().innerText()).split('\n')[0].slice(0, 80);
    return { ok: true, ms, coldMs, baselineMiB: baseline / 1024, peakMiB: Math.max(peak, after) / 1024, afterMiB: after / 1024, verdict };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message.split('\n')[0] : String(e) };
  } finally {
    await context?.close().catch(() => {});
  }
}

export async function runBrowserBench({ files, runs = 3, skipBuild = false } = {}) {
  if (!existsSync(CHROMIUM)) {
    console.log(`browser bench skipped: no Chromium at ${CHROMIUM}`);
    return [];
  }
  if (!skipBuild || !existsSync(path.join(outDir, 'index.html'))) build();
  const { chromium } = await import('playwright-core');
  const server = await serveDir(outDir);
  const url = `http://127.0.0.1:${server.address().port}/`;
  // launchServer (not launch) because only the server exposes the browser process, whose renderers we measure.
  const browserServer = await chromium.launchServer({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const browserPid = browserServer.process()?.pid;
  const browser = await chromium.connect(browserServer.wsEndpoint());
  const rows = [];
  try {
    for (const file of files) {
      const samples = [];
      for (let i = 0; i < runs; i++) {
        const r = await measureOne(browser, browserPid, url, file);
        samples.push(r);
        if (!r.ok) break;
      }
      const ok = samples.filter((s) => s.ok);
      const row = {
        file: path.relative(root, file),
        size: statSync(file).size,
        runs: ok.length,
        verdictMs: median(ok.map((s) => s.ms)),
        coldFirstFileMs: median(ok.map((s) => s.coldMs)),
        peakTabMiB: median(ok.map((s) => s.peakMiB)),
        baselineTabMiB: median(ok.map((s) => s.baselineMiB)),
        verdict: ok[0]?.verdict,
        error: samples.find((s) => !s.ok)?.error,
      };
      rows.push(row);
      console.log(
        `  ${path.basename(file)}  ${row.runs ? `${row.verdictMs.toFixed(0)} ms to verdict (first file after page load: ${row.coldFirstFileMs.toFixed(0)} ms), tab Pss peak ${row.peakTabMiB.toFixed(0)} MiB (idle ${row.baselineTabMiB.toFixed(0)} MiB), ${row.verdict}` : `FAILED: ${row.error}`}`,
      );
    }
  } finally {
    await browser.close().catch(() => {});
    await browserServer.close().catch(() => {});
    server.close();
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  const runsAt = argv.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : 3;
  let files = argv.filter((a, i) => !a.startsWith('--') && (runsAt < 0 || i !== runsAt + 1)).map((f) => path.resolve(f));
  if (files.length === 0) {
    const dir = path.join(root, '.bench/inputs');
    files = existsSync(dir) ? readdirSync(dir).sort().map((f) => path.join(dir, f)) : [];
  }
  if (files.length === 0) {
    console.log('no input files: run `node scripts/bench/make-inputs.mjs` first or name files');
    process.exit(0);
  }
  console.log(`browser bench: ${files.length} file(s), ${runs} run(s) each`);
  const rows = await runBrowserBench({ files, runs, skipBuild: argv.includes('--skip-build') });
  console.log(JSON.stringify(rows, null, 2));
}
