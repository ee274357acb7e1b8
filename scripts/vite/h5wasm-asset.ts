/**
 * Vite plugin: h5wasm ships its WebAssembly as a 4 MB string inside hdf5_util.js, which the worker then had to
 * download, parse and decode before doing anything, on every page load. This plugin moves the binary into its own
 * asset (`h5wasm-<hash>.wasm`), which the worker compiles with WebAssembly.compileStreaming — off the main thread,
 * cached compiled by the browser — and only instantiates when an HDF5 container is met (`instantiateWasm` hook).
 * The single-file build keeps h5wasm as it is (inlined: file:// cannot fetch an asset).
 * Build time only; the binary is decoded exactly as h5wasm's own `binaryDecode` decodes it, and checked.
 */
import type { Plugin } from 'vite';

const UTIL = /h5wasm[\\/]dist[\\/]esm[\\/]hdf5_util\.js$/;
const HL = /h5wasm[\\/]dist[\\/]esm[\\/]hdf5_hl\.js$/;
const FIND = "function findWasmBinary(){return binaryDecode('";
const FACTORY_CALL = 'ModuleFactory({ noInitialRun: true })';
/** The name the worker defines its hook under (src/worker/hdf5-wasm.ts). */
export const INSTANTIATE_HOOK = '__lambdalensInstantiateHdf5';
/** Replaced in the worker bundle by the asset's file name (relative to the worker script). */
export const WASM_URL_PLACEHOLDER = '__LAMBDALENS_H5WASM_FILE__';

/** Reads the single-quoted JS string literal starting at `at` (after the quote); returns its value and end. */
function readLiteral(code: string, at: number): { value: string; end: number } {
  let out = '';
  for (let i = at; i < code.length; i++) {
    const c = code[i];
    if (c === "'") return { value: out, end: i };
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = code[++i];
    const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v', '0': '\0', "'": "'", '"': '"', '\\': '\\' };
    if (e in simple) out += simple[e];
    else if (e === 'x') {
      out += String.fromCharCode(parseInt(code.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (e === 'u') {
      out += String.fromCharCode(parseInt(code.slice(i + 1, i + 5), 16));
      i += 4;
    } else throw new Error(`h5wasm-asset: unexpected escape \\${e} at ${i}`);
  }
  throw new Error('h5wasm-asset: unterminated wasm string');
}

/** h5wasm's binaryDecode: each char code c gives the byte ~c >> 8 & c. */
function binaryDecode(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[i] = (~c >> 8) & c;
  }
  return out;
}

export function h5wasmAsset(): Plugin {
  let fileName = '';
  return {
    name: 'lambdalens:h5wasm-asset',
    apply: 'build',
    enforce: 'pre',
    transform(code, id) {
      if (UTIL.test(id)) {
        const start = code.indexOf(FIND);
        if (start < 0) throw new Error('h5wasm-asset: findWasmBinary not found (h5wasm changed?)');
        const { value, end } = readLiteral(code, start + FIND.length);
        const bytes = binaryDecode(value);
        if (bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) throw new Error('h5wasm-asset: the decoded binary is not WebAssembly');
        const ref = this.emitFile({ type: 'asset', name: 'h5wasm.wasm', source: bytes });
        fileName = ref;
        // The binary is fetched by the worker's instantiateWasm hook; nothing may fall back to the string.
        const replaced = `function findWasmBinary(){throw new Error('h5wasm: the WebAssembly binary is a separate asset')`;
        return { code: code.slice(0, start) + replaced + code.slice(end + 2), map: null };
      }
      if (HL.test(id)) {
        if (!code.includes(FACTORY_CALL)) throw new Error('h5wasm-asset: ModuleFactory call not found (h5wasm changed?)');
        return { code: code.replace(FACTORY_CALL, `ModuleFactory({ noInitialRun: true, instantiateWasm: globalThis.${INSTANTIATE_HOOK} })`), map: null };
      }
      return null;
    },
    renderChunk(code) {
      if (!code.includes(WASM_URL_PLACEHOLDER)) return null;
      if (!fileName) throw new Error('h5wasm-asset: the worker asks for the wasm file, but none was emitted');
      return { code: code.split(WASM_URL_PLACEHOLDER).join(this.getFileName(fileName).split('/').pop()!), map: null };
    },
  };
}
