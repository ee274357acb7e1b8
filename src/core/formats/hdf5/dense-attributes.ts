/**
 * Densely stored attributes (File Format Specification §IV.A.2.v "Attribute Info Message", §III.A.2
 * "Version 2 B-trees", §III.G "Fractal Heap"): once an object has more than a handful of attributes, HDF5
 * (h5wasm, h5py with libver "latest") moves them out of the object header into a fractal heap indexed by a
 * v2 B-tree of name hashes. This module walks that B-tree and fetches every attribute message from the heap,
 * so preflight can check their global heap references exactly like compactly stored ones.
 *
 * Supported: B-trees of any depth (up to MAX_TREE_DEPTH); heaps whose root is a direct block or an indirect
 * block with nested indirect blocks; managed and tiny heap objects. Not read here (Hdf5Unparsed, the library
 * decides): "huge" objects (attribute messages larger than the heap's managed-object limit, stored beside the
 * heap and tracked by another B-tree), heaps with I/O filters, shared attribute messages. Checksums are not
 * verified (the library does that itself and refuses a bad block).
 *
 * Everything is bounded: bytes read, nodes, records, tree depth, heap nesting; every address is followed at
 * most once per role; any field outside what a well-formed file can hold ends in Hdf5Unparsed.
 */
import type { ByteSource } from '../../io/byte-source';
import { MESSAGE_SHARED } from './object-header';
import { Hdf5Unparsed, hasBytes, isUndefinedAddress, uint } from './raw';
import { absolute, type Superblock } from './superblock';

/** All bytes read from the file (B-tree nodes, heap blocks) plus all bytes returned. */
const MAX_TOTAL_BYTES = 64 * 1024 * 1024;
/** One metadata block read at once (B-tree node, indirect block, direct block). */
const MAX_BLOCK_BYTES = 16 * 1024 * 1024;
const MAX_TREE_DEPTH = 16;
const MAX_NODES = 100_000;
const MAX_RECORDS = 1_000_000;
/** Indirect blocks nested inside the root one (each level has strictly fewer rows, so this is never reached in a valid heap). */
const MAX_HEAP_LEVELS = 64;

/** v2 B-tree type 8: names of densely stored attributes. */
const BTREE_ATTRIBUTE_NAMES = 8;

/** Signature, version, type and checksum around every v2 B-tree node (H5B2_METADATA_PREFIX_SIZE). */
const BTREE_NODE_OVERHEAD = 10;

export interface DenseAttributes {
  messages: Uint8Array[];
  /** Why some records were not read (shared or huge messages): those attributes stay unchecked. */
  skipped: string[];
}

/** Null when the Attribute Info message declares no dense storage (an undefined fractal heap address). */
export async function readDenseAttributeMessages(source: ByteSource, sb: Superblock, attributeInfo: Uint8Array): Promise<DenseAttributes | null> {
  const version = uint(attributeInfo, 0, 1);
  const flags = uint(attributeInfo, 1, 1);
  if (version !== 0) throw new Hdf5Unparsed(`attribute info message version ${version}`);
  if (flags & ~0x03) throw new Hdf5Unparsed(`attribute info flags ${flags}`);
  // version, flags, [maximum creation index], fractal heap address, name index address, [creation order index]
  const heapAt = 2 + (flags & 0x01 ? 2 : 0);
  const heapAddress = uint(attributeInfo, heapAt, sb.offsetSize);
  if (isUndefinedAddress(heapAddress, sb.offsetSize)) return null;
  const nameIndex = uint(attributeInfo, heapAt + sb.offsetSize, sb.offsetSize);
  if (isUndefinedAddress(nameIndex, sb.offsetSize)) throw new Hdf5Unparsed('dense attributes without a name index');

  const reader = new BoundedReader(source);
  const heap = await FractalHeap.open(reader, sb, heapAddress);
  const records = await readNameIndex(reader, sb, absolute(sb.base, nameIndex, sb.offsetSize), heap.idLength);
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

/** Reads through one budget for the whole walk; a short read is a structure running off the file. */
class BoundedReader {
  private total = 0;
  constructor(private readonly source: ByteSource) {}

  charge(length: number): void {
    if ((this.total += length) > MAX_TOTAL_BYTES) throw new Hdf5Unparsed(`dense attribute storage needs more than ${MAX_TOTAL_BYTES} bytes`);
  }

  async read(offset: number, length: number, what: string): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset >= this.source.size) throw new Hdf5Unparsed(`${what} at ${offset} is outside the file`);
    if (length > MAX_BLOCK_BYTES) throw new Hdf5Unparsed(`${what} at ${offset} declares ${length} bytes`);
    if (offset + length > this.source.size) throw new Hdf5Unparsed(`${what} at ${offset} runs past the end of the file`);
    this.charge(length);
    const bytes = await this.source.read(offset, length);
    if (bytes.length < length) throw new Hdf5Unparsed(`${what} at ${offset} runs past the end of the file`);
    return bytes;
  }
}

// ---------------------------------------------------------------------------------------------------------
// v2 B-tree (name index)

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

/** Raw records of every node (leaf and internal) of a type-8 B-tree; order is a walk order, not name order. */
async function readNameIndex(reader: BoundedReader, sb: Superblock, at: number, idLength: number): Promise<Uint8Array[]> {
  const O = sb.offsetSize;
  const header = await reader.read(at, 16 + O + 2 + sb.lengthSize, 'v2 B-tree header');
  if (!hasBytes(header, 0, 'BTHD')) throw new Hdf5Unparsed(`no v2 B-tree header at ${at}`);
  if (uint(header, 4, 1) !== 0) throw new Hdf5Unparsed(`v2 B-tree header version ${header[4]}`);
  if (uint(header, 5, 1) !== BTREE_ATTRIBUTE_NAMES) throw new Hdf5Unparsed(`v2 B-tree of type ${header[5]} as attribute name index`);
  const nodeSize = uint(header, 6, 4);
  const recordSize = uint(header, 10, 2);
  const depth = uint(header, 12, 2);
  // split and merge percentages (2 bytes) are only used when writing
  const rootAddress = uint(header, 16, O);
  const rootRecords = uint(header, 16 + O, 2);
  // heap ID, message flags (1), creation order (4), name hash (4)
  if (recordSize !== idLength + 9) throw new Hdf5Unparsed(`attribute name records of ${recordSize} bytes for heap IDs of ${idLength}`);
  if (depth > MAX_TREE_DEPTH) throw new Hdf5Unparsed(`v2 B-tree of depth ${depth}`);
  if (nodeSize > MAX_BLOCK_BYTES) throw new Hdf5Unparsed(`v2 B-tree nodes of ${nodeSize} bytes`);
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
    if (seen.size > MAX_NODES) throw new Hdf5Unparsed(`more than ${MAX_NODES} v2 B-tree nodes`);
    const level = levels[node.depth];
    if (node.count > level.maxRecords) throw new Hdf5Unparsed(`v2 B-tree node at ${node.at} declares ${node.count} records, more than fit`);
    if (records.length + node.count > MAX_RECORDS) throw new Hdf5Unparsed(`more than ${MAX_RECORDS} densely stored attributes`);
    const leaf = node.depth === 0;
    const pointers = leaf ? 0 : (node.count + 1) * level.pointerSize;
    // signature, version, type, records, child pointers (the checksum after them is left to the library)
    const bytes = await reader.read(node.at, 6 + node.count * recordSize + pointers, 'v2 B-tree node');
    if (!hasBytes(bytes, 0, leaf ? 'BTLF' : 'BTIN')) throw new Hdf5Unparsed(`v2 B-tree node at ${node.at}: expected ${leaf ? 'BTLF' : 'BTIN'}`);
    if (uint(bytes, 4, 1) !== 0 || uint(bytes, 5, 1) !== BTREE_ATTRIBUTE_NAMES) throw new Hdf5Unparsed(`v2 B-tree node at ${node.at}: version or type`);
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
  if (nodeSize <= BTREE_NODE_OVERHEAD) throw new Hdf5Unparsed(`v2 B-tree nodes of ${nodeSize} bytes`);
  if (recordSize === 0) throw new Hdf5Unparsed('v2 B-tree records of 0 bytes');
  const leafMax = Math.floor((nodeSize - BTREE_NODE_OVERHEAD) / recordSize);
  const countSize = encodedSize(BigInt(leafMax));
  const levels: NodeLevel[] = [{ maxRecords: leafMax, pointerSize: 0 }];
  let cumulative = BigInt(leafMax);
  let cumulativeSize = 0; // leaves: no "records under" field for their parents
  for (let d = 1; d <= depth; d++) {
    const pointerSize = offsetSize + countSize + cumulativeSize;
    const room = nodeSize - (BTREE_NODE_OVERHEAD + pointerSize);
    if (room < 0) throw new Hdf5Unparsed(`v2 B-tree nodes of ${nodeSize} bytes cannot hold a child pointer`);
    const maxRecords = Math.floor(room / (recordSize + pointerSize));
    levels.push({ maxRecords, pointerSize });
    cumulative = BigInt.asUintN(64, BigInt(maxRecords + 1) * cumulative + BigInt(maxRecords));
    cumulativeSize = encodedSize(cumulative);
  }
  return { countSize, levels };
}

/** Bytes the library uses to store a count up to `limit`: floor(log2(limit)) / 8 + 1 (1 for 0). */
function encodedSize(limit: bigint): number {
  const highBit = limit === 0n ? 0 : limit.toString(2).length - 1;
  return Math.floor(highBit / 8) + 1;
}

// ---------------------------------------------------------------------------------------------------------
// Fractal heap

interface IndirectBlock {
  rows: number;
  /** Offset of the block in the heap's linear address space. */
  blockOffset: number;
  /** Child addresses as stored (relative to the superblock), -1 when unallocated: direct rows first, then indirect rows. */
  children: number[];
}

interface DirectBlock {
  blockOffset: number;
  bytes: Uint8Array;
}

/** What the heap header says, with the derived doubling-table geometry. */
interface HeapHeader {
  /** Stored (relative) header address: every block repeats it. */
  address: number;
  idLength: number;
  filtered: boolean;
  /** Direct blocks carry a checksum after their header fields. */
  checksummedDirect: boolean;
  maxManaged: number;
  /** Size of the managed address space; no managed object starts beyond it. */
  managedSize: number;
  width: number;
  startBlock: number;
  maxDirect: number;
  /** Relative address of the root block; 0 rows = a direct block of the starting size. */
  rootAddress: number;
  rootRows: number;
  /** Bytes of a block's offset field and of an object's offset in a managed heap ID. */
  offsetBytes: number;
  /** Bytes of an object's length in a managed heap ID. */
  lengthBytes: number;
  /** log2(starting block size × width): offsets below 2^this are in row 0. */
  firstRowBits: number;
  /** Rows of direct blocks in any indirect block; later rows hold indirect blocks. */
  maxDirectRows: number;
  /** Tiny objects spend a second ID byte on their length. */
  tinyExtended: boolean;
}

async function readHeapHeader(reader: BoundedReader, sb: Superblock, address: number): Promise<HeapHeader> {
  const O = sb.offsetSize;
  const L = sb.lengthSize;
  const at = absolute(sb.base, address, O);
  const b = await reader.read(at, 22 + 12 * L + 3 * O, 'fractal heap header');
  if (!hasBytes(b, 0, 'FRHP')) throw new Hdf5Unparsed(`no fractal heap header at ${at}`);
  if (uint(b, 4, 1) !== 0) throw new Hdf5Unparsed(`fractal heap header version ${b[4]}`);
  const idLength = uint(b, 5, 2);
  const filterLength = uint(b, 7, 2);
  const flags = uint(b, 9, 1);
  const maxManaged = uint(b, 10, 4);
  // next huge ID (L), huge-object B-tree (O), free managed space (L), free-space manager (O)
  let p = 14 + L + O + L + O;
  const managedSize = uint(b, p, L);
  // allocated managed space, iterator offset, managed / huge / tiny sizes and counts: statistics only
  p += 8 * L;
  const width = uint(b, p, 2);
  const startBlock = uint(b, p + 2, L);
  const maxDirect = uint(b, p + 2 + L, L);
  const maxHeapBits = uint(b, p + 2 + 2 * L, 2);
  // the starting number of root rows (2 bytes) only matters when the heap grows
  const rootAddress = uint(b, p + 6 + 2 * L, O);
  const rootRows = uint(b, p + 6 + 2 * L + O, 2);
  // (then, with I/O filters, the filtered root block size, its filter mask and the pipeline; then a checksum)

  if (idLength < 2 || idLength > 4096) throw new Hdf5Unparsed(`fractal heap IDs of ${idLength} bytes`);
  const widthBits = exactLog2(width);
  const startBits = exactLog2(startBlock);
  const maxDirectBits = exactLog2(maxDirect);
  if (widthBits === null || width > 0xffff) throw new Hdf5Unparsed(`fractal heap table width ${width}`);
  if (startBits === null || maxDirectBits === null || maxDirectBits < startBits || maxDirectBits > 31) {
    throw new Hdf5Unparsed(`fractal heap block sizes ${startBlock}/${maxDirect}`);
  }
  const firstRowBits = startBits + widthBits;
  if (maxHeapBits < 1 || maxHeapBits > 64 || maxHeapBits < firstRowBits) throw new Hdf5Unparsed(`fractal heap of ${maxHeapBits} address bits`);
  const maxRootRows = maxHeapBits - firstRowBits + 1;
  if (rootRows > maxRootRows) throw new Hdf5Unparsed(`fractal heap root of ${rootRows} rows (at most ${maxRootRows})`);
  return {
    address,
    idLength,
    filtered: filterLength > 0,
    checksummedDirect: (flags & 0x02) !== 0,
    maxManaged,
    managedSize,
    width,
    startBlock,
    maxDirect,
    rootAddress,
    rootRows,
    offsetBytes: Math.ceil(maxHeapBits / 8),
    // the smaller of the bytes for an offset inside the largest direct block and those for the largest managed object
    lengthBytes: Math.min(Math.ceil(maxDirectBits / 8), encodedSize(BigInt(maxManaged))),
    firstRowBits,
    maxDirectRows: maxDirectBits - startBits + 2,
    // a 2-byte length only when the ID has room for more than 16 + 1 bytes of data (H5HF tiny init)
    tinyExtended: idLength - 1 > 17,
  };
}

/** Objects of one fractal heap, with the blocks read so far (each block is read once). */
class FractalHeap {
  private readonly indirect = new Map<number, IndirectBlock>();
  private readonly direct = new Map<number, DirectBlock>();

  private constructor(
    private readonly reader: BoundedReader,
    private readonly sb: Superblock,
    private readonly h: HeapHeader,
  ) {}

  static async open(reader: BoundedReader, sb: Superblock, address: number): Promise<FractalHeap> {
    return new FractalHeap(reader, sb, await readHeapHeader(reader, sb, address));
  }

  get idLength(): number {
    return this.h.idLength;
  }

  /** The bytes of the object a heap ID names. */
  async object(id: Uint8Array): Promise<Uint8Array> {
    const flags = uint(id, 0, 1);
    if (flags & 0xc0) throw new Hdf5Unparsed(`fractal heap ID version ${flags >> 6}`);
    switch (flags & 0x30) {
      case 0x00:
        return this.managed(id);
      case 0x20:
        return this.tiny(id);
      case 0x10:
        // stored outside the heap blocks and tracked by a separate B-tree (possibly filtered): left to the library
        throw new Hdf5Unparsed('huge fractal heap object (attribute message too large for the heap) not read here');
      default:
        throw new Hdf5Unparsed('fractal heap ID of reserved type');
    }
  }

  /** Data inside the ID. Like the library, the extended form's length uses only the second byte. */
  private tiny(id: Uint8Array): Uint8Array {
    const length = (this.h.tinyExtended ? uint(id, 1, 1) : uint(id, 0, 1) & 0x0f) + 1;
    const start = this.h.tinyExtended ? 2 : 1;
    if (start + length > id.length) throw new Hdf5Unparsed(`tiny fractal heap object of ${length} bytes in a ${id.length}-byte ID`);
    this.reader.charge(length);
    return id.slice(start, start + length);
  }

  private async managed(id: Uint8Array): Promise<Uint8Array> {
    const offset = uint(id, 1, this.h.offsetBytes);
    const length = uint(id, 1 + this.h.offsetBytes, this.h.lengthBytes);
    // the library refuses these IDs as well
    if (offset === 0 || offset > this.h.managedSize) throw new Hdf5Unparsed(`fractal heap object offset ${offset} outside the managed space`);
    if (length === 0 || length > this.h.maxDirect || length > this.h.maxManaged) throw new Hdf5Unparsed(`fractal heap object of ${length} bytes`);
    if (this.h.filtered) throw new Hdf5Unparsed('fractal heap with I/O filters not read here');
    const block = await this.locate(offset);
    const within = offset - block.blockOffset;
    const overhead = 5 + (this.h.checksummedDirect ? 4 : 0) + this.sb.offsetSize + this.h.offsetBytes;
    if (within < overhead || within + length > block.bytes.length) throw new Hdf5Unparsed(`fractal heap object at ${offset} outside its direct block`);
    this.reader.charge(length);
    return block.bytes.slice(within, within + length);
  }

  /** The direct block holding heap offset `offset`, walking down from the root (H5HF "dblock locate"). */
  private async locate(offset: number): Promise<DirectBlock> {
    if (this.h.rootRows === 0) return this.directBlock(this.h.rootAddress, this.h.startBlock, 0);
    let block = await this.indirectBlock(this.h.rootAddress, this.h.rootRows, 0);
    for (let level = 0; level < MAX_HEAP_LEVELS; level++) {
      const { row, col } = this.lookup(offset - block.blockOffset);
      if (row >= block.rows) throw new Hdf5Unparsed(`fractal heap offset ${offset} beyond its indirect block`);
      const child = block.children[row * this.h.width + col];
      if (child < 0) throw new Hdf5Unparsed(`fractal heap offset ${offset} in an unallocated block`);
      const childOffset = block.blockOffset + this.rowOffset(row) + col * this.rowSize(row);
      if (row < this.h.maxDirectRows) return this.directBlock(child, this.rowSize(row), childOffset);
      const rows = Math.log2(this.rowSize(row)) - this.h.firstRowBits + 1;
      if (rows < 1 || rows >= block.rows) throw new Hdf5Unparsed(`fractal heap indirect block of ${rows} rows under one of ${block.rows}`);
      block = await this.indirectBlock(child, rows, childOffset);
    }
    throw new Hdf5Unparsed('fractal heap indirect blocks nested too deeply');
  }

  /** Row and column of an offset relative to an indirect block (doubling table lookup). */
  private lookup(relative: number): { row: number; col: number } {
    if (relative < this.h.startBlock * this.h.width) return { row: 0, col: Math.floor(relative / this.h.startBlock) };
    const highBit = Math.floor(Math.log2(relative));
    // Math.log2 can round up just below a power of two; correct with exact comparisons
    const bit = 2 ** highBit > relative ? highBit - 1 : 2 ** (highBit + 1) <= relative ? highBit + 1 : highBit;
    const row = bit - this.h.firstRowBits + 1;
    return { row, col: Math.floor((relative - 2 ** bit) / this.rowSize(row)) };
  }

  /** Block size of a row: rows 0 and 1 have the starting size, each later row doubles it. */
  private rowSize(row: number): number {
    return row === 0 ? this.h.startBlock : this.h.startBlock * 2 ** (row - 1);
  }

  /** Heap offset where a row starts, relative to its indirect block. */
  private rowOffset(row: number): number {
    return row === 0 ? 0 : this.h.startBlock * this.h.width * 2 ** (row - 1);
  }

  private async indirectBlock(address: number, rows: number, blockOffset: number): Promise<IndirectBlock> {
    const O = this.sb.offsetSize;
    const at = absolute(this.sb.base, address, O);
    const cached = this.indirect.get(at);
    if (cached) {
      if (cached.rows !== rows || cached.blockOffset !== blockOffset) throw new Hdf5Unparsed(`fractal heap indirect block at ${at} used twice`);
      return cached;
    }
    if (this.direct.has(at)) throw new Hdf5Unparsed(`fractal heap block at ${at} is both direct and indirect`);
    const entries = rows * this.h.width;
    // signature, version, heap address, block offset, direct entries (address only: no filters here), indirect entries
    const headerSize = 5 + O + this.h.offsetBytes;
    const b = await this.reader.read(at, headerSize + entries * O, 'fractal heap indirect block');
    if (!hasBytes(b, 0, 'FHIB') || uint(b, 4, 1) !== 0) throw new Hdf5Unparsed(`no fractal heap indirect block at ${at}`);
    this.checkOwner(b, 5, at, blockOffset);
    const children: number[] = [];
    for (let e = 0; e < entries; e++) {
      const child = uint(b, headerSize + e * O, O);
      children.push(isUndefinedAddress(child, O) ? -1 : child);
    }
    const block = { rows, blockOffset, children };
    this.indirect.set(at, block);
    return block;
  }

  private async directBlock(address: number, size: number, blockOffset: number): Promise<DirectBlock> {
    const at = absolute(this.sb.base, address, this.sb.offsetSize);
    const cached = this.direct.get(at);
    if (cached) {
      if (cached.blockOffset !== blockOffset || cached.bytes.length !== size) throw new Hdf5Unparsed(`fractal heap direct block at ${at} used twice`);
      return cached;
    }
    if (this.indirect.has(at)) throw new Hdf5Unparsed(`fractal heap block at ${at} is both direct and indirect`);
    const bytes = await this.reader.read(at, size, 'fractal heap direct block');
    if (!hasBytes(bytes, 0, 'FHDB') || uint(bytes, 4, 1) !== 0) throw new Hdf5Unparsed(`no fractal heap direct block at ${at}`);
    this.checkOwner(bytes, 5, at, blockOffset);
    const block = { blockOffset, bytes };
    this.direct.set(at, block);
    return block;
  }

  /** A block names its heap and its own offset in the heap; a block that disagrees is not where we think. */
  private checkOwner(b: Uint8Array, p: number, at: number, blockOffset: number): void {
    if (uint(b, p, this.sb.offsetSize) !== this.h.address) throw new Hdf5Unparsed(`fractal heap block at ${at} belongs to another heap`);
    const stored = uint(b, p + this.sb.offsetSize, this.h.offsetBytes);
    if (stored !== blockOffset) throw new Hdf5Unparsed(`fractal heap block at ${at} has offset ${stored}, expected ${blockOffset}`);
  }
}

/** log2 of a power of two (≥ 1), or null. */
function exactLog2(n: number): number | null {
  if (!Number.isSafeInteger(n) || n < 1) return null;
  const bits = Math.round(Math.log2(n));
  return 2 ** bits === n ? bits : null;
}
