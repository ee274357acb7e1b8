/**
 * Fractal heaps (File Format Specification §III.G): where dense storage keeps its messages — attribute
 * messages (dense attribute storage) and link messages (dense link storage). Objects are found by heap ID:
 * managed objects by walking the doubling table from the root block, tiny objects inside the ID itself.
 *
 * Not read here (Hdf5Unsupported, the library decides): "huge" objects (larger than the heap's managed-object
 * limit, stored beside the heap and tracked by another B-tree), heaps with I/O filters. Checksums are not
 * verified (the library does that itself and refuses a bad block). Every block is read once; a block reached
 * in two roles, or nested too deeply, is refused.
 */
import type { BoundedReader } from './bounded-reader';
import { Hdf5Unparsed, Hdf5Unsupported, encodedSize, hasBytes, isUndefinedAddress, uint } from './raw';
import { absolute, type Superblock } from './superblock';

/** Indirect blocks nested inside the root one (each level has strictly fewer rows, so this is never reached in a valid heap). */
const MAX_HEAP_LEVELS = 64;

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
  if (uint(b, 4, 1) !== 0) throw new Hdf5Unsupported(`fractal heap header version ${b[4]}`);
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
export class FractalHeap {
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
    if (flags & 0xc0) throw new Hdf5Unsupported(`fractal heap ID version ${flags >> 6}`);
    switch (flags & 0x30) {
      case 0x00:
        return this.managed(id);
      case 0x20:
        return this.tiny(id);
      case 0x10:
        // stored outside the heap blocks and tracked by a separate B-tree (possibly filtered): left to the library
        throw new Hdf5Unsupported('huge fractal heap object (a message too large for the heap) not read here');
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
    if (this.h.filtered) throw new Hdf5Unsupported('fractal heap with I/O filters not read here');
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
