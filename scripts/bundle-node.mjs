// One esbuild setting for every Node bundle of src/ (the CLI, the bench, the fuzzer): the TypeScript core
// as one ESM file; h5wasm stays a runtime import because its Node build reads the host file system directly.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/**
 * `h5wasmBesideBundle`: the CLI loads the HDF5 library written next to it by build-cli.mjs (its WebAssembly a
 * separate file); other bundles (bench, fuzzer) import h5wasm/node as it is.
 */
export function bundleForNode(entry, outfile, { h5wasmBesideBundle = false } = {}) {
  return build({
    define: { __LAMBDALENS_H5_BESIDE__: h5wasmBesideBundle ? 'true' : 'false' },
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
