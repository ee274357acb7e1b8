// Bundles the CLI (src/cli/main.ts and the core it imports) into dist-cli/lambdalens.mjs, and writes beside it the
// HDF5 library with its WebAssembly as a separate file (dist-cli/h5wasm/): h5wasm's Node build otherwise parses and
// decodes a 4 MB string on every start (~100 ms + ~80 ms measured). Run by `npm install` (prepare) so
// `node bin/lambdalens.mjs` works straight from a clone.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForNode, root } from './bundle-node.mjs';
import { hookHl, splitUtil } from './h5wasm-split.mjs';

const entry = path.join(root, 'src/cli/main.ts');
if (existsSync(entry)) {
  await bundleForNode(entry, path.join(root, 'dist-cli/lambdalens.mjs'), { h5wasmBesideBundle: true });
  const nodeBuild = path.dirname(fileURLToPath(import.meta.resolve('h5wasm/node')));
  const out = path.join(root, 'dist-cli/h5wasm');
  mkdirSync(out, { recursive: true });
  const util = splitUtil(readFileSync(path.join(nodeBuild, 'hdf5_util.js'), 'utf8'));
  writeFileSync(path.join(out, 'hdf5_util.js'), util.code);
  writeFileSync(path.join(out, 'h5wasm.wasm'), util.wasm);
  writeFileSync(path.join(out, 'hdf5_hl.js'), hookHl(readFileSync(path.join(nodeBuild, 'hdf5_hl.js'), 'utf8')));
  writeFileSync(path.join(out, 'package.json'), '{ "type": "module" }\n');
}
