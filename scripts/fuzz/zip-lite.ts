/**
 * A tiny ZIP reader/writer for the fuzzer and the hardening tests (Node only): reads well-formed seed archives
 * and writes archives whose header fields can be set to lie (declared sizes, counts, offsets) on purpose.
 */
import { constants, createDeflateRaw, deflateRawSync, inflateRawSync } from 'node:zlib';

export interface LiteMember {
  name: string;
  /** Uncompressed content (used to compute crc and, for method 8, the deflated bytes). */
  data: Uint8Array;
  method?: 0 | 8;
  /** Already-compressed bytes to store verbatim (e.g. a hand-built deflate bomb). */
  raw?: Uint8Array;
  /** Header lies: override what the headers declare. */
  declaredSize?: number;
  declaredCompressedSize?: number;
  crc?: number;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

export function readZip(bytes: Uint8Array): { name: string; data: Uint8Array; method: number }[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (dv.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('no end of central directory');
  const count = dv.getUint16(eocd + 10, true);
  let p = dv.getUint32(eocd + 16, true);
  const out: { name: string; data: Uint8Array; method: number }[] = [];
  for (let i = 0; i < count; i++) {
    if (dv.getUint32(p, true) !== 0x02014b50) throw new Error('bad central directory entry');
    const method = dv.getUint16(p + 10, true);
    const csize = dv.getUint32(p + 20, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    const local = dv.getUint32(p + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLen));
    const lname = dv.getUint16(local + 26, true);
    const lextra = dv.getUint16(local + 28, true);
    const start = local + 30 + lname + lextra;
    const comp = bytes.subarray(start, start + csize);
    const data = method === 8 ? new Uint8Array(inflateRawSync(comp)) : method === 0 ? comp.slice() : new Uint8Array(0);
    out.push({ name, data, method });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

export interface WriteZipOptions {
  /** Override the entry count written in the end record. */
  declaredCount?: number;
  /** Override the central directory offset written in the end record. */
  declaredCdOffset?: number;
}

export function writeZip(members: LiteMember[], options: WriteZipOptions = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  const enc = new TextEncoder();
  for (const m of members) {
    const name = enc.encode(m.name);
    const method = m.method ?? 0;
    const body = m.raw ?? (method === 8 ? new Uint8Array(deflateRawSync(m.data)) : m.data);
    const crc = m.crc ?? crc32(m.data);
    const size = m.declaredSize ?? m.data.length;
    const csize = m.declaredCompressedSize ?? body.length;
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(8, method, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, csize >>> 0, true);
    lv.setUint32(22, size >>> 0, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const cd = new Uint8Array(46 + name.length);
    const cv = new DataView(cd.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(10, method, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, csize >>> 0, true);
    cv.setUint32(24, size >>> 0, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    cd.set(name, 46);
    parts.push(local, body);
    central.push(cd);
    offset += local.length + body.length;
  }
  const cdSize = central.reduce((n, c) => n + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  const count = options.declaredCount ?? members.length;
  ev.setUint16(8, count & 0xffff, true);
  ev.setUint16(10, count & 0xffff, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, options.declaredCdOffset ?? offset, true);
  return concat([...parts, ...central, end]);
}

export function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/**
 * A raw deflate stream that inflates to `mebibytes` MiB of zeros from ~1/1000 of that: in steady state a
 * sync-flushed 1 MiB block of zeros back-references only the (all-zero) window, so the same block bytes are
 * repeated instead of deflating the whole output (1 GiB costs ~1 MB and a few milliseconds).
 */
export async function zeroDeflateBomb(mebibytes: number): Promise<Uint8Array> {
  const MiB = 1024 * 1024;
  const deflater = createDeflateRaw({ level: 9 });
  const pending: Buffer[] = [];
  deflater.on('data', (c: Buffer) => pending.push(c));
  const blocks: Uint8Array[] = [];
  for (let i = 0; i < 3; i++) {
    deflater.write(new Uint8Array(MiB));
    await new Promise<void>((resolve) => deflater.flush(constants.Z_SYNC_FLUSH, () => resolve()));
    blocks.push(new Uint8Array(Buffer.concat(pending.splice(0))));
  }
  deflater.close();
  const [first, steady, check] = blocks;
  if (steady.length !== check.length || !steady.every((b, i) => check[i] === b)) throw new Error('deflate blocks are not repeatable');
  const chunks: Uint8Array[] = [first];
  for (let i = 1; i < mebibytes; i++) chunks.push(steady);
  chunks.push(Uint8Array.of(0x03, 0x00)); // final empty fixed-Huffman block
  return concat(chunks);
}
