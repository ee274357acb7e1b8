/**
 * The Node Hdf5Mounter: h5wasm's Node build reads the host file system directly (NODERAWFS), so a file on
 * disk is opened by its path, lazily. Bytes that exist only in memory or inside another file (a base64-wrapped
 * model, a member of a zip) are written to a private temporary file first.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Hdf5Mounter, H5Api } from '../core/formats/hdf5/mount';
import type { ByteSource } from '../core/io/byte-source';
import { NodeFileSource } from './file-source';

let h5Promise: Promise<H5Api> | undefined;

/** Defined by the CLI bundle (scripts/bundle-node.mjs): the HDF5 library sits beside it, its wasm a separate file. */
declare const __LAMBDALENS_H5_BESIDE__: boolean | undefined;
const BESIDE = typeof __LAMBDALENS_H5_BESIDE__ !== 'undefined' && __LAMBDALENS_H5_BESIDE__;

/**
 * h5wasm's Node build, loaded on the first HDF5 container. From the CLI bundle: the copy written beside it
 * (scripts/build-cli.mjs), instantiated from h5wasm.wasm through the hook; elsewhere (tests, bench): h5wasm/node.
 */
function loadH5(): Promise<H5Api> {
  h5Promise ??= (async () => {
    if (BESIDE) {
      const wasm = new URL('./h5wasm/h5wasm.wasm', import.meta.url);
      (globalThis as Record<string, unknown>)[INSTANTIATE_HOOK] = (imports: WebAssembly.Imports, done: (i: WebAssembly.Instance, m: WebAssembly.Module) => void) => {
        void WebAssembly.instantiate(readFileSync(wasm), imports).then((r) => done(r.instance, r.module));
        return {};
      };
      const mod = (await import(/* @vite-ignore */ new URL('./h5wasm/hdf5_hl.js', import.meta.url).href)) as { ready: Promise<unknown> };
      await mod.ready;
      return mod as unknown as H5Api;
    }
    const mod = await import('h5wasm/node');
    await mod.ready;
    return mod as unknown as H5Api;
  })();
  return h5Promise;
}

const INSTANTIATE_HOOK = '__lambdalensInstantiateHdf5';

const MAX_TEMP_BYTES = 1024 * 1024 * 1024;
const COPY_CHUNK = 8 * 1024 * 1024;

export const mountHdf5Node: Hdf5Mounter = async (source: ByteSource) => {
  const h5 = await loadH5();
  if (source instanceof NodeFileSource) return { h5, path: source.path, release: () => {} };
  if (source.size > MAX_TEMP_BYTES) throw new Error(`embedded HDF5 of ${source.size} bytes is too large to inspect from the CLI`);
  const dir = mkdtempSync(path.join(tmpdir(), 'lambdalens-'));
  const file = path.join(dir, 'embedded.h5');
  // Copied in chunks so memory stays at one chunk; only the bytes of the embedded file are read.
  const fd = openSync(file, 'w');
  try {
    for (let offset = 0; offset < source.size; offset += COPY_CHUNK) {
      writeSync(fd, await source.read(offset, Math.min(COPY_CHUNK, source.size - offset)));
    }
  } finally {
    closeSync(fd);
  }
  return { h5, path: file, release: () => rmSync(dir, { recursive: true, force: true }) };
};
