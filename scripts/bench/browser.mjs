// The browser half of the benchmark: drop → verdict time and tab memory in the system Chromium.
//   node scripts/bench/browser.mjs [files…] [--runs 3] [--skip-build]
// Builds the page (vite build → .bench/dist, so a concurrent `dist/` of the e2e tests is left alone), serves it on
// 127.0.0.1, opens it in /usr/bin/chromium via playwright-core (never downloads a browser), hands each bench file
// to the page's file input by path (CDP DOM.setFileInputFiles: the test process never reads the file), waits
// for [data-testid="verdict"], and samples the Pss of the renderer processes (/proc/<pid>/smaps_rollup) every
// 100 ms. Without arguments it uses .bench/inputs/* (see make-inputs.mjs). Robust to a page that is not ready:
// every failure is reported per file, and the script exits 0 with what it measured.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
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

/**
 * One run in a fresh browser: the page opened, the file chosen either the moment the file input exists ("at once")
 * or after the page has been idle a while ("idle": start-up work finished), then time to the verdict and to the
 * first graph node (in-page, from the input's change event), the app's profile (pipeline stages and worker steps,
 * data-profile), peak Pss of the browser's renderers, and for big files the time until the sha256 is shown.
 */
async function measureOne(url, file, mode, { hash = false } = {}) {
  const { chromium } = await import('playwright-core');
  const server = await chromium.launchServer({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const browserPid = server.process()?.pid;
  const browser = await chromium.connect(server.wsEndpoint());
  let sampler;
  try {
    const page = await browser.newPage();
    await page.goto(url, { waitUntil: 'load' });
    await page.locator('input[type=file]:not([webkitdirectory])').first().waitFor({ state: 'attached', timeout: 15_000 });
    if (mode === 'idle') await page.waitForTimeout(IDLE_WAIT_MS);
    const pss = () => (browserPid ? rendererPids(browserPid).reduce((n, p) => n + pssKiB(p), 0) : NaN);
    const baseline = pss();
    let peak = baseline;
    sampler = setInterval(() => {
      const total = pss();
      if (total > peak) peak = total;
    }, 100);
    await page.evaluate(() => {
      const b = (window.__llBench = { change: null, verdictAt: null, graphAt: null });
      document.addEventListener('change', () => (b.change ??= performance.now()), { capture: true });
      new MutationObserver(() => {
        if (b.verdictAt === null && document.querySelector('[data-testid=verdict][data-verdict]')) b.verdictAt = performance.now();
        if (b.graphAt === null && document.querySelector('[data-testid=graph-node]')) b.graphAt = performance.now();
      }).observe(document.body, { childList: true, subtree: true, attributes: true });
    });
    // By path, through CDP: Chromium opens the file itself; nothing is read or copied by this process.
    const cdp = await page.context().newCDPSession(page);
    const { root: doc } = await cdp.send('DOM.getDocument', { depth: 0 });
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: doc.nodeId, selector: 'input[type=file]:not([webkitdirectory])' });
    await cdp.send('DOM.setFileInputFiles', { nodeId, files: [file] });
    await page.waitForFunction(() => {
      const b = window.__llBench;
      const v = document.querySelector('[data-testid=verdict][data-verdict]');
      return v && (b.graphAt !== null || v.getAttribute('data-verdict') === 'error');
    }, null, { timeout: VERDICT_TIMEOUT_MS, polling: 'raf' });
    const verdict = page.locator('[data-testid="verdict"]');
    const r = await page.evaluate(() => window.__llBench);
    const profile = JSON.parse((await verdict.getAttribute('data-profile')) ?? '{}');
    const elapsedMs = Number(await verdict.getAttribute('data-elapsed-ms'));
    let hashMs = null;
    if (hash) {
      const t = performance.now();
      await page.waitForFunction(() => /^[0-9a-f]{64}$/.test(document.querySelector('[data-testid=sha256]')?.textContent ?? ''), null, { timeout: 600_000, polling: 200 });
      hashMs = performance.now() - t;
    }
    clearInterval(sampler);
    return {
      ok: true,
      verdict: await verdict.getAttribute('data-verdict'),
      verdictMs: r.verdictAt - r.change,
      graphMs: (r.graphAt ?? r.verdictAt) - r.change,
      elapsedMs,
      renderMs: (r.graphAt ?? r.verdictAt) - r.change - elapsedMs,
      profile,
      baselineMiB: baseline / 1024,
      peakMiB: Math.max(peak, pss()) / 1024,
      hashMs,
    };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message.split('\n')[0] : String(e) };
  } finally {
    clearInterval(sampler);
    await browser.close().catch(() => {});
    await server.close().catch(() => {});
  }
}

const IDLE_WAIT_MS = 5000;
const STAGES = ['detect', 'container', 'config', 'decode', 'analysis'];

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

const fmt = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–');

/**
 * Every file, both columns (at once / idle), `runs` fresh browsers each, medians; then the profile of the idle
 * runs (where the time went) and, for files over 256 MiB, the in-page sha256 rate.
 */
export async function runBrowserBench({ files, runs = 3, skipBuild = false } = {}) {
  if (!existsSync(CHROMIUM)) {
    console.log(`browser bench skipped: no Chromium at ${CHROMIUM}`);
    return [];
  }
  if (!skipBuild || !existsSync(path.join(outDir, 'index.html'))) build();
  const server = await serveDir(outDir);
  const url = `http://127.0.0.1:${server.address().port}/`;
  const rows = [];
  try {
    for (const file of files) {
      const size = statSync(file).size;
      const big = size > 256 * 1024 * 1024;
      const result = { file: path.relative(root, file), size };
      for (const mode of ['at-once', 'idle']) {
        const samples = [];
        // Runs alternate between the modes' fresh browsers only within a file; the load average is printed.
        for (let i = 0; i < runs; i++) samples.push(await measureOne(url, file, mode, { hash: big && mode === 'idle' && i === 0 }));
        const ok = samples.filter((s) => s.ok);
        result[mode] = {
          runs: ok.length,
          error: samples.find((s) => !s.ok)?.error,
          verdict: ok[0]?.verdict,
          graphMs: median(ok.map((s) => s.graphMs)),
          verdictMs: median(ok.map((s) => s.verdictMs)),
          renderMs: median(ok.map((s) => s.renderMs)),
          peakMiB: median(ok.map((s) => s.peakMiB)),
          baselineMiB: median(ok.map((s) => s.baselineMiB)),
          stages: Object.fromEntries(STAGES.map((k) => [k, median(ok.map((s) => s.profile.stages?.[k] ?? 0))])),
          host: Object.fromEntries(['wasmCompileMs', 'wasmInstantiateMs', 'layoutMs', 'warmUpMs'].map((k) => [k, median(ok.map((s) => s.profile.host?.[k] ?? NaN).filter(Number.isFinite))])),
          queueMs: median(ok.map((s) => s.elapsedMs - STAGES.reduce((n, k) => n + (s.profile.stages?.[k] ?? 0), 0) - (s.profile.host?.layoutMs ?? 0))),
          hashMs: ok.find((s) => s.hashMs !== null)?.hashMs ?? null,
        };
      }
      rows.push(result);
      console.log(`  ${path.basename(file)}: at once ${fmt(result['at-once'].graphMs)} ms, idle ${fmt(result.idle.graphMs)} ms to graph (load ${loadavg()[0].toFixed(1)})${result['at-once'].error ? `; at once failed: ${result['at-once'].error}` : ''}${result.idle.error ? `; idle failed: ${result.idle.error}` : ''}`);
    }
  } finally {
    server.close();
  }
  console.log(`\nTime to graph (ms from choosing the file; fresh browser per run, median of ${runs}; "idle": chosen ${IDLE_WAIT_MS / 1000} s after load):`);
  console.log(table(['file', 'size', 'at once', 'idle', 'verdict', 'peak Pss MiB', 'idle page Pss MiB'], rows.map((r) => [path.basename(r.file), formatSize(r.size), fmt(r['at-once'].graphMs), fmt(r.idle.graphMs), r.idle.verdict ?? r['at-once'].verdict ?? '–', fmt(r.idle.peakMiB), fmt(r.idle.baselineMiB)])));
  for (const mode of ['at-once', 'idle']) {
    console.log(`\nWhere the time went (${mode}, medians, ms): worker queue + message = elapsed − stages − layout; render = graph shown − report arrived`);
    console.log(
      table(
        ['file', 'queue+msg', ...STAGES, 'layout', 'render', 'wasm compile', 'wasm inst.', 'warm-up'],
        rows.map((r) => {
          const m = r[mode];
          return [path.basename(r.file), fmt(m.queueMs), ...STAGES.map((k) => fmt(m.stages[k])), fmt(m.host.layoutMs), fmt(m.renderMs), fmt(m.host.wasmCompileMs), fmt(m.host.wasmInstantiateMs), fmt(m.host.warmUpMs)];
        }),
      ),
    );
  }
  const hashed = rows.filter((r) => r.idle.hashMs);
  if (hashed.length) {
    console.log('\nIn-page sha256 (after the verdict, streamed in the worker):');
    console.log(table(['file', 'size', 'ms', 'MiB/s'], hashed.map((r) => [path.basename(r.file), formatSize(r.size), fmt(r.idle.hashMs), (r.size / 1048576 / (r.idle.hashMs / 1000)).toFixed(0)])));
  }
  return rows;
}

function formatSize(n) {
  return n >= 1 << 30 ? `${(n / 2 ** 30).toFixed(1)} GiB` : n >= 1 << 20 ? `${(n / 2 ** 20).toFixed(1)} MiB` : `${(n / 1024).toFixed(0)} KiB`;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  const runsAt = argv.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : 3;
  let files = argv.filter((a, i) => !a.startsWith('--') && (runsAt < 0 || i !== runsAt + 1)).map((f) => path.resolve(f));
  if (files.length === 0) {
    // The issue's table: the small real saves, the 308-layer model, and the big sparse inputs when built.
    files = ['mal_os_system.h5', 'mal_os_system.keras', 'resnet_like_graph.h5', 'resnet_like_graph.keras'].map((f) => path.join(root, 'tests/fixtures', f));
    const dir = path.join(root, '.bench/inputs');
    if (existsSync(dir)) files.push(...readdirSync(dir).filter((f) => /^bench-2G/.test(f)).sort().map((f) => path.join(dir, f)));
  }
  if (files.length === 0) {
    console.log('no input files: run `node scripts/bench/make-inputs.mjs` first or name files');
    process.exit(0);
  }
  console.log(`browser bench: ${files.length} file(s), ${runs} run(s) each`);
  const rows = await runBrowserBench({ files, runs, skipBuild: argv.includes('--skip-build') });
  writeFileSync(path.join(root, '.bench/browser.json'), JSON.stringify(rows, null, 2));
}
