/**
 * Little-endian field reads for our own HDF5 metadata parser (superblock, object headers, global heaps).
 * Every read is bounds-checked: running off a buffer means "we cannot tell", never a guess.
 */

/** The structure is outside what this parser understands (or is cut short); the HDF5 library gets the last word. */
export class Hdf5Unparsed extends Error {}

/** A well-formed structure this parser does not model (a version, shared messages, huge heap objects, filters). */
export class Hdf5Unsupported extends Hdf5Unparsed {}

/** A structure larger than this parser reads at once (its per-structure size bound). */
export class Hdf5TooLarge extends Hdf5Unparsed {}

/** A part of a structure that could not be read, with where it is; the rest of the structure was still read. */
export interface Hdf5Problem {
  /** File offset of the part. */
  offset: number;
  error: Hdf5Unparsed;
  /** The link name, when it is known. */
  name?: string;
}

/** A defect the HDF5 library is known to mishandle (loop forever, write past a buffer): the file is not opened. */
export class Hdf5Damage extends Error {
  constructor(
    message: string,
    /** File offset of the damaged structure. */
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Unsigned integer of 1–8 bytes. Values above 2^53 lose precision, which only ever makes them "too large". */
export function uint(bytes: Uint8Array, at: number, size: number): number {
  if (at < 0 || at + size > bytes.length) throw new Hdf5Unparsed(`field of ${size} bytes at ${at} runs past ${bytes.length}`);
  let value = 0;
  for (let i = size - 1; i >= 0; i--) value = value * 256 + bytes[at + i];
  return value;
}

/** HDF5's "undefined address": all bits set (for 8-byte fields, anything that rounds to it is beyond any file too). */
export function isUndefinedAddress(value: number, size: number): boolean {
  return value >= 2 ** (8 * size) - 1;
}

/** Bytes the HDF5 library uses to store a count up to `limit`: floor(log2(limit)) / 8 + 1 (1 for 0). */
export function encodedSize(limit: bigint): number {
  const highBit = limit === 0n ? 0 : limit.toString(2).length - 1;
  return Math.floor(highBit / 8) + 1;
}

export const align8 = (n: number): number => Math.ceil(n / 8) * 8;

export function hasBytes(bytes: Uint8Array, at: number, expected: string): boolean {
  for (let i = 0; i < expected.length; i++) if (bytes[at + i] !== expected.charCodeAt(i)) return false;
  return true;
}
