// README screenshots, regenerated from the real page: docs/screenshot.png (a malicious sample: verdict, graph,
// payload), docs/graph-308.png (resnet_like_graph.keras, the flagged Lambda in the graph), docs/payload.png
// (the payload view: highlighted source, marked disassembly).
//   node scripts/screenshots.mjs [--skip-build]
// Builds to .scratch/shots-dist (the e2e dist/ is left alone), serves it on 127.0.0.1, drives /usr/bin/chromium
// with playwright-core (never downloads a browser). Light colour scheme, 1280 px wide.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { buildApp, dropFiles, launchChromium, serveDir } from './browser-kit.mjs';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, '.scratch/shots-dist');

async function open(page, baseURL, name) {
  await page.goto(baseURL);
  await dropFiles(page, [{ name, bytes: readFileSync(path.join(root, 'tests/fixtures', name)) }]);
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
  if (!process.argv.includes('--skip-build')) if (!buildApp(outDir)) throw new Error('vite build failed');
  const server = await serveDir(outDir);
  const baseURL = `http://127.0.0.1:${server.address().port}/`;
  const browser = await launchChromium();
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
