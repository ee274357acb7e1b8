/**
 * HDF5 object headers (File Format Specification §IV.A): the messages of one object, following continuation
 * blocks. Version 1 (prefix then 8-byte-aligned messages) and version 2 ("OHDR" / "OCHK" chunks).
 * Bounded in chunks and bytes; a cycle of continuations is cut.
 */
import type { ByteSource } from '../../io/byte-source';
import { Hdf5TooLarge, Hdf5Unparsed, Hdf5Unsupported, hasBytes, uint } from './raw';
import { absolute, type Superblock } from './superblock';

export interface HeaderMessage {
  type: number;
  flags: number;
  data: Uint8Array;
  /** File offset of the message data. */
  offset: number;
}

export const MESSAGE = {
  nil: 0x00,
  dataspace: 0x01,
  linkInfo: 0x02,
  datatype: 0x03,
  fillValueOld: 0x04,
  fillValue: 0x05,
  link: 0x06,
  externalFiles: 0x07,
  layout: 0x08,
  groupInfo: 0x0a,
  filterPipeline: 0x0b,
  attribute: 0x0c,
  comment: 0x0d,
  modificationTimeOld: 0x0e,
  continuation: 0x10,
  symbolTable: 0x11,
  modificationTime: 0x12,
  btreeK: 0x13,
  attributeInfo: 0x15,
  referenceCount: 0x16,
} as const;
/** Message flag: the message lives in another object header or the shared-message heap. */
export const MESSAGE_SHARED = 0x02;

/**
 * Where a shared message (flag MESSAGE_SHARED) really is (§IV.A.2 "Shared Message"): the file offset of the
 * object header holding it (a committed datatype). Messages in the shared-message heap are not read here.
 */
export function sharedMessageHeader(data: Uint8Array, sb: Superblock): number {
  const version = uint(data, 0, 1);
  const type = uint(data, 1, 1);
  // version 1: version, type, reserved (6), address; version 2: version, type, address; version 3: type 2 = address
  if (version === 1) return absolute(sb.base, uint(data, 8, sb.offsetSize), sb.offsetSize);
  if (version === 2 || (version === 3 && type === 2)) return absolute(sb.base, uint(data, 2, sb.offsetSize), sb.offsetSize);
  if (version === 3 && type === 1) throw new Hdf5Unsupported('message stored in the shared-message heap');
  throw new Hdf5Unparsed(`shared message version ${version}, type ${type}`);
}

const MAX_CHUNKS = 256;
const MAX_CHUNK_BYTES = 16 * 1024 * 1024;
const MAX_TOTAL_BYTES = 64 * 1024 * 1024;

interface Chunk {
  offset: number;
  length: number;
}

export async function readHeaderMessages(source: ByteSource, sb: Superblock, offset: number): Promise<HeaderMessage[]> {
  const prefix = await source.read(offset, 64);
  if (hasBytes(prefix, 0, 'OHDR')) return readVersion2(source, sb, offset, prefix);
  if (uint(prefix, 0, 1) !== 1) throw new Hdf5Unparsed(`no object header at ${offset} (version byte ${prefix[0]})`);
  // version, reserved, message count (2), reference count (4), size of the first chunk (4), padding to 16
  const messages: HeaderMessage[] = [];
  await walkChunks(source, sb, { offset: offset + 16, length: uint(prefix, 8, 4) }, (bytes, chunk) => {
    let p = 0;
    while (p + 8 <= bytes.length) {
      const type = uint(bytes, p, 2);
      const size = uint(bytes, p + 2, 2);
      const flags = uint(bytes, p + 4, 1);
      if (p + 8 + size > bytes.length) throw new Hdf5Unparsed(`message at ${chunk.offset + p} runs past its chunk`);
      messages.push({ type, flags, data: bytes.subarray(p + 8, p + 8 + size), offset: chunk.offset + p + 8 });
      p += 8 + size;
    }
  }, messages);
  return messages;
}

async function readVersion2(source: ByteSource, sb: Superblock, offset: number, prefix: Uint8Array): Promise<HeaderMessage[]> {
  if (uint(prefix, 4, 1) !== 2) throw new Hdf5Unsupported(`OHDR at ${offset}: version ${prefix[4]}`);
  const flags = uint(prefix, 5, 1);
  let p = 6;
  if (flags & 0x20) p += 16; // access, modification, change, birth times
  if (flags & 0x10) p += 4; // attribute storage phase change values
  const sizeBytes = 1 << (flags & 0x03);
  const length = uint(prefix, p, sizeBytes);
  p += sizeBytes;
  const trackOrder = (flags & 0x04) !== 0;
  const messages: HeaderMessage[] = [];
  // chunk 0: messages then a 4-byte checksum; later chunks: "OCHK", messages, checksum
  const first: Chunk = { offset: offset + p, length };
  await walkChunks(source, sb, first, (bytes, chunk) => {
    const start = chunk === first ? 0 : 4;
    const end = chunk === first ? bytes.length : bytes.length - 4;
    if (chunk !== first && !hasBytes(bytes, 0, 'OCHK')) throw new Hdf5Unparsed(`continuation at ${chunk.offset} has no OCHK`);
    const headerSize = trackOrder ? 6 : 4;
    let q = start;
    while (q + headerSize <= end) {
      const type = uint(bytes, q, 1);
      const size = uint(bytes, q + 1, 2);
      const messageFlags = uint(bytes, q + 3, 1);
      if (q + headerSize + size > end) throw new Hdf5Unparsed(`message at ${chunk.offset + q} runs past its chunk`);
      const dataAt = q + headerSize;
      messages.push({ type, flags: messageFlags, data: bytes.subarray(dataAt, dataAt + size), offset: chunk.offset + dataAt });
      q = dataAt + size;
    }
  }, messages);
  return messages;
}

/** Reads chunk after chunk (the first, then every continuation message found), calling `parse` on each. */
async function walkChunks(
  source: ByteSource,
  sb: Superblock,
  first: Chunk,
  parse: (bytes: Uint8Array, chunk: Chunk) => void,
  messages: HeaderMessage[],
): Promise<void> {
  const queue: Chunk[] = [first];
  const seen = new Set<number>();
  let total = 0;
  let followed = 0;
  while (queue.length > 0) {
    const chunk = queue.shift()!;
    if (seen.has(chunk.offset)) continue;
    seen.add(chunk.offset);
    if (seen.size > MAX_CHUNKS) throw new Hdf5TooLarge(`more than ${MAX_CHUNKS} object header chunks`);
    if (chunk.length > MAX_CHUNK_BYTES || (total += chunk.length) > MAX_TOTAL_BYTES) throw new Hdf5TooLarge(`object header at ${chunk.offset} too large`);
    const bytes = await source.read(chunk.offset, chunk.length);
    if (bytes.length < chunk.length) throw new Hdf5Unparsed(`object header chunk at ${chunk.offset} runs past the end of the file`);
    parse(bytes, chunk);
    for (; followed < messages.length; followed++) {
      const m = messages[followed];
      if (m.type !== MESSAGE.continuation) continue;
      const at = absolute(sb.base, uint(m.data, 0, sb.offsetSize), sb.offsetSize);
      queue.push({ offset: at, length: uint(m.data, sb.offsetSize, sb.lengthSize) });
    }
  }
}
