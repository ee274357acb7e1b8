/**
 * Vite plugin: the HDF5 WebAssembly as its own asset (`h5wasm-<hash>.wasm`, split out by scripts/h5wasm-split.mjs),
 * which the worker compiles with WebAssembly.compileStreaming as soon as it starts — off the main thread, cached
 * compiled by the browser — and instantiates only when an HDF5 container is met (src/worker/hdf5-wasm.ts).
 * The single-file build keeps h5wasm as it is (inlined: file:// cannot fetch an asset).
 */
import type { Plugin } from 'vite';
import { hookHl, splitUtil } from '../h5wasm-split.mjs';

const UTIL = /h5wasm[\\/]dist[\\/]esm[\\/]hdf5_util\.js$/;
const HL = /h5wasm[\\/]dist[\\/]esm[\\/]hdf5_hl\.js$/;
/** Replaced in the worker bundle by the asset's file name (relative to the worker script). */
export const WASM_URL_PLACEHOLDER = '__LAMBDALENS_H5WASM_FILE__';

export function h5wasmAsset(): Plugin {
  let ref = '';
  return {
    name: 'lambdalens:h5wasm-asset',
    apply: 'build',
    enforce: 'pre',
    transform(code, id) {
      if (UTIL.test(id)) {
        const split = splitUtil(code);
        ref = this.emitFile({ type: 'asset', name: 'h5wasm.wasm', source: split.wasm });
        return { code: split.code, map: null };
      }
      if (HL.test(id)) return { code: hookHl(code), map: null };
      return null;
    },
    renderChunk(code) {
      if (!code.includes(WASM_URL_PLACEHOLDER)) return null;
      if (!ref) throw new Error('h5wasm-asset: the worker asks for the wasm file, but none was emitted');
      return { code: code.split(WASM_URL_PLACEHOLDER).join(this.getFileName(ref).split('/').pop()!), map: null };
    },
  };
}
