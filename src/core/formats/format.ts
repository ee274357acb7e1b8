/**
 * One module per container format, one contract (after Netron's match/open): `detect` from bytes, `open` to
 * an OpenedModel. Formats never run anything and never read more than the config needs.
 */
import type { ByteSource } from '../io/byte-source';
import type { OpenedModel } from '../keras/model';
import type { Hdf5Mounter } from './hdf5/mount';

export interface FormatContext {
  mountHdf5: Hdf5Mounter;
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

export interface FormatModule {
  /** Short id for messages and tests. */
  id: string;
  detect(source: ByteSource, probe: Probe): Promise<boolean>;
  open(source: ByteSource, ctx: FormatContext): Promise<OpenedModel>;
}

/** An input the format module understood but cannot inspect: becomes verdict `error` with this message. */
export class FormatError extends Error {
  constructor(
    message: string,
    readonly offset?: number,
    readonly pointer?: string,
  ) {
    super(message);
    this.name = 'FormatError';
  }
}

export function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new FormatError('scan cancelled');
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
export function decodeUtf8(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}
