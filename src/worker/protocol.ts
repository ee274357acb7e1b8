/** Messages between the page and the scan worker. Blobs/Files are structured-cloned (no copy of the bytes). */
import type { FileReport } from '../core/report';
import type { ScanDocument, ScanProgress } from '../core/scan-types';
import type { GraphLayout } from '../core/graph/types';
import type { ModelDiff } from '../core/diff/types';

/** One side of a comparison: a finished scan and, for a file, its bytes (for the weight records). */
export interface DiffInput {
  report: FileReport;
  documents: ScanDocument[];
  file?: Blob;
}

/** One input: a display path (file name, or a relative path inside a dropped folder) and its bytes. */
export interface ScanItem {
  name: string;
  file: Blob;
}

export type PageToWorker =
  /** One file (`files` has one item), or a SavedModel folder when `folder` names it (items are relative paths). */
  /** `hashPort`: a channel to the hash helper (hash-worker.ts), for one file above HASH_HELPER_MIN_BYTES. */
  | { type: 'scan'; id: number; files: ScanItem[]; folder?: string; hashPort?: MessagePort }
  /** A file where it is hosted, read with range requests (GET only, no credentials); only when the user gave the address. */
  | { type: 'scan-url'; id: number; url: string; name: string }
  | { type: 'cancel'; id: number }
  /**
   * Warm-up while the user is still choosing a file: scan the built-in sample at `url` (the app's own asset) once
   * and throw the result away, so the first real scan runs compiled code rather than cold.
   */
  | { type: 'warm'; url: string }
  /** Compare two finished scans (issue 16); the worker reads the weight records from the files and diffs. */
  | { type: 'diff'; id: number; a: DiffInput; b: DiffInput };

export type WorkerToPage =
  | { type: 'progress'; id: number; progress: ScanProgress }
  /**
   * `restart`: the worker's WASM state may be broken (trap, abort, out of memory); replace it after this.
   * `layout`: the layer graph's default layout, in the same message so the page renders verdict and graph at once.
   */
  | { type: 'report'; id: number; report: FileReport; restart?: boolean; layout?: GraphLayout }
  /** The config documents the report's JSON pointers refer to (sent before the report). */
  | { type: 'documents'; id: number; documents: ScanDocument[] }
  /** How far the file's hash has come (big files; the hash itself follows). */
  | { type: 'hash-progress'; id: number; done: number; total: number }
  /** Sent after the report (hashing never delays the verdict); a folder gets no hash. */
  | { type: 'hash'; id: number; sha256: string }
  /** The hash could not be finished (cancelled, the file became unreadable): the report keeps sha256 = null. */
  | { type: 'hash-failed'; id: number }
  /** The warm-up scan's result, so the page can render its views once before the first real report. */
  | { type: 'warm-report'; report: FileReport; layout?: GraphLayout }
  | { type: 'diff'; id: number; diff: ModelDiff }
  | { type: 'diff-failed'; id: number; message: string }
  /** The worker hit an error outside a scan's own error handling; the page restarts it. */
  | { type: 'fatal'; id: number | null; message: string };
