// `npm run test:e2e`: builds the app (vite build → dist/), serves dist/ on 127.0.0.1 (random port), runs
// tests/e2e/*.spec.mjs in the system Chromium via playwright-core (never downloads a browser), and fails
// on any request that leaves the page's own origin. A test whose `setup` names `allowOrigins` (the local servers
// an "Open from URL" test inspects) may also reach exactly those origins; `browserArgs` give it its own browser.
// It also builds the single-file page once (npm run build:single → dist-single/lambdalens.html); tests that
// register with `{ start: 'single-file' }` begin there, over file://, where that one file (and blob:null/…
// URLs it creates) is the page's own origin.
// Options: E2E_SKIP_BUILD=1 reuses dist/ and dist-single/; E2E_FILTER=text runs matching tests only;
// E2E_VITE_CONFIG=path.
import { spawnSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CHROMIUM_ARGS, launchChromium, serveDir } from '../../scripts/browser-kit.mjs';
import { registered } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const dist = path.join(root, 'dist');
const singleFile = path.join(root, 'dist-single', 'lambdalens.html');
const singleFileURL = pathToFileURL(singleFile).href;
const TEST_TIMEOUT_MS = 90_000;
const SUB_PATH = '/some/sub/path/';

function build() {
  const args = [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'];
  if (process.env.E2E_VITE_CONFIG) args.push('--config', process.env.E2E_VITE_CONFIG);
  runVite(args, 'dist/');
  runVite(
    [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn', '--config', 'vite.single.config.ts', '--mode', 'single'],
    'dist-single/lambdalens.html',
  );
}

function runVite(args, what) {
  const started = Date.now();
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`vite build of ${what} failed`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  console.log(`built ${what} in ${Date.now() - started} ms`);
}

async function main() {
  if (process.env.E2E_SKIP_BUILD !== '1') build();
  const specs = (await readdir(here)).filter((f) => f.endsWith('.spec.mjs')).sort();
  for (const spec of specs) {
    const before = registered.length;
    await import(pathToFileURL(path.join(here, spec)).href);
    for (const t of registered.slice(before)) t.file = spec;
  }
  const filter = process.env.E2E_FILTER;
  const tests = filter ? registered.filter((t) => t.name.includes(filter)) : registered;

  const server = await serveDir(dist, { subPath: SUB_PATH });
  const { port } = server.address();
  const baseURL = `http://127.0.0.1:${port}/`;
  const origin = new URL(baseURL).origin;
  const browser = await launchChromium();

  let passed = 0;
  let failed = 0;
  const foreign = [];
  for (const t of tests) {
    const problems = [];
    let env;
    let ownBrowser = null;
    let context;
    try {
      env = t.setup ? await t.setup() : undefined;
      if (env?.browserArgs?.length) ownBrowser = await launchChromium({ args: [...CHROMIUM_ARGS, ...env.browserArgs] });
      context = await (ownBrowser ?? browser).newContext(t.contextOptions ?? {});
    } catch (e) {
      failed++;
      console.log(`✗ ${t.file} › ${t.name} (setup)\n    ${String(e?.stack ?? e).split('\n').slice(0, 6).join('\n    ')}`);
      await env?.close().catch(() => {});
      await ownBrowser?.close().catch(() => {});
      continue;
    }
    // Exact origins only (scheme, host and port), and only for the test that started those servers.
    const allowed = new Set(env?.allowOrigins ?? []);
    const fromFile = t.start === 'single-file';
    const onRequest = (request) => {
      const url = request.url();
      if (url.startsWith('data:')) return;
      if (fromFile && (url === singleFileURL || url.startsWith('blob:null/'))) return;
      let requestOrigin;
      try {
        requestOrigin = new URL(url.startsWith('blob:') ? url.slice(5) : url).origin;
      } catch {
        requestOrigin = url;
      }
      if (requestOrigin !== origin && !allowed.has(requestOrigin)) {
        foreign.push(`${t.name}: ${url}`);
        problems.push(`request left the page's origin: ${url}`);
      }
    };
    context.on('request', onRequest);
    const page = await context.newPage();
    page.on('request', onRequest);
    page.on('worker', (worker) =>
      worker.on('console', (message) => {
        if (process.env.E2E_VERBOSE) console.log(`    [worker.${message.type()}] ${message.text()}`);
      }),
    );
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      const text = message.text();
      if (/Content Security Policy|Refused to/i.test(text)) problems.push(`CSP: ${text}`);
      if (process.env.E2E_VERBOSE) console.log(`    [console.${message.type()}] ${text}`);
    });
    const started = Date.now();
    let error = null;
    try {
      await page.goto(fromFile ? singleFileURL : baseURL);
      await withTimeout(
        t.fn({
          page,
          baseURL,
          singleFileURL,
          fixture: (name) => readFileSync(path.join(root, 'tests/fixtures', name)),
          log: (message) => console.log(`    ${message}`),
          env,
        }),
        TEST_TIMEOUT_MS,
      );
      if (problems.length) throw new Error(problems.join('\n'));
    } catch (e) {
      error = e;
      try {
        const shot = path.join(root, '.scratch', `e2e-fail-${t.name.replace(/[^a-z0-9]+/gi, '_')}.png`);
        await page.screenshot({ path: shot, fullPage: true });
      } catch {
        // best effort
      }
    }
    await context.close();
    await ownBrowser?.close();
    await env?.close();
    const ms = Date.now() - started;
    if (error) {
      failed++;
      console.log(`✗ ${t.file} › ${t.name} (${ms} ms)\n    ${String(error?.stack ?? error).split('\n').slice(0, 6).join('\n    ')}`);
    } else {
      passed++;
      console.log(`✓ ${t.file} › ${t.name} (${ms} ms)`);
    }
  }
  await browser.close();
  server.close();
  if (foreign.length) console.log(`foreign requests:\n  ${foreign.join('\n  ')}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 || tests.length === 0 ? 1 : 0);
}

function withTimeout(promise, ms) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`test timed out after ${ms} ms`)), ms);
    }),
  ]);
}

main().catch((error) => {
  console.error(error);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
