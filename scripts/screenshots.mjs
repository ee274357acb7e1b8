// README screenshots, regenerated from the real page: docs/screenshot.png (a malicious sample: verdict, graph,
// payload), docs/graph-308.png (resnet_like_graph.keras, the flagged Lambda in the graph), docs/payload.png
// (the payload view: highlighted source, marked disassembly).
//   node scripts/screenshots.mjs [--skip-build]
// Builds to .scratch/shots-dist (the e2e dist/ is left alone), serves it on 127.0.0.1, drives /usr/bin/chromium
// with playwright-core (never downloads a browser). Light colour scheme, 1280 px wide.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { readFileSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, '.scratch/shots-dist');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml', '.wasm': 'application/wasm', '.png': 'image/png', '.webmanifest': 'application/manifest+json' };

export function build(dir) {
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn', '--outDir', dir, '--emptyOutDir'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('vite build failed');
}

export function serve(dir) {
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      let file = path.normalize(path.join(dir, decodeURIComponent(url.pathname)));
      if (!file.startsWith(dir)) throw new Error('outside');
      if ((await stat(file)).isDirectory()) file = path.join(file, 'index.html');
      res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(await readFile(file));
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Drops files on the drop zone through a real DataTransfer (as tests/e2e/harness.mjs does). */
export async function drop(page, files) {
  const payload = files.map((f) => ({ name: f.name, b64: Buffer.from(f.bytes).toString('base64') }));
  const transfer = await page.evaluateHandle((items) => {
    const dt = new DataTransfer();
    for (const item of items) {
      const binary = atob(item.b64);
      const bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      dt.items.add(new File([bytes], item.name, { type: 'application/octet-stream' }));
    }
    return dt;
  }, payload);
  const zone = page.getByTestId('dropzone');
  await zone.dispatchEvent('dragenter', { dataTransfer: transfer });
  await zone.dispatchEvent('dragover', { dataTransfer: transfer });
  const t0 = await page.evaluate(() => performance.now());
  await zone.dispatchEvent('drop', { dataTransfer: transfer });
  await transfer.dispose();
  return t0;
}

async function open(page, baseURL, name) {
  await page.goto(baseURL);
  await drop(page, [{ name, bytes: readFileSync(path.join(root, 'tests/fixtures', name)) }]);
  await page.getByTestId('verdict').waitFor({ timeout: 60_000 });
  await page.getByTestId('layer-graph').waitFor({ timeout: 60_000 });
  await page.waitForTimeout(400);
}

/** Screenshot of the union of some elements' boxes (page coordinates). */
async function shotOf(page, file, locators, pad = 8) {
  const boxes = [];
  for (const l of locators) {
    await l.first().scrollIntoViewIfNeeded();
    const b = await l.first().evaluate((e) => {
      const r = e.getBoundingClientRect();
      return { x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height };
    });
    boxes.push(b);
  }
  const x = Math.max(0, Math.min(...boxes.map((b) => b.x)) - pad);
  const y = Math.max(0, Math.min(...boxes.map((b) => b.y)) - pad);
  const x1 = Math.max(...boxes.map((b) => b.x + b.w)) + pad;
  const y1 = Math.max(...boxes.map((b) => b.y + b.h)) + pad;
  await page.screenshot({ path: file, clip: { x, y, width: x1 - x, height: y1 - y }, fullPage: true });
  console.log(`${path.relative(root, file)}: ${Math.round(x1 - x)}×${Math.round(y1 - y)} px, ${(statSync(file).size / 1024).toFixed(0)} KB`);
}

async function main() {
  if (!process.argv.includes('--skip-build')) build(outDir);
  const server = await serve(outDir);
  const baseURL = `http://127.0.0.1:${server.address().port}/`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, colorScheme: 'light', deviceScaleFactor: 1 });
  const page = await context.newPage();
  try {
    // 1. The malicious sample: verdict, graph with the flagged layer selected, its payload in the details panel.
    await open(page, baseURL, 'mal_exec_b64.keras');
    const panel = page.getByTestId('details-panel');
    await panel.getByTestId('payload-source').waitFor();
    // Hide the long config so the payload sits right under the graph.
    await panel.locator('details:has(> summary:text("Config"))').evaluate((d) => d.removeAttribute('open')).catch(() => {});
    await shotOf(page, path.join(root, 'docs/screenshot.png'), [page.getByTestId('verdict'), page.getByTestId('layer-graph'), panel.getByTestId('payload-source')]);

    // 3. The payload view alone: highlighted source, versions, marked disassembly.
    await shotOf(page, path.join(root, 'docs/payload.png'), [panel.locator('[data-testid="layer-payload"]')]);

    // 2. 308 layers: the graph with the flagged Lambda selected and centred.
    await open(page, baseURL, 'resnet_like_graph.keras');
    await page.getByTestId('graph-next-finding').click();
    await page.locator('[data-testid="graph-node"][data-flagged="true"]').first().waitFor();
    await page.locator('.lg-zoom button[aria-label="Zoom out"]').click();
    await page.waitForTimeout(300);
    await shotOf(page, path.join(root, 'docs/graph-308.png'), [page.getByTestId('layer-graph')]);
  } finally {
    await browser.close();
    server.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
