/**
 * New-style groups (File Format Specification §IV.A.2.g "Link Info Message", §IV.A.2.h "Link Message"): links
 * stored as Link messages in the group's object header ("compact"), or — past a handful of links, with libver
 * "latest" — as Link messages in a fractal heap indexed by a v2 B-tree of name hashes (type 5, "dense").
 * An old-style group becomes a new-style one when it gets a link a symbol table cannot hold (an external link).
 */
import type { ByteSource } from '../../io/byte-source';
import { BoundedReader } from './bounded-reader';
import { FractalHeap } from './fractal-heap';
import { Hdf5Unparsed, Hdf5Unsupported, isUndefinedAddress, uint, type Hdf5Problem } from './raw';
import { absolute, type Superblock } from './superblock';
import { BTREE_TYPE, readV2BTreeRecords } from './v2-btree';

/** One link of a group, whichever storage it came from. */
export type GroupLink = { name: string } & (
  | { kind: 'hard'; header: number }
  | { kind: 'soft'; target: string }
  | { kind: 'external'; file: string; target: string }
  /** A link class the application registers (65–255); the library cannot traverse it without that code. */
  | { kind: 'user-defined'; type: number }
);

const LINK_TYPE = { hard: 0, soft: 1, external: 64, firstUserDefined: 65 } as const;

const utf8 = new TextDecoder('utf-8', { fatal: false });

export function parseLinkMessage(data: Uint8Array, sb: Superblock): GroupLink {
  const version = uint(data, 0, 1);
  if (version !== 1) throw new Hdf5Unsupported(`link message version ${version}`);
  const flags = uint(data, 1, 1);
  if (flags & 0xe0) throw new Hdf5Unparsed(`link message flags ${flags}`);
  let p = 2;
  const type = flags & 0x08 ? uint(data, p++, 1) : LINK_TYPE.hard;
  if (flags & 0x04) p += 8; // creation order
  if (flags & 0x10) p += 1; // character set of the name
  const lengthSize = 1 << (flags & 0x03);
  const nameLength = uint(data, p, lengthSize);
  p += lengthSize;
  if (nameLength === 0 || p + nameLength > data.length) throw new Hdf5Unparsed(`link name of ${nameLength} bytes in a ${data.length}-byte link message`);
  const name = utf8.decode(data.subarray(p, p + nameLength));
  p += nameLength;
  if (type === LINK_TYPE.hard) return { name, kind: 'hard', header: absolute(sb.base, uint(data, p, sb.offsetSize), sb.offsetSize) };
  const valueLength = uint(data, p, 2);
  if (p + 2 + valueLength > data.length) throw new Hdf5Unparsed(`link value of ${valueLength} bytes runs past its link message`);
  const value = data.subarray(p + 2, p + 2 + valueLength);
  if (type === LINK_TYPE.soft) return { name, kind: 'soft', target: utf8.decode(value) };
  if (type === LINK_TYPE.external) {
    // version (high 4 bits) and flags, then the file name and the object path, each null-terminated
    if (valueLength < 1 || value[0] >> 4 !== 0) throw new Hdf5Unsupported(`external link encoding ${value[0]}`);
    const fileEnd = value.indexOf(0, 1);
    const pathEnd = fileEnd < 0 ? -1 : value.indexOf(0, fileEnd + 1);
    if (pathEnd < 0) throw new Hdf5Unparsed('external link value without its two terminators');
    return { name, kind: 'external', file: utf8.decode(value.subarray(1, fileEnd)), target: utf8.decode(value.subarray(fileEnd + 1, pathEnd)) };
  }
  if (type >= LINK_TYPE.firstUserDefined) return { name, kind: 'user-defined', type };
  throw new Hdf5Unparsed(`link of reserved type ${type}`);
}

export interface LinkInfo {
  /** Stored (relative) addresses of the dense storage, or null when the links are Link messages in the header. */
  dense: { heap: number; nameIndex: number } | null;
}

export function parseLinkInfo(data: Uint8Array, sb: Superblock): LinkInfo {
  const O = sb.offsetSize;
  const version = uint(data, 0, 1);
  if (version !== 0) throw new Hdf5Unsupported(`link info message version ${version}`);
  const flags = uint(data, 1, 1);
  if (flags & ~0x03) throw new Hdf5Unparsed(`link info flags ${flags}`);
  // version, flags, [maximum creation index (8)], fractal heap address, name index address, [creation order index]
  const p = 2 + (flags & 0x01 ? 8 : 0);
  const heap = uint(data, p, O);
  const nameIndex = uint(data, p + O, O);
  if (isUndefinedAddress(heap, O)) return { dense: null };
  if (isUndefinedAddress(nameIndex, O)) throw new Hdf5Unparsed('dense links without a name index');
  return { dense: { heap, nameIndex } };
}

export interface DenseLinks {
  links: GroupLink[];
  problems: Hdf5Problem[];
}

/** Every Link message in a group's dense storage; a record that cannot be read is a problem, the others are read. */
export async function readDenseLinks(source: ByteSource, sb: Superblock, dense: NonNullable<LinkInfo['dense']>): Promise<DenseLinks> {
  const reader = new BoundedReader(source, 'dense link storage');
  const heap = await FractalHeap.open(reader, sb, dense.heap);
  const index = absolute(sb.base, dense.nameIndex, sb.offsetSize);
  // record: name hash (4), heap ID
  const records = await readV2BTreeRecords(reader, sb, index, BTREE_TYPE.linkNames, 4 + heap.idLength);
  const links: GroupLink[] = [];
  const problems: Hdf5Problem[] = [];
  for (const record of records) {
    try {
      links.push(parseLinkMessage(await heap.object(record.subarray(4)), sb));
    } catch (e) {
      if (!(e instanceof Hdf5Unparsed)) throw e;
      problems.push({ offset: index, error: e });
    }
  }
  return { links, problems };
}
