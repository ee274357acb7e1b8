// `npm run bench`: (a) decode throughput over the goldens, (b) large sparse inputs in .bench/inputs,
// (c) CLI wall time and peak RSS per input (median of --runs), (d) costs of the hostile-input guards (HDF5
// attribute pre-check, oversized payloads), (e) the HDF5 group-tree walk vs the h5wasm structure scan;
// printed as tables, JSON in .bench/results.json.
// Options: --sizes 10M,500M,2G,8G  --runs 5  --no-hash-only | --hash-only  --hash-all-runs-up-to 600M
//          --skip-decode  --skip-guards  --skip-tree  --browser
// Part (e) alone: node scripts/bench/tree-walk.mjs
// The browser part (drop → verdict, tab memory) is scripts/bench/browser.mjs (`--browser` runs it at the end).
import { statSync, writeFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import path from 'node:path';
import { bundleCli, benchDir, root } from './bundle.mjs';
import { decodeThroughput } from './decode-throughput.mjs';
import { makeInputs, parseSize } from './make-inputs.mjs';
import { benchFile } from './cli-bench.mjs';

const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
};
const has = (name) => argv.includes(name);
const sizes = opt('--sizes', '10M,500M,2G,8G').split(',');
const runs = Number(opt('--runs', '5'));
const modes = has('--hash-only') ? [true] : has('--no-hash-only') ? [false] : [false, true];
// The streamed sha256 runs at tens of MB/s in the pure-TS hasher: above this size the hashed scan runs once.
const hashRunsMaxBytes = parseSize(opt('--hash-all-runs-up-to', '600M'));

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

const results = { when: new Date().toISOString(), node: process.version, cpus: (await import('node:os')).cpus().length };
console.log(`df -h /work:\n${execSync('df -h /work').toString().trim()}\n`);

if (!has('--skip-decode')) {
  console.log('(a) decode throughput over the goldens …');
  const d = await decodeThroughput({ seconds: 3 });
  results.decode = d;
  console.log(
    table(
      ['payloads', 'passes', 'not ok', 'payloads/s', 'median pass', 'MB/s', 'µs/payload', 'load avg'],
      [[d.payloads, d.passes, d.failures, d.payloadsPerSecond.toFixed(0), d.medianPassPayloadsPerSecond.toFixed(0), d.megabytesPerSecond.toFixed(2), d.meanMicroseconds.toFixed(0), d.loadAverage.toFixed(1)]],
    ),
  );
  console.log(table(Object.keys(d.stageMicroseconds).map((s) => `${s} µs`), [Object.values(d.stageMicroseconds).map((v) => v.toFixed(0))]));
  console.log();
}

console.log(`(b) building sparse inputs (${sizes.join(', ')}) in .bench/inputs …`);
const inputs = await makeInputs({ sizes });
results.inputs = inputs.map((f) => ({ file: path.relative(root, f.file), size: f.size, diskBytes: f.diskBytes }));
console.log(table(['file', 'apparent size', 'on disk'], inputs.map((f) => [path.relative(root, f.file), f.size.toLocaleString('en-US'), `${(f.diskBytes / 1024).toFixed(0)} KiB`])));
console.log();

console.log(`(c) CLI scan, median of ${runs} runs (wall time and peak RSS from /usr/bin/time) …`);
const runner = await bundleCli();
results.cli = [];
const rows = [];
for (const f of inputs) {
  let noHashWall;
  for (const hash of modes) {
    const n = hash && f.size > hashRunsMaxBytes ? 1 : runs;
    const r = benchFile(runner, f.file, { runs: n, hash });
    results.cli.push({ ...r, file: path.relative(root, f.file), size: statSync(f.file).size });
    if (!hash) noHashWall = r.wallS;
    // Hash rate from the difference to the unhashed scan of the same file (start-up and parsing cancel out).
    const hashS = hash && noHashWall !== undefined ? r.wallS - noHashWall : undefined;
    const mbps = hashS && hashS > 0.05 ? `${(f.size / 1e6 / hashS).toFixed(0)} MB/s` : '';
    rows.push([path.basename(f.file), hash ? 'sha256' : '--no-hash', n, r.wallS.toFixed(2), r.wallMinS.toFixed(2), r.maxRssMiB.toFixed(0), r.verdict + (r.error ? ` (${r.error.slice(0, 60)})` : ''), mbps]);
    console.log(`  ${rows.at(-1).join('  ')}`);
  }
}
console.log();
console.log(table(['input', 'hash', 'runs', 'wall s (median)', 'wall s (min)', 'peak RSS MiB', 'verdict', 'hash rate'], rows));

if (!has('--skip-guards')) {
  const { precheckCosts, oversizedPayloadCosts } = await import('./precheck.mjs');
  console.log('\n(d) HDF5 attribute pre-check, median of 7 (reads and bytes of one run) …');
  const files = [
    ...['two_lambdas.h5', 'resnet_like_graph.h5', 'hdf5-layouts/nested_submodel_lambda.dense.h5'].map((f) => path.join(root, 'tests/fixtures', f)),
    ...inputs.filter((f) => f.file.endsWith('.h5')).map((f) => f.file),
  ];
  results.precheck = await precheckCosts({ files });
  console.log(
    table(
      ['file', 'size', 'ms (median)', 'reads', 'bytes read', 'verified', 'heap objects'],
      results.precheck.map((r) => [r.file, r.size.toLocaleString('en-US'), r.ms.toFixed(2), r.reads, r.bytes.toLocaleString('en-US'), r.verified, r.heapObjects]),
    ),
  );
  console.log('\n    oversized Lambda payloads (mal_os_system + N filler instructions), median of 3 …');
  results.oversized = await oversizedPayloadCosts();
  console.log(
    table(
      ['instructions', 'bytecode bytes', 'ms (median)', 'heap growth MB', 'source', 'disassembly', 'indicators'],
      results.oversized.map((r) => [r.instructions.toLocaleString('en-US'), r.bytecodeBytes.toLocaleString('en-US'), r.ms.toFixed(0), r.heapGrowthMb, r.source, r.disassembly, r.indicators]),
    ),
  );
}
if (!has('--skip-tree')) {
  const { treeWalkCosts, treeWalkInputs } = await import('./tree-walk.mjs');
  console.log('\n(e) HDF5 group-tree walk vs the h5wasm structure scan, median of 7 (reads and bytes of one run) …');
  results.treeWalk = await treeWalkCosts({ files: [...(await treeWalkInputs()), ...inputs.filter((f) => f.file.endsWith('.h5')).map((f) => f.file)] });
  console.log(
    table(
      ['file', 'size', 'datasets', 'groups', 'skipped', 'walk ms', 'reads', 'bytes read', 'h5wasm scan ms', 'h5wasm / walk'],
      results.treeWalk.map((r) => [
        r.file,
        r.size.toLocaleString('en-US'),
        r.datasets,
        r.groups,
        r.skipped,
        r.walkMs.toFixed(1),
        r.reads,
        r.bytesRead.toLocaleString('en-US'),
        r.h5wasmMs.toFixed(1),
        (r.h5wasmMs / r.walkMs).toFixed(1),
      ]),
    ),
  );
}
writeFileSync(path.join(benchDir, 'results.json'), JSON.stringify(results, null, 2));
console.log(`\nJSON: ${path.relative(root, path.join(benchDir, 'results.json'))}`);

if (has('--browser')) {
  const { runBrowserBench } = await import('./browser.mjs');
  await runBrowserBench({ files: [...['mal_os_system.h5', 'mal_os_system.keras', 'resnet_like_graph.h5', 'resnet_like_graph.keras'].map((f) => path.join(root, 'tests/fixtures', f)), ...inputs.filter((f) => f.size >= 2 ** 31 && f.size < 2 ** 32).map((f) => f.file)] });
}
