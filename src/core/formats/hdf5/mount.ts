/**
 * HDF5 goes through the real HDF5 library (h5wasm), which needs synchronous file reads. The platform
 * provides them: in the worker a Blob mounted with WORKERFS (lazy FileReaderSync slices), in Node the real
 * path (NODERAWFS). The core only sees this interface and the h5wasm API.
 */
import type * as H5 from 'h5wasm';
import type { ByteSource } from '../../io/byte-source';

export type H5Api = Pick<typeof H5, 'File' | 'Group' | 'Dataset' | 'Datatype' | 'BrokenSoftLink' | 'ExternalLink'>;

export interface MountedHdf5 {
  h5: H5Api;
  /** Path to pass to `new h5.File(path, 'r')`. */
  path: string;
  /** Unmounts / deletes temporary copies. Always called, also after errors. */
  release(): void;
}

/** Makes a ByteSource openable by h5wasm without reading it whole (unless it is already in memory). */
export type Hdf5Mounter = (source: ByteSource) => Promise<MountedHdf5>;
