// Builds the large benchmark inputs in .bench/inputs/ from the small real fixtures, as sparse files: their
// apparent size is the target size, their disk use stays around the fixture's size.
//   - <size>.h5:    tests/fixtures/mal_os_system.h5 plus a chunked dataset `bench_weights` declared at the target
//                   size (no chunk allocated: HDF5 then needs no bytes for it), and the file extended with a hole to
//                   the target size (HDF5 accepts bytes past its end-of-allocation). h5wasm/node does the HDF5 part.
//   - <size>.keras: a zip written here: metadata.json, config.json (from mal_os_system.keras), then a STORED
//                   model.weights.h5 member = the fixture's real weights file followed by zeros up to the target
//                   size, left as a hole. CRC-32 of the zero run by GF(2) matrix powers, Zip64 when needed.
// Usage: node scripts/bench/make-inputs.mjs [--sizes 10M,500M,2G,8G] [--out .bench/inputs]
import { closeSync, copyFileSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function parseSize(text) {
  const m = /^(\d+(?:\.\d+)?)([KMG]?)B?$/i.exec(text.trim());
  if (!m) throw new Error(`bad size: ${text}`);
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2].toUpperCase()];
  return Math.round(Number(m[1]) * unit);
}

// ---------- CRC-32 (zip polynomial) ----------
const TABLE = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  TABLE[n] = c >>> 0;
}
function crcUpdate(reg, bytes) {
  for (let i = 0; i < bytes.length; i++) reg = TABLE[(reg ^ bytes[i]) & 0xff] ^ (reg >>> 8);
  return reg >>> 0;
}
export function crc32(bytes) {
  return (crcUpdate(0xffffffff, bytes) ^ 0xffffffff) >>> 0;
}
// Feeding one zero byte is linear on the 32-bit register: a 32×32 GF(2) matrix (column i = image of bit i).
function matTimes(mat, vec) {
  let sum = 0;
  for (let i = 0; vec; i++, vec >>>= 1) if (vec & 1) sum ^= mat[i];
  return sum >>> 0;
}
function matSquare(mat) {
  return mat.map((col) => matTimes(mat, col));
}
const ZERO_BYTE = Array.from({ length: 32 }, (_, i) => crcUpdate((1 << i) >>> 0, new Uint8Array(1)));
/** CRC-32 of `prefix` followed by `zeros` zero bytes, without touching the zeros. */
export function crc32WithZeros(prefix, zeros) {
  let reg = crcUpdate(0xffffffff, prefix);
  let op = ZERO_BYTE;
  for (let n = zeros; n > 0; n = Math.floor(n / 2)) {
    if (n % 2) reg = matTimes(op, reg);
    op = matSquare(op);
  }
  return (reg ^ 0xffffffff) >>> 0;
}

// ---------- zip writer with holes ----------
const U32 = 0xffffffff;
function le(bytes, n) {
  const b = Buffer.alloc(bytes);
  if (bytes === 8) b.writeBigUInt64LE(BigInt(n));
  else if (bytes === 4) b.writeUInt32LE(n >>> 0);
  else b.writeUInt16LE(n);
  return b;
}
const DOS_TIME = 0; // 00:00:00
const DOS_DATE = (2026 - 1980) << 9 | (1 << 5) | 1;

/**
 * Writes a zip of STORED members; a member is { name, data?: Buffer, zeros?: number } (data then a hole of
 * `zeros` bytes). Returns the file size.
 */
export function writeSparseZip(file, members) {
  const fd = openSync(file, 'w');
  let offset = 0;
  const central = [];
  const put = (buf) => {
    writeSync(fd, buf, 0, buf.length, offset);
    offset += buf.length;
  };
  for (const m of members) {
    const data = m.data ?? Buffer.alloc(0);
    const zeros = m.zeros ?? 0;
    const size = data.length + zeros;
    const crc = crc32WithZeros(data, zeros);
    const name = Buffer.from(m.name, 'utf8');
    const zip64 = size >= U32;
    const extra = zip64 ? Buffer.concat([le(2, 1), le(2, 16), le(8, size), le(8, size)]) : Buffer.alloc(0);
    const localOffset = offset;
    put(Buffer.concat([le(4, 0x04034b50), le(2, zip64 ? 45 : 20), le(2, 0x0800), le(2, 0), le(2, DOS_TIME), le(2, DOS_DATE), le(4, crc), le(4, zip64 ? U32 : size), le(4, zip64 ? U32 : size), le(2, name.length), le(2, extra.length), name, extra]));
    put(data);
    offset += zeros; // the hole: never written
    central.push({ name, crc, size, localOffset });
  }
  const cdStart = offset;
  for (const c of central) {
    const bigSize = c.size >= U32;
    const bigOffset = c.localOffset >= U32;
    const parts = [];
    if (bigSize) parts.push(le(8, c.size), le(8, c.size));
    if (bigOffset) parts.push(le(8, c.localOffset));
    const extra = parts.length ? Buffer.concat([le(2, 1), le(2, parts.reduce((n, p) => n + p.length, 0)), ...parts]) : Buffer.alloc(0);
    const v = bigSize || bigOffset ? 45 : 20;
    put(Buffer.concat([le(4, 0x02014b50), le(2, (3 << 8) | v), le(2, v), le(2, 0x0800), le(2, 0), le(2, DOS_TIME), le(2, DOS_DATE), le(4, c.crc), le(4, bigSize ? U32 : c.size), le(4, bigSize ? U32 : c.size), le(2, c.name.length), le(2, extra.length), le(2, 0), le(2, 0), le(2, 0), le(4, 0o100644 << 16), le(4, bigOffset ? U32 : c.localOffset), c.name, extra]));
  }
  const cdSize = offset - cdStart;
  if (cdStart >= U32) {
    const eocd64 = offset;
    put(Buffer.concat([le(4, 0x06064b50), le(8, 44), le(2, 45), le(2, 45), le(4, 0), le(4, 0), le(8, central.length), le(8, central.length), le(8, cdSize), le(8, cdStart)]));
    put(Buffer.concat([le(4, 0x07064b50), le(4, 0), le(8, eocd64), le(4, 1)]));
  }
  put(Buffer.concat([le(4, 0x06054b50), le(2, 0), le(2, 0), le(2, central.length), le(2, central.length), le(4, cdSize), le(4, cdStart >= U32 ? U32 : cdStart), le(2, 0)]));
  closeSync(fd);
  return offset;
}

/** Members of a stored or deflated zip, read with zip.js (for the real fixture's members). */
async function readZipMembers(file) {
  const { ZipReader, Uint8ArrayReader, Uint8ArrayWriter } = await import('@zip.js/zip.js');
  const reader = new ZipReader(new Uint8ArrayReader(new Uint8Array(readFileSync(file))), { useWebWorkers: false });
  const out = new Map();
  for (const e of await reader.getEntries()) out.set(e.filename, Buffer.from(await e.getData(new Uint8ArrayWriter())));
  await reader.close();
  return out;
}

export async function makeKeras(file, size) {
  const members = await readZipMembers(path.join(root, 'tests/fixtures/mal_os_system.keras'));
  const weights = members.get('model.weights.h5');
  const fixed = ['metadata.json', 'config.json'].map((name) => ({ name, data: members.get(name) }));
  // Headers are a few hundred bytes: aim the weights member so the whole file is about `size`.
  const overhead = 512 + fixed.reduce((n, m) => n + m.data.length, 0) + weights.length;
  writeSparseZip(file, [...fixed, { name: 'model.weights.h5', data: weights, zeros: Math.max(0, size - overhead) }]);
}

export async function makeH5(file, size) {
  const h5wasm = (await import('h5wasm/node')).default;
  await h5wasm.ready;
  copyFileSync(path.join(root, 'tests/fixtures/mal_os_system.h5'), file);
  const f = new h5wasm.File(file, 'a');
  const chunk = 1024 * 1024; // float32 elements: 4 MiB chunks
  const ds = f.create_dataset({ name: 'bench_weights', data: new Float32Array(1), shape: [1], maxshape: [null], chunks: [chunk] });
  ds.resize([Math.floor(size / 4)]);
  f.close();
  const fd = openSync(file, 'r+');
  if (statSync(file).size < size) ftruncateSync(fd, size);
  closeSync(fd);
}

export function sizeLabel(n) {
  if (n >= 1024 ** 3 && n % 1024 ** 3 === 0) return `${n / 1024 ** 3}G`;
  return `${Math.round(n / 1024 ** 2)}M`;
}

export async function makeInputs({ sizes = ['10M', '500M', '2G', '8G'], out = path.join(root, '.bench/inputs') } = {}) {
  mkdirSync(out, { recursive: true });
  const files = [];
  for (const s of sizes) {
    const size = parseSize(s);
    for (const [ext, make] of [['h5', makeH5], ['keras', makeKeras]]) {
      const file = path.join(out, `bench-${sizeLabel(size)}.${ext}`);
      if (!existsSync(file) || statSync(file).size < size * 0.99) await make(file, size);
      const st = statSync(file);
      files.push({ file, format: ext, size: st.size, diskBytes: st.blocks * 512 });
    }
  }
  return files;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const files = await makeInputs({ sizes: arg('--sizes')?.split(','), out: arg('--out') });
  for (const f of files) console.log(`${path.relative(root, f.file)}\t${f.size} bytes\t${(f.diskBytes / 1024).toFixed(0)} KiB on disk`);
}
