/**
 * Version 2 B-trees (File Format Specification §III.A.2): the indexes of dense storage — type 5 (link names of
 * a group), type 8 (attribute names of an object). This module returns the raw records of every node; the
 * caller knows what a record holds. Bounded in depth, nodes and records; every node is read once (a second
 * visit is a cycle and refused).
 */
import { MAX_BLOCK_BYTES, type BoundedReader } from './bounded-reader';
import { Hdf5TooLarge, Hdf5Unparsed, Hdf5Unsupported, encodedSize, hasBytes, isUndefinedAddress, uint } from './raw';
import { absolute, type Superblock } from './superblock';

export const BTREE_TYPE = { linkNames: 5, attributeNames: 8 } as const;

const MAX_TREE_DEPTH = 16;
const MAX_NODES = 100_000;
const MAX_RECORDS = 1_000_000;
/** Signature, version, type and checksum around every v2 B-tree node (H5B2_METADATA_PREFIX_SIZE). */
const NODE_OVERHEAD = 10;

interface NodeLevel {
  /** Most records a node at this depth holds. */
  maxRecords: number;
  /** Bytes of one child pointer in a node at this depth (address, records in child, [records under child]); 0 for leaves. */
  pointerSize: number;
}

interface TreeShape {
  /** Bytes of the "records in child" field of every child pointer. */
  countSize: number;
  /** Indexed by depth (0 = leaves). */
  levels: NodeLevel[];
}

/**
 * Raw records of every node (leaf and internal) of the B-tree whose header is at file offset `at`, which must be
 * of `type` with records of `recordSize` bytes. Order is a walk order, not key order.
 */
export async function readV2BTreeRecords(reader: BoundedReader, sb: Superblock, at: number, type: number, recordSize: number): Promise<Uint8Array[]> {
  const O = sb.offsetSize;
  const header = await reader.read(at, 16 + O + 2 + sb.lengthSize, 'v2 B-tree header');
  if (!hasBytes(header, 0, 'BTHD')) throw new Hdf5Unparsed(`no v2 B-tree header at ${at}`);
  if (uint(header, 4, 1) !== 0) throw new Hdf5Unsupported(`v2 B-tree header version ${header[4]}`);
  if (uint(header, 5, 1) !== type) throw new Hdf5Unparsed(`v2 B-tree at ${at} of type ${header[5]} where type ${type} belongs`);
  const nodeSize = uint(header, 6, 4);
  const storedRecordSize = uint(header, 10, 2);
  const depth = uint(header, 12, 2);
  // split and merge percentages (2 bytes) are only used when writing
  const rootAddress = uint(header, 16, O);
  const rootRecords = uint(header, 16 + O, 2);
  if (storedRecordSize !== recordSize) throw new Hdf5Unparsed(`v2 B-tree at ${at}: records of ${storedRecordSize} bytes where ${recordSize} belong`);
  if (depth > MAX_TREE_DEPTH) throw new Hdf5TooLarge(`v2 B-tree of depth ${depth}`);
  if (nodeSize > MAX_BLOCK_BYTES) throw new Hdf5TooLarge(`v2 B-tree nodes of ${nodeSize} bytes`);
  if (isUndefinedAddress(rootAddress, O)) {
    if (rootRecords !== 0) throw new Hdf5Unparsed('v2 B-tree with records and no root');
    return [];
  }
  const { countSize, levels } = treeShape(nodeSize, recordSize, depth, O);

  const records: Uint8Array[] = [];
  const seen = new Set<number>();
  const stack: { at: number; count: number; depth: number }[] = [{ at: absolute(sb.base, rootAddress, O), count: rootRecords, depth }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node.at)) throw new Hdf5Unparsed(`v2 B-tree node at ${node.at} reached twice`);
    seen.add(node.at);
    if (seen.size > MAX_NODES) throw new Hdf5TooLarge(`more than ${MAX_NODES} v2 B-tree nodes`);
    const level = levels[node.depth];
    if (node.count > level.maxRecords) throw new Hdf5Unparsed(`v2 B-tree node at ${node.at} declares ${node.count} records, more than fit`);
    if (records.length + node.count > MAX_RECORDS) throw new Hdf5TooLarge(`more than ${MAX_RECORDS} records in one v2 B-tree`);
    const leaf = node.depth === 0;
    const pointers = leaf ? 0 : (node.count + 1) * level.pointerSize;
    // signature, version, type, records, child pointers (the checksum after them is left to the library)
    const bytes = await reader.read(node.at, 6 + node.count * recordSize + pointers, 'v2 B-tree node');
    if (!hasBytes(bytes, 0, leaf ? 'BTLF' : 'BTIN')) throw new Hdf5Unparsed(`v2 B-tree node at ${node.at}: expected ${leaf ? 'BTLF' : 'BTIN'}`);
    if (uint(bytes, 4, 1) !== 0 || uint(bytes, 5, 1) !== type) throw new Hdf5Unparsed(`v2 B-tree node at ${node.at}: version or type`);
    for (let r = 0; r < node.count; r++) records.push(bytes.subarray(6 + r * recordSize, 6 + (r + 1) * recordSize));
    if (leaf) continue;
    const child = levels[node.depth - 1];
    let p = 6 + node.count * recordSize;
    for (let c = 0; c <= node.count; c++, p += level.pointerSize) {
      const childAddress = uint(bytes, p, O);
      const childCount = uint(bytes, p + O, countSize);
      // a total of records under the child follows when the child is itself internal; not needed here
      if (childCount > child.maxRecords) throw new Hdf5Unparsed(`v2 B-tree node at ${node.at}: child with ${childCount} records`);
      stack.push({ at: absolute(sb.base, childAddress, O), count: childCount, depth: node.depth - 1 });
    }
  }
  return records;
}

/**
 * Per-depth node capacity, as the library derives it from the node and record sizes (H5B2 header init):
 * leaves hold (node size − overhead) / record size records; the count of records in any child is stored in
 * the bytes needed for that leaf maximum; an internal node at depth d also stores, for children that are
 * internal (d > 1), the total records under the child, in the bytes needed for the cumulative maximum at d − 1.
 * Cumulative maxima use 64-bit unsigned arithmetic like the library's hsize_t (they wrap for absurd depths).
 */
function treeShape(nodeSize: number, recordSize: number, depth: number, offsetSize: number): TreeShape {
  if (nodeSize <= NODE_OVERHEAD) throw new Hdf5Unparsed(`v2 B-tree nodes of ${nodeSize} bytes`);
  if (recordSize === 0) throw new Hdf5Unparsed('v2 B-tree records of 0 bytes');
  const leafMax = Math.floor((nodeSize - NODE_OVERHEAD) / recordSize);
  const countSize = encodedSize(BigInt(leafMax));
  const levels: NodeLevel[] = [{ maxRecords: leafMax, pointerSize: 0 }];
  let cumulative = BigInt(leafMax);
  let cumulativeSize = 0; // leaves: no "records under" field for their parents
  for (let d = 1; d <= depth; d++) {
    const pointerSize = offsetSize + countSize + cumulativeSize;
    const room = nodeSize - (NODE_OVERHEAD + pointerSize);
    if (room < 0) throw new Hdf5Unparsed(`v2 B-tree nodes of ${nodeSize} bytes cannot hold a child pointer`);
    const maxRecords = Math.floor(room / (recordSize + pointerSize));
    levels.push({ maxRecords, pointerSize });
    cumulative = BigInt.asUintN(64, BigInt(maxRecords + 1) * cumulative + BigInt(maxRecords));
    cumulativeSize = encodedSize(cumulative);
  }
  return { countSize, levels };
}
