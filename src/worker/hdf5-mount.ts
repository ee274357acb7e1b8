/**
 * The worker's Hdf5Mounter. h5wasm reads synchronously, so a Blob is mounted with Emscripten's WORKERFS,
 * which serves each read from a FileReaderSync slice: a multi-GB file is never read whole. Bytes already in
 * memory go to MEMFS. A window of a Blob (HDF5 after a user block, a stored zip member) is mounted as
 * `blob.slice(...)`, still lazy. WORKERFS reads go through a small block cache (workerfs-cache.ts).
 */
import type * as H5 from 'h5wasm';
import { MemorySource, SliceSource, type ByteSource } from '../core/io/byte-source';
import type { Hdf5Mounter, MountedHdf5 } from '../core/formats/hdf5/mount';
import { BlobSource } from './blob-source';
import { forgetBlob, installWorkerFsCache } from './workerfs-cache';
import { separateWasm, wantHdf5 } from './hdf5-wasm';

/** Minimal view of the Emscripten FS calls used here (h5wasm types FS loosely). */
interface EmscriptenFs {
  mkdir(path: string): void;
  rmdir(path: string): void;
  mount(type: unknown, opts: unknown, mountpoint: string): void;
  unmount(mountpoint: string): void;
  writeFile(path: string, data: Uint8Array): void;
  unlink(path: string): void;
  filesystems: { WORKERFS: unknown; MEMFS: unknown };
}

let counter = 0;

/** Finds a Blob behind a source (directly or through slices), as `blob.slice(a, b)`. */
function blobOf(source: ByteSource): Blob | null {
  if (source instanceof BlobSource) return source.blob;
  if (source instanceof SliceSource) {
    const parent = blobOf(source.parent);
    return parent ? parent.slice(source.offset, source.offset + source.size) : null;
  }
  return null;
}

/** A file name safe for the virtual FS (the real name may hold anything; it is only for messages). */
function safeName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? 'file';
  const cleaned = base.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80);
  return cleaned && cleaned !== '.' && cleaned !== '..' ? cleaned : 'file.h5';
}

let h5: typeof H5 | null = null;

/**
 * h5wasm, loaded on the first HDF5 container: the module (its JavaScript) is imported lazily, and its WebAssembly
 * instantiated only now (hdf5-wasm.ts); a failure to load the binary ends this scan instead of waiting forever.
 */
async function getFs(): Promise<{ FS: EmscriptenFs; h5: typeof H5 }> {
  const loading = import('h5wasm').then(async (mod) => {
    await mod.ready;
    return mod;
  });
  h5 = await (separateWasm ? Promise.race([loading, wantHdf5()]) : loading);
  const module = await h5.ready;
  const FS = module.FS as unknown as EmscriptenFs;
  installWorkerFsCache(FS.filesystems.WORKERFS);
  return { FS, h5 };
}

export const mountHdf5InWorker: Hdf5Mounter = async (source: ByteSource): Promise<MountedHdf5> => {
  const { FS, h5 } = await getFs();
  const dir = `/lambdalens-${++counter}`;
  const file = safeName(source.name);
  const path = `${dir}/${file}`;
  FS.mkdir(dir);
  const blob = blobOf(source);
  if (blob) {
    FS.mount(FS.filesystems.WORKERFS, { blobs: [{ name: file, data: blob }] }, dir);
    return {
      h5,
      path,
      release() {
        try {
          FS.unmount(dir);
        } finally {
          FS.rmdir(dir);
          forgetBlob(blob);
        }
      },
    };
  }
  // Not Blob-backed: bytes in memory (decoded zip member, test input). Copy into MEMFS.
  const bytes = source instanceof MemorySource ? source.bytes : await source.read(0, source.size);
  FS.writeFile(path, bytes);
  return {
    h5,
    path,
    release() {
      try {
        FS.unlink(path);
      } finally {
        FS.rmdir(dir);
      }
    },
  };
};
