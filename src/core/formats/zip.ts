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

/**
 * Inflates a member's raw data (handed over verbatim by zip.js with `passThrough`) the way Python's zipfile does:
 * the real bytes until the deflate stream ends, whatever size the central directory declares, and never more than
 * `limit` bytes of real output (the cap is the defence against bombs, not the declared size). `mode: 'head'` keeps
 * the first `limit` bytes and stops quietly; `'whole'` throws past the cap.
 */
class InflatingWriter extends Writer<Uint8Array> {
  private chunks: Uint8Array[] = [];
  private total = 0;
  private over = false;
  private input: WritableStreamDefaultWriter<BufferSource> | null = null;
  private drained: Promise<void> = Promise.resolve();
  constructor(
    private readonly deflated: boolean,
    private readonly limit: number,
    private readonly mode: 'whole' | 'head',
    private readonly member: string,
  ) {
    super();
  }
  override async init(size?: number): Promise<void> {
    await super.init?.(size);
    if (!this.deflated) return;
    const stream = new DecompressionStream('deflate-raw');
    this.input = stream.writable.getWriter();
    const output = stream.readable.getReader();
    this.drained = (async () => {
      for (;;) {
        const { value, done } = await output.read();
        if (done) return;
        if (!this.keep(value)) {
          await output.cancel();
          return;
        }
      }
    })();
    // The pump's own failure (invalid data) surfaces through the writes or close below.
    this.drained.catch(() => {});
  }
  /** Adds output; false once the cap is reached. */
  private keep(chunk: Uint8Array): boolean {
    const room = this.limit - this.total;
    if (chunk.length > room) {
      if (room > 0) this.chunks.push(chunk.slice(0, room));
      this.total = this.limit;
      this.over = true;
      return false;
    }
    this.chunks.push(chunk.slice());
    this.total += chunk.length;
    return true;
  }
  override async writeUint8Array(array: Uint8Array): Promise<void> {
    if (this.over) throw InflatingWriter.FULL;
    if (!this.input) {
      if (!this.keep(array)) throw InflatingWriter.FULL;
      return;
    }
    try {
      await this.input.write(array as Uint8Array<ArrayBuffer>);
    } catch (e) {
      if (this.over) throw InflatingWriter.FULL;
      throw e;
    }
  }
  /** Thrown to stop zip.js once enough output is in hand. */
  static readonly FULL = new Error('inflate cap reached');
  /** The output, after the input ended (or the cap stopped it). */
  async finish(stoppedByCap: boolean): Promise<Uint8Array> {
    if (this.input && !stoppedByCap && !this.over) {
      await this.input.close();
      await this.drained;
    }
    if (this.over && this.mode === 'whole') throw new FormatError('limit', `zip member ${this.member} inflates past ${this.limit} bytes`);
    const out = new Uint8Array(this.total);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
  override async getData(): Promise<Uint8Array> {
    return new Uint8Array(0);
  }
}

/**
 * Member reads: zip.js locates the data (checking signatures and bounds) and hands it over verbatim; sizes in the
 * local header are not compared with the central directory's, as Python's zipfile does not compare them either.
 * The CRC is not checked: Python refuses a member with a bad CRC, so reading it anyway only ever reports more.
 */
const MEMBER_READ = { checkSignature: true, checkLocalDirectory: false, passThrough: true } as const;

export const ZIP_LIMITS = { maxMembers: 100_000, maxMemberBytes: 64 * 1024 * 1024 };

const METHODS: Record<number, string> = { 0: 'stored', 8: 'deflate', 9: 'deflate64', 12: 'bzip2', 14: 'lzma', 93: 'zstd', 99: 'aes' };

/** A member whose central directory size is not what really inflates. */
export interface SizeMismatch {
  member: string;
  declaredBytes: number;
  actualBytes: number;
}

export interface ZipArchive {
  /** `crc32`: the central directory's CRC-32 of the content (null when not stored), for `lambdalens diff`. */
  members: (ArchiveMember & { symlink: boolean; encrypted: boolean; directory: boolean; crc32: number | null })[];
  /**
   * Inflates one member, whatever size it declares, and stops at `limit` bytes of real output (the cap on real
   * output is the defence against bombs, not the declared size). FormatError when absent, encrypted or over the cap.
   */
  read(name: string, limit?: number): Promise<Uint8Array>;
  /**
   * Earlier entries with the same name as `name`, which Python's zipfile hides behind the last one (other zip
   * readers take the first): a classic parser-differential. Their bytes, oldest first, under the same cap.
   */
  readShadowed(name: string, limit?: number): Promise<Uint8Array[]>;
  /** Members read so far whose real size differed from the declared one. */
  readonly sizeMismatches: readonly SizeMismatch[];
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
      if (entries.length > ZIP_LIMITS.maxMembers) throw new FormatError('limit', `zip has more than ${ZIP_LIMITS.maxMembers} members`);
    }
  } catch (e) {
    if (e instanceof FormatError) throw e;
    throw new FormatError('damaged', `unreadable zip archive: ${e instanceof Error ? e.message : String(e)}`);
  }
  const byName = new Map(entries.map((e) => [e.filename, e]));
  const find = (name: string) => {
    const entry = byName.get(name);
    if (!entry || entry.directory) throw new FormatError('damaged', `zip member ${name} is missing`);
    return entry;
  };
  const sizeMismatches: SizeMismatch[] = [];
  /** The entry, when it is a file zip.js can hand over (encrypted members cannot be read without the password). */
  const readable = (name: string) => {
    const entry = find(name);
    if (entry.encrypted) throw new FormatError('encrypted', `zip member ${name} is encrypted`);
    if (entry.directory || !('getData' in entry)) throw new FormatError('damaged', `zip member ${name} is a directory`);
    return entry;
  };
  const inflate = async (entry: Entry, name: string, limit: number, mode: 'whole' | 'head'): Promise<Uint8Array> => {
    if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
      throw new FormatError('damaged', `zip member ${name} uses compression method ${entry.compressionMethod}, which this inspector does not read`);
    }
    const writer = new InflatingWriter(entry.compressionMethod === 8, limit, mode, name);
    let stoppedByCap = false;
    try {
      if (!('getData' in entry)) throw new FormatError('damaged', `zip member ${name} is a directory`);
      await entry.getData(writer, MEMBER_READ);
    } catch (e) {
      if (e !== InflatingWriter.FULL) {
        if (e instanceof FormatError) throw e;
        throw new FormatError('damaged', `zip member ${name} could not be read: ${e instanceof Error ? e.message : String(e)}`);
      }
      stoppedByCap = true;
    }
    try {
      return await writer.finish(stoppedByCap);
    } catch (e) {
      if (e instanceof FormatError) throw e;
      throw new FormatError('damaged', `zip member ${name} could not be inflated: ${e instanceof Error ? e.message : String(e)}`);
    }
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
      crc32: typeof e.crc32 === 'number' ? e.crc32 : null,
    })),
    sizeMismatches,
    async read(name, limit = ZIP_LIMITS.maxMemberBytes) {
      const entry = readable(name);
      const bytes = await inflate(entry, name, limit, 'whole');
      if (bytes.length !== entry.uncompressedSize) sizeMismatches.push({ member: name, declaredBytes: entry.uncompressedSize, actualBytes: bytes.length });
      return bytes;
    },
    async readHead(name, length) {
      return inflate(readable(name), name, length, 'head');
    },
    async readShadowed(name, limit = ZIP_LIMITS.maxMemberBytes) {
      const last = byName.get(name);
      const shadowed = entries.filter((e) => e.filename === name && e !== last && !e.directory);
      const out: Uint8Array[] = [];
      for (const e of shadowed) {
        if (e.encrypted) throw new FormatError('encrypted', `an earlier zip member ${name} is encrypted`);
        out.push(await inflate(e, name, limit, 'whole'));
      }
      return out;
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

