/**
 * The Dataspace message (File Format Specification §IV.A.2.b): the shape of a dataset's or an attribute's value.
 * Version 1 (rank 0 = scalar) and version 2 (scalar, simple or null).
 */
import { Hdf5Unparsed, Hdf5Unsupported, uint } from './raw';
import type { Superblock } from './superblock';

export interface Dataspace {
  /** Current dimensions ([] for a scalar); null for a null dataspace (no value at all). */
  dims: number[] | null;
}

const MAX_RANK = 32; // H5S_MAX_RANK

export function parseDataspace(b: Uint8Array, sb: Superblock): Dataspace {
  const version = uint(b, 0, 1);
  const rank = uint(b, 1, 1);
  let p: number;
  if (version === 1) {
    p = 8; // version, rank, flags, reserved (1), reserved (4)
  } else if (version === 2) {
    const kind = uint(b, 3, 1);
    if (kind === 2) return { dims: null };
    if (kind > 2) throw new Hdf5Unparsed(`dataspace of type ${kind}`);
    p = 4;
  } else {
    throw new Hdf5Unsupported(`dataspace version ${version}`);
  }
  if (rank > MAX_RANK) throw new Hdf5Unparsed(`dataspace of rank ${rank}`);
  const dims: number[] = [];
  for (let d = 0; d < rank; d++) dims.push(uint(b, p + d * sb.lengthSize, sb.lengthSize));
  return { dims };
}

/** Number of values: 1 for a scalar, 0 for a null dataspace, the product of the dimensions otherwise. */
export function elementCount(space: Dataspace): number {
  return space.dims === null ? 0 : space.dims.reduce((n, d) => n * d, 1);
}
