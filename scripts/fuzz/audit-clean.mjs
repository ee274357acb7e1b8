// Fail-open audit: scans mutated inputs and lists those reported *clean* whose bytes still carry Lambda code
// markers (base64 of a marshalled code object, a `__lambda__` wrapper, a "Lambda" class name). Each listed
// file is a question — does any loader still run code from it? — not a verdict. Usage:
//   node scripts/fuzz/audit-clean.mjs [--format h5] [--seed 23] [--iterations 3000]
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleForNode } from '../bundle-node.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const format = arg('--format', 'h5');
const seed = Number(arg('--seed', '23'));
const iterations = Number(arg('--iterations', '3000'));

const out = path.join(root, '.fuzz/audit');
mkdirSync(out, { recursive: true });
await bundleForNode(path.join(root, 'scripts/fuzz/harness.ts'), path.join(out, 'harness.mjs'));
const h = await import(pathToFileURL(path.join(out, 'harness.mjs')).href);
const corpus = h.loadCorpus(root);
const MARKERS = ['4wEAAAA', '4wAAAAA', 'YwAAAAA', '__lambda__', '"Lambda"', 'TFOpLambda'];

let clean = 0;
const listed = [];
for (let i = 0; i < iterations; i++) {
  const input = h.generateInput(corpus, seed, format, i);
  const r = await h.scanBytes(input.bytes, 'audit');
  if (r.verdict !== 'clean') continue;
  clean++;
  const text = Buffer.from(input.bytes).toString('latin1');
  const found = MARKERS.filter((m) => text.includes(m));
  if (found.length) listed.push(`#${i} ${found.join(',')} [${input.recipe.join(' ')}]  repro: node scripts/fuzz/run.mjs --format ${format} --seed ${seed} --only ${i}`);
}
console.log(`${format} seed ${seed}: ${clean} of ${iterations} reported clean; ${listed.length} of those still carry code markers`);
for (const line of listed) console.log(`  ${line}`);
