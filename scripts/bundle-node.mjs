// One esbuild setting for every Node bundle of src/ (the CLI, the bench, the fuzzer): the TypeScript core
// as one ESM file; h5wasm stays a runtime import because its Node build reads the host file system directly.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

export function bundleForNode(entry, outfile) {
  return build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['h5wasm', 'h5wasm/node'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'warning',
    // Output inside the project: bare imports (h5wasm) resolve from node_modules.
    absWorkingDir: root,
  });
}
