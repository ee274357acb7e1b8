// README screenshots, regenerated from the real page:
//   docs/screenshot.png  the workspace at 1440×900 after one drop of a malicious sample: header verdict, findings,
//                        the graph with the flagged layer selected, its payload in the details panel
//   docs/graph-308.png   resnet_like_graph.keras (308 layers) in the same workspace, the flagged Lambda centred
//   docs/payload.png     the details panel alone: what the code does, highlighted source, marked disassembly
//   docs/phone.png       the one-column layout at 390×844 (verdict → findings → payload → graph)
//   docs/diff.png        Compare: a copy whose Lambda constant changed (echo a → curl … | sh) against the original
//   node scripts/screenshots.mjs [--skip-build]
// Builds to .scratch/shots-dist (the e2e dist/ is left alone), serves it on 127.0.0.1, drives /usr/bin/chromium
// with playwright-core (never downloads a browser). Light colour scheme.
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
  const shot = async (page, name) => {
    const file = path.join(root, 'docs', name);
    await page.screenshot({ path: file });
    const v = page.viewportSize();
    console.log(`${path.relative(root, file)}: ${v.width}×${v.height} px, ${(statSync(file).size / 1024).toFixed(0)} KB`);
  };
  try {
    const desktop = await (await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light', deviceScaleFactor: 1 })).newPage();
    // 1. The malicious sample as a reviewer first sees it: nothing scrolled, nothing clicked.
    await open(desktop, baseURL, 'mal_exec_b64.keras');
    const panel = desktop.getByTestId('details-panel');
    await panel.getByTestId('payload-source').waitFor();
    await shot(desktop, 'screenshot.png');
    // 3. The details panel alone.
    await shotOf(desktop, path.join(root, 'docs/payload.png'), [panel]);
    // 2. 308 layers: the first finding is selected and centred on open.
    await open(desktop, baseURL, 'resnet_like_graph.keras');
    await desktop.locator('[data-testid="graph-node"][aria-current="true"][data-flagged="true"]').first().waitFor();
    await shot(desktop, 'graph-308.png');
    // 4. A phone: one column.
    const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: 'light', deviceScaleFactor: 1 })).newPage();
    await open(phone, baseURL, 'mal_exec_b64.keras');
    await phone.getByTestId('details-panel').getByTestId('payload-source').waitFor();
    await shot(phone, 'phone.png');
    // 5. Compare two models.
    await desktop.goto(baseURL);
    await dropFiles(desktop, ['echo_a.keras', 'curl_sh.keras'].map((name) => ({ name, bytes: readFileSync(path.join(root, 'tests/fixtures/diff', name)) })));
    await desktop.getByTestId('compare-open').click();
    await desktop.getByTestId('compare-a').selectOption({ label: 'echo_a.keras' });
    await desktop.getByTestId('compare-b').selectOption({ label: 'curl_sh.keras' });
    await desktop.getByTestId('compare-run').click();
    await desktop.getByTestId('compare-result').waitFor({ timeout: 60_000 });
    await desktop.getByTestId('compare-graph').getByRole('button', { name: 'Fit', exact: true }).click();
    await desktop.waitForTimeout(300);
    await shot(desktop, 'diff.png');
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
