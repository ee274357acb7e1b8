/**
 * One module per container format, one contract (after Netron's match/open): `detect` from bytes returns what
 * it parsed (or null), and `open` receives exactly that, so no header is read twice and nothing is cached on the
 * side. Formats never run anything and never read more than the config needs. The list of modules, and what
 * each report format id means, is formats/registry.ts.
 */
import type { SkippedPart } from '../coverage';
import type { ByteSource } from '../io/byte-source';
import type { OpenedModel } from '../keras/model';
import type { ErrorCode } from '../report';
import type { FactKind } from './facts';
import type { Hdf5Mounter } from './hdf5/mount';

export interface FormatContext {
  /** null: no HDF5 library for this source (a remote file); root attributes are read by our own parser. */
  mountHdf5: Hdf5Mounter | null;
  signal?: AbortSignal;
  progress(message: string): void;
  /** Re-detects and opens bytes found inside this file (a base64-wrapped model); depth-limited. */
  openNested(source: ByteSource): Promise<OpenedModel>;
}

/** The first bytes of the file, read once and shared by every detector. */
export interface Probe {
  head: Uint8Array;
  size: number;
}

export interface FormatModule<Detected = unknown> {
  /** The container this module reads, for messages and tests: `hdf5`, `zip`, `pickle`, `protobuf`, `json`, `yaml`, `base64`. */
  container: string;
  /** Every fact kind `open` may produce (checked against the rules in tests, and at run time by the registry). */
  produces: readonly FactKind[];
  /** What the module recognised in the bytes (handed to `open`), or null when they are not this format. */
  detect(source: ByteSource, probe: Probe): Promise<Detected | null>;
  open(source: ByteSource, detected: Detected, ctx: FormatContext): Promise<OpenedModel>;
}

/** Where in the input an error sits. */
export interface ErrorPlace {
  offset?: number;
  pointer?: string;
}

/** An input the format module understood but cannot inspect: becomes verdict `error` with this code and message. */
export class FormatError extends Error {
  readonly offset?: number;
  readonly pointer?: string;
  constructor(
    readonly code: ErrorCode,
    message: string,
    place: ErrorPlace = {},
  ) {
    super(message);
    this.name = 'FormatError';
    this.offset = place.offset;
    this.pointer = place.pointer;
  }
}

export function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new FormatError('cancelled', 'scan cancelled');
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
export function decodeUtf8(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

/** A ledger entry for a part the reader did not inspect (see coverage.ts). */
export function notInspected(part: string, kind: SkippedPart['kind'], category: SkippedPart['category'], reason: string, readBy: readonly string[]): SkippedPart {
  return { part, kind, category, reason, readBy: [...readBy] };
}
