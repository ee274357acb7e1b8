/**
 * The HDF5 library's WebAssembly in the worker. In the page build it is its own asset (scripts/vite/h5wasm-asset.ts):
 * compiled with WebAssembly.compileStreaming in the worker's idle time or when first wanted (off the main thread,
 * and the browser caches compiled code), and instantiated only for an HDF5 file whose root attributes our own
 * parser could not read completely — nothing else waits for it. In dev and in the single-file build the binary stays inside h5wasm and h5wasm instantiates it itself.
 */
/// <reference lib="webworker" />

/** Replaced at build time by the asset's file name (next to the worker script); left as is in dev / single-file. */
const WASM_FILE = '__LAMBDALENS_H5WASM_FILE__';
const HOOK = '__lambdalensInstantiateHdf5';

type Done = (instance: WebAssembly.Instance, module: WebAssembly.Module) => void;

let compiled: Promise<WebAssembly.Module> | null = null;
/** Worker-clock times for the profile: when compiling ended (ms since the worker started) and how long it took. */
const times: Record<string, number> = {};

/** WebAssembly compile / instantiate times so far, for the report's host timings. */
export function hdf5WasmTimings(): Record<string, number> {
  return { ...times };
}
let wanted: () => void = () => {};
const wantedOnce = new Promise<void>((resolve) => (wanted = resolve));
let failure: ((e: unknown) => void) | null = null;
const failed = new Promise<never>((_, reject) => (failure = reject));
failed.catch(() => {});

/** True when the wasm is a separate asset (the page build). */
export const separateWasm = !WASM_FILE.startsWith('__LAMBDALENS');

async function compile(): Promise<WebAssembly.Module> {
  const url = new URL(WASM_FILE, self.location.href);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`the HDF5 library could not be loaded (${response.status} for ${WASM_FILE})`);
  // A server that does not say application/wasm still gets the bytes compiled, just not streamed.
  if (response.headers.get('content-type')?.startsWith('application/wasm')) return WebAssembly.compileStreaming(response);
  return WebAssembly.compile(await response.arrayBuffer());
}

/** Starts fetching and compiling (idempotent): in idle time, or when a file needs the library. */
export function startHdf5Compile(): void {
  if (!separateWasm || compiled) return;
  const t = performance.now();
  compiled = compile().then((m) => {
    times.wasmCompileMs = Math.round(performance.now() - t);
    times.wasmCompiledAtMs = Math.round(performance.now());
    return m;
  });
  compiled.catch((e: unknown) => failure?.(e));
}

/** An HDF5 container was met: let h5wasm instantiate now. Rejects if the binary could not be loaded. */
export function wantHdf5(): Promise<never> {
  startHdf5Compile();
  wanted();
  return failed;
}

if (separateWasm) {
  // h5wasm's Emscripten module calls this instead of decoding its (removed) embedded binary.
  (self as unknown as Record<string, unknown>)[HOOK] = (imports: WebAssembly.Imports, done: Done): Record<string, never> => {
    void wantedOnce
      .then(() => compiled!)
      .then(async (module) => {
        const t = performance.now();
        const instance = await WebAssembly.instantiate(module, imports);
        times.wasmInstantiateMs = Math.round(performance.now() - t);
        done(instance, module);
      })
      .catch((e: unknown) => failure?.(e));
    return {};
  };
}
