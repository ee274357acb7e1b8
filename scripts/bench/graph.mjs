// Layer-graph layout time on synthetic Keras models (ResNet-style chains with skips, nested sub-models,
// wrappers, one Lambda): median of 5 runs per size, after one warm-up run. Also the re-layout after
// collapsing every container, and the resnet_like_graph.keras fixture when the scan can read it.
// Usage: node scripts/bench/graph.mjs [sizes…]   (default 1000 10000)
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const load = (rel) => tsImport(path.join(root, rel), import.meta.url);
const { layoutGraph, layoutModel } = await load('src/core/graph/layout.ts');
const { buildGraphModel, defaultExpanded } = await load('src/core/graph/model.ts');
const { syntheticLayers } = await load('tests/unit/graph/synthetic-model.ts');

const RUNS = 5;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${ms.toFixed(1)} ms`;

/** Wall time, and process CPU time (all threads, GC included): on a shared, loaded machine the second is steadier. */
function time(fn) {
  const cpu = process.cpuUsage();
  const t = performance.now();
  const out = fn();
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - t, cpuMs: (used.user + used.system) / 1000, out };
}

console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores`);
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
for (const size of sizes.length ? sizes : [1000, 10000]) {
  const { layers, lambdas } = syntheticLayers(size);
  time(() => layoutGraph(layers, lambdas)); // warm-up (JIT)
  const full = [];
  const cpu = [];
  const relayout = [];
  let last;
  for (let i = 0; i < RUNS; i++) {
    const run = time(() => layoutGraph(layers, lambdas));
    full.push(run.ms);
    cpu.push(run.cpuMs);
    last = run.out;
    const model = buildGraphModel(layers, lambdas);
    const roots = new Set([...defaultExpanded(model)].filter((p) => !p.includes('/')));
    relayout.push(time(() => layoutModel(model, roots)).ms);
  }
  console.log(
    `${String(layers.length).padStart(6)} layers: build+layout median ${fmt(median(full))} ` +
      `(min ${fmt(Math.min(...full))}, max ${fmt(Math.max(...full))}; CPU median ${fmt(median(cpu))}); ` +
      `${last.nodes.length} nodes, ${last.edges.length} edges; re-layout with containers collapsed ${fmt(median(relayout))}`,
  );
}

try {
  const { scanPath } = await load('src/node/scan-path.ts');
  const { layoutReport } = await load('src/core/graph/layout.ts');
  const report = await scanPath(path.join(root, 'tests/fixtures/resnet_like_graph.keras'), { hash: false });
  layoutReport(report);
  const runs = Array.from({ length: RUNS }, () => time(() => layoutReport(report)).ms);
  console.log(`resnet_like_graph.keras (${report.layers.length} layers): median ${fmt(median(runs))}`);
} catch (error) {
  console.log(`resnet_like_graph.keras: skipped (${error instanceof Error ? error.message : String(error)})`);
}
