/**
 * Random-access ZIP reading over a ByteSource with @zip.js/zip.js: the central directory is read from the
 * end of the file and only the members we ask for are inflated. jszip would read the whole archive into
 * memory (README: measured 2–5 s and ~650 MB for a 500 MB .keras); this reads a few KB.
 */
import { Reader, Writer, ZipReader, configure, type Entry } from '@zip.js/zip.js';
import type { ByteSource } from '../io/byte-source';
import { SliceSource } from '../io/byte-source';
import type { ArchiveMember } from '../report';
import { FormatError } from './format';

configure({ useWebWorkers: false });

class ByteSourceReader extends Reader<ByteSource> {
  constructor(private source: ByteSource) {
    super(source);
  }
  override async init(): Promise<void> {
    this.size = this.source.size;
  }
  override readUint8Array(index: number, length: number): Promise<Uint8Array> {
    return this.source.read(index, length);
  }
}

/** Stops inflating past a byte budget: a deflate bomb cannot fill memory. */
class BoundedWriter extends Writer<Uint8Array> {
  private chunks: Uint8Array[] = [];
  private total = 0;
  constructor(
    private limit: number,
    private member: string,
  ) {
    super();
  }
  override async writeUint8Array(array: Uint8Array): Promise<void> {
    this.total += array.length;
    if (this.total > this.limit) throw new FormatError(`zip member ${this.member} inflates past ${this.limit} bytes`);
    this.chunks.push(array.slice());
  }
  override async getData(): Promise<Uint8Array> {
    const out = new Uint8Array(this.total);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

/** Keeps the first `limit` bytes and then stops the inflater (by throwing a private sentinel). */
class HeadWriter extends Writer<Uint8Array> {
  private chunks: Uint8Array[] = [];
  private total = 0;
  static readonly FULL = new Error('head collected');
  constructor(private limit: number) {
    super();
  }
  override async writeUint8Array(array: Uint8Array): Promise<void> {
    const room = this.limit - this.total;
    if (room > 0) {
      const part = array.subarray(0, room).slice();
      this.chunks.push(part);
      this.total += part.length;
    }
    if (this.total >= this.limit) throw HeadWriter.FULL;
  }
  collected(): Uint8Array {
    const out = new Uint8Array(this.total);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
  override async getData(): Promise<Uint8Array> {
    return this.collected();
  }
}

export const ZIP_LIMITS = { maxMembers: 100_000, maxMemberBytes: 64 * 1024 * 1024 };

const METHODS: Record<number, string> = { 0: 'stored', 8: 'deflate', 9: 'deflate64', 12: 'bzip2', 14: 'lzma', 93: 'zstd', 99: 'aes' };

export interface ZipArchive {
  members: (ArchiveMember & { symlink: boolean; encrypted: boolean; directory: boolean })[];
  /** Inflates one member (bounded); FormatError when absent, encrypted or too large. */
  read(name: string, limit?: number): Promise<Uint8Array>;
  /** The first `length` bytes of a member (inflating only that far). */
  readHead(name: string, length: number): Promise<Uint8Array>;
  /** The member's bytes as a slice of the archive, without copying, when it is stored uncompressed. */
  storedSlice(name: string): Promise<ByteSource | null>;
  close(): Promise<void>;
}

export const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
export const ZIP_EMPTY_MAGIC = [0x50, 0x4b, 0x05, 0x06];

export async function openZip(source: ByteSource): Promise<ZipArchive> {
  // Names are only reported, never used to write files: accept `..` and absolute names so R-PATH-NAMES can flag them.
  const reader = new ZipReader(new ByteSourceReader(source), { checkSignature: true, filenameValidation: 'tolerant' });
  let entries: Entry[];
  try {
    entries = [];
    for await (const e of reader.getEntriesGenerator()) {
      entries.push(e);
      if (entries.length > ZIP_LIMITS.maxMembers) throw new FormatError(`zip has more than ${ZIP_LIMITS.maxMembers} members`);
    }
  } catch (e) {
    if (e instanceof FormatError) throw e;
    throw new FormatError(`unreadable zip archive: ${e instanceof Error ? e.message : String(e)}`);
  }
  const byName = new Map(entries.map((e) => [e.filename, e]));
  const find = (name: string) => {
    const entry = byName.get(name);
    if (!entry || entry.directory) throw new FormatError(`zip member ${name} is missing`);
    return entry;
  };
  return {
    members: entries.map((e) => ({
      name: e.filename,
      compressedSize: e.compressedSize,
      size: e.uncompressedSize,
      method: METHODS[e.compressionMethod] ?? `method ${e.compressionMethod}`,
      symlink: e.symlink,
      encrypted: e.encrypted,
      directory: e.directory,
    })),
    async read(name, limit = ZIP_LIMITS.maxMemberBytes) {
      const entry = find(name);
      if (entry.encrypted) throw new FormatError(`zip member ${name} is encrypted`);
      if (entry.uncompressedSize > limit) {
        throw new FormatError(`zip member ${name} declares ${entry.uncompressedSize} bytes, over the ${limit}-byte limit`);
      }
      if (entry.directory || !('getData' in entry)) throw new FormatError(`zip member ${name} is a directory`);
      try {
        return await entry.getData(new BoundedWriter(limit, name), { checkSignature: true });
      } catch (e) {
        if (e instanceof FormatError) throw e;
        throw new FormatError(`zip member ${name} could not be read: ${e instanceof Error ? e.message : String(e)}`);
      }
    },
    async readHead(name, length) {
      const entry = find(name);
      if (entry.encrypted) throw new FormatError(`zip member ${name} is encrypted`);
      if (entry.directory || !('getData' in entry)) throw new FormatError(`zip member ${name} is a directory`);
      const writer = new HeadWriter(length);
      try {
        await entry.getData(writer, { checkSignature: false });
      } catch (e) {
        if (e !== HeadWriter.FULL) {
          throw new FormatError(`zip member ${name} could not be read: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      return writer.collected();
    },
    async storedSlice(name) {
      const entry = find(name);
      // The encryption flag is honoured by the caller: torch ignores it, Keras never sets it.
      if (entry.compressionMethod !== 0) return null;
      // Local header: 30 fixed bytes + name + extra; its own lengths may differ from the central directory's.
      const header = await source.read(entry.offset, 30);
      if (header.length < 30 || header[0] !== 0x50 || header[1] !== 0x4b || header[2] !== 3 || header[3] !== 4) return null;
      const nameLength = header[26] | (header[27] << 8);
      const extraLength = header[28] | (header[29] << 8);
      const start = entry.offset + 30 + nameLength + extraLength;
      if (start + entry.compressedSize > source.size) return null;
      return new SliceSource(source, start, entry.compressedSize, name);
    },
    async close() {
      await reader.close();
    },
  };
}

