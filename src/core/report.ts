/**
 * The stable JSON report: the same from the worker, the CLI and a shared link.
 * Bump REPORT_SCHEMA on any incompatible change; additions of optional fields keep the version.
 */
import type { SkippedPart } from './coverage';
import type { PayloadDecoding } from './python/types';

export type { SkippedPart };

export const REPORT_SCHEMA = 'lambdalens/report@1';

export const VERDICTS = ['dangerous', 'suspicious', 'clean', 'error'] as const;
export type Verdict = (typeof VERDICTS)[number];

/**
 * Why a file could not be inspected. Hosts switch on the code (the worker restarts after `wasm-trap`, the CLI
 * maps every code to exit 2), never on the message.
 */
export type ErrorCode =
  | 'unrecognised' // not a model format this tool reads
  | 'empty'
  | 'limit' // over a size, depth or count limit of the inspector
  | 'damaged' // malformed: truncated, broken structure, invalid JSON
  | 'encrypted' // the model's own config is encrypted
  | 'unreadable' // the file itself could not be read (permissions, I/O)
  | 'wasm-trap' // the HDF5 library (WebAssembly) trapped or aborted
  | 'crashed' // the scanner thread or worker died
  | 'timeout' // stopped at the per-file time limit
  | 'cancelled'; // stopped by the user
export const ERROR_CODES: readonly ErrorCode[] = ['unrecognised', 'empty', 'limit', 'damaged', 'encrypted', 'unreadable', 'wasm-trap', 'crashed', 'timeout', 'cancelled'];

export interface ReportError {
  code: ErrorCode;
  message: string;
  /** Byte offset in the file (or the member named in the message). */
  offset?: number;
  /** JSON pointer into the document named in the message. */
  pointer?: string;
}
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

export type FindingKind =
  | 'lambda-bytecode'
  | 'module-import'
  | 'unsafe-toggle'
  | 'loader-gadget'
  | 'tfsm-layer'
  | 'vocabulary-path'
  | 'pickle'
  | 'hdf5-external'
  | 'path-traversal'
  | 'resource-bomb'
  | 'tf-op'
  | 'custom-object'
  | 'other';

export type FormatId =
  | 'keras-h5'
  | 'keras-h5-weights'
  | 'hdf5'
  | 'keras-v3'
  | 'keras-json'
  | 'tfjs-json'
  | 'savedmodel'
  | 'zip'
  | 'pickle'
  | 'yaml'
  | 'unknown';

/** One loader family and what it does with a finding. */
export interface LoaderImpact {
  /** e.g. "Keras 3", "tf_keras", "tf.keras (TF 2.x)", "multi-backend Keras 1/2". */
  loader: string;
  /** Version range affected, human readable: "3.0.0 – 3.11.2", "all". */
  versions: string;
  /** `default`: runs on a plain load; `option`: only with the named option; `fixed`: blocked by default. */
  when: 'default' | 'option' | 'fixed';
  /** The option that opens the path (`safe_mode=False`), or the version that fixed it. */
  note?: string;
}

export interface PayloadReport {
  /** How the marshal bytes were stored in the config. */
  encoding: 'base64' | 'raw_unicode_escape' | 'bytes';
  /** The on-disk shape (THREATS.md §A.1), e.g. `keras3-lambda`, `list`, `bare-string`, `value-list`. */
  carrier: string;
  /** sha256 of the decoded marshal bytes. */
  sha256: string;
  size: number;
  /** Defaults and closure stored beside the code, as JSON. */
  defaults?: unknown;
  closure?: unknown;
  /** The decoded view (names, strings, versions, disassembly, source, indicators). */
  decoded: PayloadDecoding;
  /** Base64 of the marshal bytes, for "show raw" and evidence export. */
  base64: string;
}

/** What a finding lets the file do on load: code and file writes make a file dangerous. */
export type Effect = 'code' | 'file-write' | 'file-read' | 'network' | 'denial-of-service' | 'context';

export interface Finding {
  /** Stable within a report: `${rule}:${document}${location}`. */
  id: string;
  rule: string;
  kind: FindingKind;
  severity: Severity;
  title: string;
  explanation: string;
  /** Which config document the pointer is into: `model_config`, `training_config`, `config.json`, a member path … */
  document: string;
  /** RFC 6901 JSON pointer into that document. */
  location: string;
  /** Layer name path (`outer/inner/layer`) when the finding sits in a layer. */
  layer?: string;
  /** The config key holding the code (`function`, `output_shape`, `mask`, `activation`, …). */
  slot?: string;
  references: string[];
  loaders: LoaderImpact[];
  /** What it lets the file do (optional for reports written before it existed). */
  effect?: Effect;
  /** The config values that make it a finding: module, name, arguments, paths, URLs, class, key. */
  evidence: Record<string, unknown>;
  payload?: PayloadReport;
}

export interface LayerInfo {
  /** Name path from the root model: `model/inner/layer`. Unique within a report. */
  path: string;
  name: string;
  className: string;
  /** Name path of the containing model or wrapper; absent for the root. */
  parent?: string;
  /** How this layer sits in its parent: `layers`, `layer`, `forward_layer`, `cell`, … */
  role?: string;
  /** Paths of the layers feeding this one (same parent). */
  inbound: string[];
  /** True when it is a model or wrapper holding other layers. */
  container: boolean;
  document: string;
  location: string;
}

export interface ModelSummary {
  className?: string;
  name?: string;
  kerasVersion?: string;
  backend?: string;
  /** Other writer facts: TF version, date saved, producer. Context only, never lowers severity. */
  writer: Record<string, string>;
  layerCount: number;
}

export interface ArchiveMember {
  name: string;
  compressedSize: number;
  size: number;
  method: string;
}

/** Where a scan's time went (ms), for the profile in the bench output; the host may add its own steps. */
export interface ScanTimings {
  totalMs: number;
  /** Per pipeline stage: detect, container (open: HDF5, zip …), config (walk), decode, analysis (rules). */
  stages?: Partial<Record<'detect' | 'container' | 'config' | 'decode' | 'analysis', number>>;
  /** Host steps (worker: waiting for the worker, WebAssembly compile / instantiate, graph layout …). */
  host?: Record<string, number>;
}

/** Why reading a hosted file failed (the same codes as core/io/http-source.ts RemoteError). */
export type RemoteFailure = 'bad-url' | 'no-range' | 'cors' | 'network' | 'http' | 'changed' | 'budget' | 'aborted';
export const REMOTE_FAILURES: readonly RemoteFailure[] = ['bad-url', 'no-range', 'cors', 'network', 'http', 'changed', 'budget', 'aborted'];

/**
 * How a file inspected where it is hosted was read (absent for local files): "read 212 KB of 9.8 GB in 6
 * requests". Only the redirect target's origin is kept: a CDN's full address is often signed.
 */
export interface RemoteRead {
  url: string;
  /** Origin the given address redirected to, when another one (a CDN). */
  redirectedTo?: string;
  bytesRead: number;
  /** GET requests sent (retries included). */
  requests: number;
  /** Wall time with at least one request in flight. */
  networkMs: number;
  /** Set when reading the file failed; the error says more. */
  failure?: RemoteFailure;
}

export interface FileReport {
  schema: typeof REPORT_SCHEMA;
  tool: { name: 'lambdalens'; version: string };
  path: string;
  size: number;
  format: FormatId;
  /** Free text: "Keras 3 .keras zip", "legacy Keras HDF5 (user block 512 bytes)". */
  formatDetail: string;
  /** Streamed; null while not computed or when hashing was skipped. */
  sha256: string | null;
  verdict: Verdict;
  /** One sentence that says why. */
  verdictReason: string;
  error?: ReportError;
  model?: ModelSummary;
  layers: LayerInfo[];
  findings: Finding[];
  members?: ArchiveMember[];
  /**
   * The coverage ledger: every part a loader would read that the scan did not inspect, with why. Non-empty keeps
   * the verdict out of `clean` (coverage.ts). Absent only in reports written before it existed.
   */
  skipped: SkippedPart[];
  /** Context about the scan itself (a listing cut at a limit, a pre-check that fell back to the library). */
  notes?: string[];
  timings: ScanTimings;
  /** Set when the file was read over HTTP where it is hosted. */
  remote?: RemoteRead;
}
