/**
 * Wraps a payload's marshal bytes in a `.pyc` header so users can feed it to their own decompilers
 * (uncompyle6, decompyle3, pycdc …). Nothing here runs the code. Magic numbers are the final value of each
 * release line (Lib/importlib/_bootstrap_external.py; /work/shared/reference/MARSHAL.md); the 3.x rows that
 * have a golden file are checked against the interpreter's own `magic_number` in the tests.
 */
import type { PayloadReport } from '../report';
import { decodeBase64 } from '../keras/payload-bytes';

/** The 16-bit magic of each Python minor version (written as u16 LE followed by `\r\n`). */
export const PYC_MAGIC: Readonly<Record<string, number>> = {
  '2.7': 62211,
  '3.0': 3131,
  '3.1': 3151,
  '3.2': 3180,
  '3.3': 3230,
  '3.4': 3310,
  // 3.5.0/3.5.1 wrote 3350; every later 3.5 patch release writes (and only accepts) 3351.
  '3.5': 3351,
  '3.6': 3379,
  '3.7': 3394,
  '3.8': 3413,
  '3.9': 3425,
  '3.10': 3439,
  '3.11': 3495,
  '3.12': 3531,
  '3.13': 3571,
  '3.14': 3627,
  // 3.15 is not released; this is the 3.15.0rc1 value seen in the golden data.
  '3.15': 3666,
};

/** Header length: magic + mtime (≤ 3.2), + source size (3.3–3.6), + PEP 552 flags word (3.7+). */
export function pycHeaderLength(version: string): number {
  const [major, minor] = version.split('.').map(Number);
  if (major === 2 || (major === 3 && minor <= 2)) return 8;
  if (major === 3 && minor <= 6) return 12;
  return 16;
}

export interface PycHeaderOptions {
  /** Source mtime in seconds since the epoch (u32). Default 0: we have no source file. */
  mtime?: number;
  /** Source size in bytes (u32, 3.3+). Default 0. */
  sourceSize?: number;
}

/** The header bytes for `version` ("2.7", "3.11" …); throws for a version without a known magic number. */
export function pycHeader(version: string, options: PycHeaderOptions = {}): Uint8Array {
  const magic = PYC_MAGIC[version];
  if (magic === undefined) throw new RangeError(`no pyc magic number known for Python ${version}`);
  const length = pycHeaderLength(version);
  const header = new Uint8Array(length);
  const view = new DataView(header.buffer);
  view.setUint16(0, magic, true);
  header[2] = 0x0d;
  header[3] = 0x0a;
  let at = 4;
  // PEP 552 flags = 0: a timestamp-based pyc (no hash check); mtime 0 never matches a real source file.
  if (length === 16) at += 4;
  view.setUint32(at, (options.mtime ?? 0) >>> 0, true);
  at += 4;
  if (length >= 12) view.setUint32(at, (options.sourceSize ?? 0) >>> 0, true);
  return header;
}

/** Header + marshal bytes. */
export function toPyc(marshal: Uint8Array, version: string, options?: PycHeaderOptions): Uint8Array {
  const header = pycHeader(version, options);
  const out = new Uint8Array(header.length + marshal.length);
  out.set(header, 0);
  out.set(marshal, header.length);
  return out;
}

export interface PayloadPyc {
  /** The version whose header was used: the first inferred candidate that has a known magic number. */
  version: string;
  bytes: Uint8Array;
}

/** The marshal bytes of a payload (from its base64), or null when the base64 is missing or damaged. */
export function payloadMarshal(payload: PayloadReport): Uint8Array | null {
  if (!payload.base64) return null;
  return decodeBase64(payload.base64);
}

/** A `.pyc` for the payload's most likely Python version; null when no candidate version has a magic number. */
export function payloadToPyc(payload: PayloadReport): PayloadPyc | null {
  const marshal = payloadMarshal(payload);
  if (!marshal) return null;
  const version = payload.decoded.pythonVersions.map((v) => v.version).find((v) => PYC_MAGIC[v] !== undefined);
  if (!version) return null;
  return { version, bytes: toPyc(marshal, version) };
}
