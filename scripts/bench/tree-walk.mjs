// (e) The HDF5 group-tree walk (src/core/formats/hdf5/tree.ts) against what the structure check cost when it went
// through the HDF5 library (h5wasm: open the file, list every group, read every dataset's metadata; the approach
// before the walk replaced it, re-created here as `libraryVisit`) on the 308-layer fixture and on files generated with h5wasm into .bench/inputs in the
// Keras layout (model_weights/<layer>/<layer>/{kernel:0,bias:0}): 10,000 datasets with 4 KiB kernels, in both
// group layouts — libver "earliest" (symbol tables: what h5py and Keras write) and "latest" (dense links) — and
// 400 datasets with 1 MiB kernels (metadata far apart between weights, 200 MiB).
// Median of N runs; reads and bytes of the walk are from one run (they do not vary). With --browser, the walk
// also runs in Chromium over a File chosen in an <input> (disk-backed, read by slice().arrayBuffer() as in the worker).
import { build } from 'esbuild';
import * as h5 from 'h5wasm/node';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleForNode } from '../bundle-node.mjs';
import { launchChromium, serveDir } from '../browser-kit.mjs';
import { benchDir, root } from './bundle.mjs';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A Keras-like weights tree of `layers` × 2 datasets (side × side kernels), written by h5wasm (kept between runs). */
export async function makeManyDatasets({ layers = 5000, side = 32, libver }) {
  await h5.ready;
  const dir = path.join(benchDir, 'inputs');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `datasets-${layers * 2}-${side}x${side}-${Array.isArray(libver) ? libver[0] : libver}.h5`);
  if (existsSync(file)) return file;
  const f = new h5.File(file, 'w', { libver });
  try {
    const weights = f.create_group('model_weights');
    const kernel = new Float32Array(side * side);
    const bias = new Float32Array(side);
    for (let i = 0; i < layers; i++) {
      const name = `dense_${i}`;
      const g = weights.create_group(name).create_group(name);
      g.create_dataset({ name: 'kernel:0', data: kernel, shape: [side, side], dtype: '<f' });
      g.create_dataset({ name: 'bias:0', data: bias, shape: [side], dtype: '<f' });
    }
  } finally {
    f.close();
  }
  return file;
}

/** Every object through h5wasm (groups listed, links asked for, dataset metadata read): the former structure scan's work. */
function libraryVisit(f) {
  let objects = 0;
  const queue = [f];
  while (queue.length) {
    const group = queue.shift();
    for (const name of group.keys()) {
      objects++;
      if (typeof group.get_link(name) === 'string') continue;
      const e = group.get(name);
      if (e instanceof h5.Group) queue.push(e);
      else if (e instanceof h5.Dataset) void e.metadata;
    }
  }
  return objects;
}

export async function treeWalkCosts({ files, runs = 7 }) {
  const bundle = path.join(benchDir, 'tree-walk.mjs');
  await bundleForNode(path.join(root, 'scripts/bench/tree-walk-entry.ts'), bundle);
  const { walkHdf5Tree, findSuperblock, NodeFileSource } = await import(pathToFileURL(bundle).href);
  await h5.ready;
  const rows = [];
  for (const file of files) {
    const walkTimes = [];
    let tree;
    for (let i = 0; i < runs; i++) {
      const source = await NodeFileSource.open(file);
      const t = performance.now();
      const at = (await findSuperblock(source, { head: await source.read(0, 4096), size: source.size })) ?? 0;
      tree = await walkHdf5Tree(source, at);
      walkTimes.push(performance.now() - t);
      await source.close();
    }
    const scanTimes = [];
    let facts;
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      const f = new h5.File(file, 'r');
      try {
        facts = libraryVisit(f);
      } finally {
        f.close();
      }
      scanTimes.push(performance.now() - t);
    }
    rows.push({
      file: path.relative(root, file),
      size: statSync(file).size,
      datasets: tree.datasets.length,
      groups: tree.groups,
      skipped: tree.skipped.length,
      walkMs: median(walkTimes),
      reads: tree.reads,
      bytesRead: tree.bytesRead,
      h5wasmMs: median(scanTimes),
      h5wasmObjects: facts,
    });
  }
  return rows;
}

/** The walk in Chromium over each file as a File from an <input>: median ms, reads, bytes. */
export async function treeWalkBrowser({ files, runs = 7 }) {
  const dir = path.join(benchDir, 'tree-walk-page');
  mkdirSync(dir, { recursive: true });
  await build({
    entryPoints: [path.join(root, 'scripts/bench/tree-walk-browser-entry.ts')],
    outfile: path.join(dir, 'walk.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'warning',
  });
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><input type="file"><script type="module" src="walk.js"></script>');
  const server = await serveDir(dir);
  const browser = await launchChromium();
  const rows = [];
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(() => typeof window.walkFile === 'function');
    for (const file of files) {
      await page.setInputFiles('input', file);
      const r = await page.evaluate((n) => window.walkFile(n), runs);
      rows.push({ file: path.relative(root, file), size: statSync(file).size, walkMs: median(r.ms), datasets: r.datasets, skipped: r.skipped, reads: r.reads, bytesRead: r.bytesRead });
    }
  } finally {
    await browser.close();
    server.close();
  }
  return rows;
}

/** The default inputs: the 308-layer fixture and the generated files. */
export async function treeWalkInputs() {
  return [
    path.join(root, 'tests/fixtures/resnet_like_graph.h5'),
    await makeManyDatasets({ libver: ['earliest', 'latest'] }),
    await makeManyDatasets({ libver: 'latest' }),
    await makeManyDatasets({ layers: 200, side: 512, libver: ['earliest', 'latest'] }),
  ];
}

// Alone: node scripts/bench/tree-walk.mjs [--runs 7] [--browser] [file.h5 …]
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  const runsAt = argv.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : 7;
  const named = argv.filter((a, i) => !a.startsWith('--') && (runsAt < 0 || i !== runsAt + 1)).map((f) => path.resolve(f));
  const files = named.length > 0 ? named : await treeWalkInputs();
  console.log(JSON.stringify(await treeWalkCosts({ files, runs }), null, 2));
  if (argv.includes('--browser')) console.log(JSON.stringify(await treeWalkBrowser({ files, runs }), null, 2));
}
