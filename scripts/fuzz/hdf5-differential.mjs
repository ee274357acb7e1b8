#!/usr/bin/env node
// Differential fuzz of our root-attribute parser against the HDF5 library (see hdf5-differential-entry.ts).
//   node scripts/fuzz/hdf5-differential.mjs [--iterations 2000] [--seed 23]
// Exit 1 when any input is read differently.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleForNode } from '../bundle-node.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const out = path.join(root, '.fuzz/hdf5-differential.mjs');
await bundleForNode(path.join(root, 'scripts/fuzz/hdf5-differential-entry.ts'), out);
const { runDifferential } = await import(pathToFileURL(out).href);
process.exitCode = (await runDifferential(root, arg('--iterations', 2000), arg('--seed', 23))) > 0 ? 1 : 0;
