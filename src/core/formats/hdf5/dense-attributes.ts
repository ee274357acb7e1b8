/**
 * Densely stored attributes (File Format Specification §IV.A.2.v "Attribute Info Message"): once an object has
 * more than a handful of attributes, HDF5 (h5wasm, h5py with libver "latest") moves them out of the object
 * header into a fractal heap (fractal-heap.ts) indexed by a v2 B-tree of name hashes (v2-btree.ts, type 8).
 * This module fetches every attribute message from the heap, so preflight can check their global heap
 * references exactly like compactly stored ones.
 *
 * Not read here (Hdf5Unparsed, the library decides): huge heap objects, heaps with I/O filters, shared
 * attribute messages. Everything is bounded (bounded-reader.ts: bytes read, block sizes).
 */
import type { ByteSource } from '../../io/byte-source';
import { BoundedReader } from './bounded-reader';
import { FractalHeap } from './fractal-heap';
import { MESSAGE_SHARED } from './object-header';
import { Hdf5Unparsed, Hdf5Unsupported, isUndefinedAddress, uint } from './raw';
import { absolute, type Superblock } from './superblock';
import { BTREE_TYPE, readV2BTreeRecords } from './v2-btree';

export interface DenseAttributes {
  messages: Uint8Array[];
  /** Why some records were not read (shared or huge messages): those attributes stay unchecked. */
  skipped: string[];
}

/** Null when the Attribute Info message declares no dense storage (an undefined fractal heap address). */
export async function readDenseAttributeMessages(source: ByteSource, sb: Superblock, attributeInfo: Uint8Array): Promise<DenseAttributes | null> {
  const version = uint(attributeInfo, 0, 1);
  const flags = uint(attributeInfo, 1, 1);
  if (version !== 0) throw new Hdf5Unsupported(`attribute info message version ${version}`);
  if (flags & ~0x03) throw new Hdf5Unparsed(`attribute info flags ${flags}`);
  // version, flags, [maximum creation index], fractal heap address, name index address, [creation order index]
  const heapAt = 2 + (flags & 0x01 ? 2 : 0);
  const heapAddress = uint(attributeInfo, heapAt, sb.offsetSize);
  if (isUndefinedAddress(heapAddress, sb.offsetSize)) return null;
  const nameIndex = uint(attributeInfo, heapAt + sb.offsetSize, sb.offsetSize);
  if (isUndefinedAddress(nameIndex, sb.offsetSize)) throw new Hdf5Unparsed('dense attributes without a name index');

  const reader = new BoundedReader(source, 'dense attribute storage');
  const heap = await FractalHeap.open(reader, sb, heapAddress);
  // record: heap ID, message flags (1), creation order (4), name hash (4)
  const records = await readV2BTreeRecords(reader, sb, absolute(sb.base, nameIndex, sb.offsetSize), BTREE_TYPE.attributeNames, heap.idLength + 9);
  const messages: Uint8Array[] = [];
  const skipped: string[] = [];
  for (const record of records) {
    // the record repeats the message's flags: a shared one is a reference to the attribute, not the attribute
    if (record[heap.idLength] & MESSAGE_SHARED) {
      skipped.push('shared attribute message in dense storage');
      continue;
    }
    try {
      messages.push(await heap.object(record.subarray(0, heap.idLength)));
    } catch (e) {
      if (!(e instanceof Hdf5Unparsed)) throw e;
      skipped.push(e.message);
    }
  }
  return { messages, skipped };
}
