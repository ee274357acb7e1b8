/** The contract between the scan pipeline and its hosts (worker, CLI, tests). */
import type { Hdf5Mounter } from './formats/hdf5/mount';
import type { Json } from './json/parse';
import type { ByteSource } from './io/byte-source';

export interface ScanProgress {
  stage: 'detect' | 'container' | 'config' | 'decode' | 'analysis' | 'done';
  message: string;
}

export interface ScanOptions {
  /**
   * Platform adapter for HDF5 (worker: WORKERFS; Node: real path). null for a source the library cannot open
   * without reading it whole (an HTTP range source): root attributes are then read by our own parser
   * (formats/hdf5/root-attributes.ts), everything else is the same.
   */
  mountHdf5: Hdf5Mounter | null;
  onProgress?: (progress: ScanProgress) => void;
  /** Aborts between stages and inside long loops; the scan then ends with an `error` report. */
  signal?: AbortSignal;
  /** Display path for the report (defaults to source.name). */
  path?: string;
  /**
   * Receives the config documents the report's pointers refer to (layer configs for the details panel, the
   * evidence bundle). Kept out of the report itself: configs can be megabytes of base64.
   */
  onDocuments?: (documents: ScanDocument[]) => void;
}

/** A config document as found in the file, by the name findings use in `document`. */
export interface ScanDocument {
  name: string;
  value: Json;
}
