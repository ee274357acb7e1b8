/**
 * The HDF5 superblock (File Format Specification §II.A): field sizes and the root group's object header.
 * Versions 0/1 (h5py's default, every Keras file we know) and 2/3 (libver "latest").
 */
import type { ByteSource } from '../../io/byte-source';
import { Hdf5Unparsed, Hdf5Unsupported, isUndefinedAddress, uint } from './raw';

export interface Superblock {
  version: number;
  /** Bytes per file address / per length field (2, 4 or 8). */
  offsetSize: number;
  lengthSize: number;
  /** File offset every address is relative to: where the signature is (HDF5 uses it over the stored base address). */
  base: number;
  /** File offset of the root group's object header. */
  rootHeader: number;
}

export async function readSuperblock(source: ByteSource, at: number): Promise<Superblock> {
  const b = await source.read(at, 256);
  const version = uint(b, 8, 1);
  if (version <= 1) {
    const offsetSize = uint(b, 13, 1);
    const lengthSize = uint(b, 14, 1);
    checkSizes(offsetSize, lengthSize);
    // signature 8, 8 one-byte fields, two K values, flags; v1 adds indexed-storage K and reserved
    const addresses = version === 0 ? 24 : 28;
    // base, free-space, end-of-file, driver-info addresses, then the root symbol-table entry (name offset, header)
    const rootHeader = uint(b, addresses + 5 * offsetSize, offsetSize);
    return { version, offsetSize, lengthSize, base: at, rootHeader: absolute(at, rootHeader, offsetSize) };
  }
  if (version === 2 || version === 3) {
    const offsetSize = uint(b, 9, 1);
    const lengthSize = uint(b, 10, 1);
    checkSizes(offsetSize, lengthSize);
    // base, superblock-extension, end-of-file addresses, then the root group's object header
    const rootHeader = uint(b, 12 + 3 * offsetSize, offsetSize);
    return { version, offsetSize, lengthSize, base: at, rootHeader: absolute(at, rootHeader, offsetSize) };
  }
  throw new Hdf5Unsupported(`superblock version ${version}`);
}

function checkSizes(offsetSize: number, lengthSize: number): void {
  const ok = (n: number) => n === 2 || n === 4 || n === 8;
  if (!ok(offsetSize) || !ok(lengthSize)) throw new Hdf5Unparsed(`field sizes ${offsetSize}/${lengthSize}`);
}

/** A stored address made a file offset; undefined addresses are not followed. */
export function absolute(base: number, address: number, offsetSize: number): number {
  if (isUndefinedAddress(address, offsetSize)) throw new Hdf5Unparsed('undefined address');
  return base + address;
}
