// The layer graph in Chromium: (a) resnet_like_graph.keras (308 layers): drop → graph painted with the flagged
// Lambda drawn and selected; (b) synthetic Keras configs of 1,000 and 10,000 layers (tests/unit/graph/
// synthetic-model.ts, dropped as config.json files): drop → first paint of the graph, and frame times while
// panning (requestAnimationFrame timestamps during scripted mouse drags). Medians of RUNS runs.
//   node scripts/bench/graph-browser.mjs [--skip-build] [--runs 3]
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadavg, cpus } from 'node:os';
import { tsImport } from 'tsx/esm/api';
import { buildApp, dropFiles, launchChromium, serveDir } from '../browser-kit.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = path.join(root, '.scratch/bench-graph-dist');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

const { syntheticConfig } = await tsImport(path.join(root, 'tests/unit/graph/synthetic-model.ts'), import.meta.url);

/** Drop → the graph has painted (a node in the DOM, then one more frame); `flagged` also waits for the Lambda. */
async function dropToPaint(page, baseURL, file, flagged) {
  await page.goto(baseURL);
  const t0 = await dropFiles(page, [file]);
  await page.getByTestId('verdict').waitFor({ timeout: 300_000 });
  const selector = flagged ? '[data-testid="graph-node"][data-flagged="true"][aria-current="true"]' : '[data-testid="graph-node"]';
  await page.waitForSelector(selector, { timeout: 300_000 });
  const painted = await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now())))));
  return painted - t0;
}

/** Frame intervals while dragging across the graph viewport (40 moves per drag, 4 drags). */
async function panFrames(page) {
  const box = await page.locator('.lg-viewport').boundingBox();
  await page.locator('.lg-viewport').scrollIntoViewIfNeeded();
  const b = await page.locator('.lg-viewport').boundingBox();
  await page.evaluate(() => {
    window.__frames = [];
    const tick = (t) => {
      window.__frames.push(t);
      if (window.__frames.length < 100000 && !window.__stop) requestAnimationFrame(tick);
    };
    window.__stop = false;
    requestAnimationFrame(tick);
  });
  const cx = b.x + b.width / 2;
  const cy = b.y + b.height / 2;
  for (let d = 0; d < 4; d++) {
    const dir = d % 2 === 0 ? 1 : -1;
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    for (let i = 1; i <= 40; i++) await page.mouse.move(cx + dir * i * 6, cy + dir * i * 4);
    await page.mouse.up();
  }
  const frames = await page.evaluate(() => {
    window.__stop = true;
    return window.__frames;
  });
  void box;
  const deltas = [];
  for (let i = 1; i < frames.length; i++) deltas.push(frames[i] - frames[i - 1]);
  return deltas;
}

async function main() {
  if (!process.argv.includes('--skip-build')) if (!buildApp(outDir)) throw new Error('vite build failed');
  const server = await serveDir(outDir);
  const baseURL = `http://127.0.0.1:${server.address().port}/`;
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores; ${RUNS} runs each, medians`);
  try {
    const resnet = { name: 'resnet_like_graph.keras', bytes: readFileSync(path.join(root, 'tests/fixtures/resnet_like_graph.keras')) };
    const t308 = [];
    for (let i = 0; i < RUNS; i++) t308.push(await dropToPaint(page, baseURL, resnet, true));
    console.log(`resnet_like_graph.keras (308 layers): drop → graph painted, Lambda drawn and selected: ${median(t308).toFixed(0)} ms`);

    for (const size of [1000, 10000]) {
      const file = { name: `synthetic_${size}.json`, bytes: Buffer.from(JSON.stringify(syntheticConfig(size))) };
      const paint = [];
      const frames = [];
      let dom = 0;
      let overview = false;
      for (let i = 0; i < RUNS; i++) {
        paint.push(await dropToPaint(page, baseURL, file, false));
        dom = await page.getByTestId('graph-node').count();
        frames.push(...(await panFrames(page)));
        overview = (await page.locator('canvas.lg-overview').count()) > 0;
      }
      console.log(
        `synthetic ${size} layers (${(file.bytes.length / 1024).toFixed(0)} KB config): drop → first graph paint ${median(paint).toFixed(0)} ms; ` +
          `panning frame time median ${median(frames).toFixed(1)} ms, p95 ${pct(frames, 0.95).toFixed(1)} ms (${frames.length} frames); ` +
          `${dom} graph nodes in the DOM${overview ? ', overview canvas on' : ''}`,
      );
    }
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
