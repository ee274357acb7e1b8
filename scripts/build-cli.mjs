// Bundles the CLI (src/cli/main.ts and the core it imports) into dist-cli/lambdalens.mjs with esbuild.
// Run by `npm install` (prepare) so `node bin/lambdalens.mjs` works straight from a clone.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const entry = path.join(root, 'src/cli/main.ts');
if (!existsSync(entry)) process.exit(0);
await build({
  entryPoints: [entry],
  outfile: path.join(root, 'dist-cli/lambdalens.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // h5wasm's Node build uses the host file system directly (NODERAWFS); keep it a runtime import.
  external: ['h5wasm', 'h5wasm/node'],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
});
