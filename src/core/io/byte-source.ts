/**
 * The narrowest interface at the bottom of every reader: a length and random-access reads.
 * Readers never learn whether bytes come from a browser File, a Node file handle or a slice of a zip member.
 */
export interface ByteSource {
  /** Total length in bytes. */
  readonly size: number;
  /** Reads `length` bytes at `offset` (clamped to the end of the source). */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** A name for messages (file name, member path); never used to pick a format. */
  readonly name: string;
}

/** A source over bytes already in memory (small files, decoded base64, tests). */
export class MemorySource implements ByteSource {
  constructor(
    readonly bytes: Uint8Array,
    readonly name = 'memory',
  ) {}
  get size(): number {
    return this.bytes.length;
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    const start = Math.max(0, Math.min(offset, this.bytes.length));
    return this.bytes.subarray(start, Math.min(this.bytes.length, start + Math.max(0, length)));
  }
}

/** A window [offset, offset+size) of another source: zip members stored uncompressed, HDF5 after a user block. */
export class SliceSource implements ByteSource {
  constructor(
    readonly parent: ByteSource,
    readonly offset: number,
    readonly size: number,
    readonly name = parent.name,
  ) {}
  read(offset: number, length: number): Promise<Uint8Array> {
    const start = Math.max(0, Math.min(offset, this.size));
    const len = Math.max(0, Math.min(length, this.size - start));
    return this.parent.read(this.offset + start, len);
  }
}

/** Reads the whole source; callers check the size against a budget first. */
export async function readAll(source: ByteSource): Promise<Uint8Array> {
  return source.read(0, source.size);
}
