/**
 * A block cache over a ByteSource for walks that read many small, nearby structures (object headers, symbol
 * table nodes, heaps): reads are rounded to aligned blocks, neighbouring misses are fetched in one read, and
 * the most recently fetched blocks are kept. It counts what reached the underlying source (reads, bytes) and
 * enforces a byte budget over the whole walk.
 *
 * Readahead: a read costs far more than its bytes in the browser (a File slice costs a millisecond or two) and
 * over HTTP (a range request), so a miss that continues a recent stream of reads (at or shortly after its end)
 * reads twice as far ahead as that stream's last read, up to maxReadahead blocks. Where metadata sits between
 * large weights, misses are far apart and reads stay one block. A walk follows several streams at once (a
 * group's nodes and heap, its children's headers, the symbol table nodes of a large group).
 */
import { sliceBlocks } from '../../io/blocks';
import type { ByteSource } from '../../io/byte-source';

/** The walk's byte budget is spent: not a property of the file's structure, so not an Hdf5Unparsed. */
export class Hdf5BudgetExceeded extends Error {}

export interface BlockCacheOptions {
  /** Bytes per block (a power of two). */
  blockSize: number;
  /** Blocks kept. */
  maxBlocks: number;
  /** Most blocks one read fetches for a stream. */
  maxReadahead: number;
  /** Bytes the underlying source may be asked for in total. */
  maxBytes: number;
}

/** A miss this many blocks or fewer past a recent read continues its stream (a walk stepping over small data). */
const NEAR_BLOCKS = 16;
/** Streams of reads followed at once. */
const STREAMS = 8;
/** Reads longer than this go straight to the source (a large local heap or header is read once anyway). */
const DIRECT_READ_BYTES = 64 * 1024;

interface Stream {
  /** Block just past the stream's last read. */
  end: number;
  /** Blocks its next read fetches. */
  readahead: number;
}

export class BlockCache implements ByteSource {
  /** Reads that reached the underlying source. */
  reads = 0;
  /** Bytes the underlying source returned. */
  bytesRead = 0;
  private readonly blocks = new Map<number, Uint8Array>();
  /** Most recent last. */
  private readonly streams: Stream[] = [];

  constructor(
    private readonly source: ByteSource,
    private readonly options: BlockCacheOptions,
  ) {}

  get size(): number {
    return this.source.size;
  }

  get name(): string {
    return this.source.name;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const start = Math.max(0, offset);
    const end = Math.min(this.size, start + Math.max(0, length));
    if (!(end > start)) return new Uint8Array(0);
    if (end - start > DIRECT_READ_BYTES) return this.fetch(start, end - start);
    const bs = this.options.blockSize;
    const first = Math.floor(start / bs);
    const last = Math.floor((end - 1) / bs);
    return sliceBlocks(await this.fill(first, last), first, last, start, end, bs);
  }

  /**
   * Blocks first…last, from the cache or fetched — each run of missing ones with one read, extended by the
   * readahead of the stream it continues (within what the budget leaves). Returned, not looked up again: the
   * blocks this read fetches may evict others it needs.
   */
  private async fill(first: number, last: number): Promise<Uint8Array[]> {
    const bs = this.options.blockSize;
    const inFile = Math.ceil(this.size / bs);
    const out: Uint8Array[] = [];
    for (let b = first; b <= last; ) {
      const cached = this.blocks.get(b);
      if (cached) {
        out.push(cached);
        b++;
        continue;
      }
      const stream = this.stream(b);
      const affordable = Math.floor((this.options.maxBytes - this.bytesRead) / bs);
      const until = Math.min(inFile - 1, Math.max(last, b + Math.min(stream.readahead, affordable) - 1));
      let runEnd = b;
      while (runEnd + 1 <= until && !this.blocks.has(runEnd + 1)) runEnd++;
      const bytes = await this.fetch(b * bs, Math.min(this.size, (runEnd + 1) * bs) - b * bs);
      for (let k = b; k <= runEnd; k++) {
        const block = bytes.subarray((k - b) * bs, (k - b + 1) * bs);
        this.keep(k, block);
        if (k <= last) out.push(block);
      }
      stream.end = runEnd + 1;
      b = runEnd + 1;
    }
    return out;
  }

  /** The stream a miss at block `b` continues (its readahead doubled), or a new one-block stream. */
  private stream(b: number): Stream {
    const i = this.streams.findIndex((s) => b >= s.end && b <= s.end + Math.max(s.readahead, NEAR_BLOCKS));
    const stream = i >= 0 ? this.streams.splice(i, 1)[0] : { end: b, readahead: 0 };
    stream.readahead = i >= 0 ? Math.min(stream.readahead * 2, this.options.maxReadahead) : 1;
    this.streams.push(stream);
    if (this.streams.length > STREAMS) this.streams.shift();
    return stream;
  }

  private async fetch(offset: number, length: number): Promise<Uint8Array> {
    if (this.bytesRead + length > this.options.maxBytes) {
      throw new Hdf5BudgetExceeded(`more than ${this.options.maxBytes} bytes of metadata`);
    }
    const bytes = await this.source.read(offset, length);
    this.reads++;
    this.bytesRead += bytes.length;
    return bytes;
  }

  /** First in, first out: a walk moves on through the file, and FIFO costs nothing on a hit. */
  private keep(b: number, block: Uint8Array): void {
    this.blocks.set(b, block);
    if (this.blocks.size > this.options.maxBlocks) this.blocks.delete(this.blocks.keys().next().value!);
  }
}
