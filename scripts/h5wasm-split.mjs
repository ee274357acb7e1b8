// h5wasm ships its WebAssembly as a 4 MB string inside hdf5_util.js (page: dist/esm, Node: dist/node): every start
// parses and decodes it. These helpers take the binary out, as h5wasm's own binaryDecode would decode it, and make
// the module instantiate through a hook (globalThis[INSTANTIATE_HOOK]) instead. Used by the page build
// (scripts/vite/h5wasm-asset.ts: a separate .wasm compiled with compileStreaming) and the CLI build
// (scripts/build-cli.mjs: a .wasm beside the bundle). Build time only.

const FIND = "function findWasmBinary(){return binaryDecode('";
const FACTORY_CALL = 'ModuleFactory({ noInitialRun: true })';
/** The global the host defines its instantiateWasm hook under (src/worker/hdf5-wasm.ts, src/node/hdf5-mount.ts). */
export const INSTANTIATE_HOOK = '__lambdalensInstantiateHdf5';

/** Reads the single-quoted JS string literal starting at `at` (after the quote); returns its value and end. */
function readLiteral(code, at) {
  let out = '';
  const simple = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v', 0: '\0', "'": "'", '"': '"', '\\': '\\' };
  for (let i = at; i < code.length; i++) {
    const c = code[i];
    if (c === "'") return { value: out, end: i };
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = code[++i];
    if (e in simple) out += simple[e];
    else if (e === 'x') {
      out += String.fromCharCode(parseInt(code.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (e === 'u') {
      out += String.fromCharCode(parseInt(code.slice(i + 1, i + 5), 16));
      i += 4;
    } else throw new Error(`h5wasm-split: unexpected escape \\${e} at ${i}`);
  }
  throw new Error('h5wasm-split: unterminated wasm string');
}

/** hdf5_util.js → the same code without the embedded binary, and the binary. */
export function splitUtil(code) {
  const start = code.indexOf(FIND);
  if (start < 0) throw new Error('h5wasm-split: findWasmBinary not found (h5wasm changed?)');
  const { value, end } = readLiteral(code, start + FIND.length);
  const wasm = new Uint8Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    wasm[i] = (~c >> 8) & c; // h5wasm's binaryDecode
  }
  if (wasm[0] !== 0 || wasm[1] !== 0x61 || wasm[2] !== 0x73 || wasm[3] !== 0x6d) throw new Error('h5wasm-split: the decoded binary is not WebAssembly');
  const replaced = "function findWasmBinary(){throw new Error('h5wasm: the WebAssembly binary is a separate file')";
  return { code: code.slice(0, start) + replaced + code.slice(end + 2), wasm };
}

/** hdf5_hl.js → the same code, instantiating through the host's hook. */
export function hookHl(code) {
  if (!code.includes(FACTORY_CALL)) throw new Error('h5wasm-split: ModuleFactory call not found (h5wasm changed?)');
  return code.replace(FACTORY_CALL, `ModuleFactory({ noInitialRun: true, instantiateWasm: globalThis.${INSTANTIATE_HOOK} })`);
}
