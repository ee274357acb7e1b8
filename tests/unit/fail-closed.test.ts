/**
 * Issue 11's cases, each built from the loaders' real behaviour, with the verdict the old pipeline gave in the
 * test name. A part a loader reads that was not inspected must never produce "clean".
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { scanPath } from '../../src/node/scan-path';
import { MemorySource } from '../../src/core/io/byte-source';
import { openZip } from '../../src/core/formats/zip';
import { byRule, fixtureBytes, FIXTURES, k3Functional, k3Layer, makeH5, makeKeras, makeZip, scanBytes, tkModel } from './rules/helpers';

const work = mkdtempSync(path.join(tmpdir(), 'lambdalens-fail-closed-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const MiB = 1024 * 1024;
const enc = new TextEncoder();

// ------------------------------------------------------------------ a torch.save zip, written as PyTorch writes it
interface StreamedMember {
  name: string;
  /** Chunks of the member's bytes (streamed: the padding never sits in memory). */
  chunks: () => Iterable<Uint8Array>;
}

/**
 * torch.save's zip layout (PyTorchStreamWriter: every record stored, data aligned to 64 bytes with an "FB" extra
 * field, `archive/` prefix, data.pkl first). Written to a file in chunks; CRC-32 and sizes as miniz writes them.
 */
function writeTorchZip(file: string, members: StreamedMember[]): void {
  const fd = openSync(file, 'w');
  let offset = 0;
  const put = (bytes: Uint8Array) => {
    writeSync(fd, bytes);
    offset += bytes.length;
  };
  const central: Uint8Array[] = [];
  for (const m of members) {
    let crc = 0;
    let size = 0;
    for (const c of m.chunks()) {
      crc = crc32(c, crc);
      size += c.length;
    }
    const name = enc.encode(m.name);
    const at = offset;
    const fixed = 30 + name.length + 4;
    const pad = (64 - ((at + fixed) % 64)) % 64;
    const local = new Uint8Array(fixed + pad);
    const v = new DataView(local.buffer);
    v.setUint32(0, 0x04034b50, true);
    v.setUint16(4, 20, true);
    v.setUint32(14, crc >>> 0, true);
    v.setUint32(18, size, true);
    v.setUint32(22, size, true);
    v.setUint16(26, name.length, true);
    v.setUint16(28, 4 + pad, true);
    local.set(name, 30);
    v.setUint16(30 + name.length, 0x4246, true); // "FB" padding field
    v.setUint16(32 + name.length, pad, true);
    put(local);
    for (const c of m.chunks()) put(c);
    const cd = new Uint8Array(46 + name.length);
    const w = new DataView(cd.buffer);
    w.setUint32(0, 0x02014b50, true);
    w.setUint16(4, 20, true);
    w.setUint16(6, 20, true);
    w.setUint32(16, crc >>> 0, true);
    w.setUint32(20, size, true);
    w.setUint32(24, size, true);
    w.setUint16(28, name.length, true);
    w.setUint32(42, at, true);
    cd.set(name, 46);
    central.push(cd);
  }
  const cdAt = offset;
  for (const c of central) put(c);
  const end = new Uint8Array(22);
  const e = new DataView(end.buffer);
  e.setUint32(0, 0x06054b50, true);
  e.setUint16(8, members.length, true);
  e.setUint16(10, members.length, true);
  e.setUint32(12, offset - cdAt, true);
  e.setUint32(16, cdAt, true);
  put(end);
  closeSync(fd);
}

function* zeros(bytes: number): Iterable<Uint8Array> {
  const block = new Uint8Array(MiB);
  for (let left = bytes; left > 0; left -= MiB) yield left >= MiB ? block : block.subarray(0, left);
}

/** `posix.system('echo pwned')` as protocol 2 opcodes: GLOBAL, BINUNICODE, TUPLE1, REDUCE, STOP. */
function systemPickle(): Uint8Array {
  const arg = enc.encode('echo pwned');
  return Uint8Array.from([0x80, 2, ...enc.encode('cposix\nsystem\n'), 0x58, arg.length, 0, 0, 0, ...arg, 0x85, 0x52, 0x2e]);
}

const torchMembers = (dataPkl: () => Iterable<Uint8Array>): StreamedMember[] => [
  { name: 'archive/data.pkl', chunks: dataPkl },
  { name: 'archive/byteorder', chunks: () => [enc.encode('little')] },
  { name: 'archive/data/0', chunks: () => [new Uint8Array(64)] },
  { name: 'archive/version', chunks: () => [enc.encode('3\n')] },
  { name: 'archive/.data/serialization_id', chunks: () => [enc.encode('1234567890123456789012345678901234567890')] },
];

describe('1. a part that was not inspected never becomes "clean"', () => {
  it('PyTorch zip: os.system pickle padded past the 256 MiB member limit (was clean) → dangerous: torch.load unpickles only up to STOP', async () => {
    const file = path.join(work, 'padded.pt');
    writeTorchZip(file, torchMembers(function* () {
      yield systemPickle();
      yield* zeros(257 * MiB);
    }));
    const r = await scanPath(file, { hash: false });
    expect(r.verdict).toBe('dangerous');
    expect(byRule(r, 'R-PICKLE-GLOBALS').map((f) => f.evidence.global)).toContain('posix.system');
    expect(r.skipped).toEqual([]);
  }, 60_000);

  it('PyTorch zip whose first pickle does not end within 256 MiB → suspicious, the ledger says which member and why', async () => {
    const file = path.join(work, 'long-pickle.pt');
    const payload = 300 * MiB;
    writeTorchZip(file, torchMembers(function* () {
      // PROTO 4, BINBYTES8 of 300 MiB, POP, then the call: the import sits past what is read.
      const head = new Uint8Array(11);
      head.set([0x80, 4, 0x8e]);
      new DataView(head.buffer).setBigUint64(3, BigInt(payload), true);
      yield head;
      yield* zeros(payload);
      yield Uint8Array.from([0x30]);
      yield systemPickle().subarray(2);
    }));
    const r = await scanPath(file, { hash: false });
    expect(r.verdict).toBe('suspicious');
    expect(r.skipped).toMatchObject([{ part: 'archive/data.pkl', kind: 'pickle', category: 'too-large', readBy: ['torch.load', 'torch.jit.load'] }]);
    expect(r.verdictReason).toMatch(/Not everything a loader reads could be inspected: archive\/data\.pkl \(too large/);
  }, 60_000);

  it('an encrypted model.weights.h5 in a .keras (was clean) → suspicious with the member in the ledger', async () => {
    const zip = makeKeras(k3Functional('m', [k3Layer('Dense', 'd')]), [{ name: 'model.weights.h5', data: await makeH5({}) }]);
    // Set the "encrypted" bit (general purpose flag bit 0) of that member in its local and central headers.
    const bytes = zip.slice();
    const v = new DataView(bytes.buffer);
    for (let p = 0; p + 4 <= bytes.length; p++) {
      const sig = v.getUint32(p, true);
      const nameAt = sig === 0x04034b50 ? p + 30 : sig === 0x02014b50 ? p + 46 : -1;
      if (nameAt < 0) continue;
      const len = v.getUint16(sig === 0x04034b50 ? p + 26 : p + 28, true);
      if (new TextDecoder().decode(bytes.subarray(nameAt, nameAt + len)) !== 'model.weights.h5') continue;
      const flag = sig === 0x04034b50 ? p + 6 : p + 8;
      v.setUint16(flag, v.getUint16(flag, true) | 1, true);
    }
    const r = await scanBytes(bytes, 'encrypted.keras');
    expect(r.verdict).toBe('suspicious');
    expect(r.skipped).toMatchObject([{ part: 'model.weights.h5', category: 'encrypted' }]);
    expect(r.verdictReason).not.toMatch(/no model config/);
  });

  it('an .npz member not named .npy but starting with the NPY magic is read as numpy reads it (was ignored)', async () => {
    const header = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }";
    const padded = header + ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
    const npy = Uint8Array.from([0x93, ...enc.encode('NUMPY'), 1, 0, padded.length & 0xff, padded.length >> 8, ...enc.encode(padded), ...systemPickle()]);
    const npz = makeZip([{ name: 'vars', data: npy }]);
    const r = await scanBytes(makeKeras(k3Functional('m', []), [{ name: 'model.weights.npz', data: npz }]), 'npz.keras');
    expect(byRule(r, 'R-NPZ-PICKLE').map((f) => f.document)).toEqual(['model.weights.npz/vars']);
    expect(r.verdict).toBe('dangerous');
  });
});

describe('3. the same payload cannot flip with the format label', () => {
  it('training_config bytecode without model_config, with and without an unrelated layer_names attribute (was: dangerous / clean) → dangerous both', async () => {
    const plain = await scanPath(path.join(FIXTURES, 'crafted/training_config_lambda.h5'), { hash: false });
    const labelled = await scanPath(path.join(FIXTURES, 'crafted/training_config_lambda_layer_names.h5'), { hash: false });
    expect([plain.format, labelled.format]).toEqual(['hdf5', 'keras-h5-weights']);
    for (const r of [plain, labelled]) {
      expect(r.verdict).toBe('dangerous');
      expect(byRule(r, 'R-H5-LAMBDA').map((f) => [f.document, f.location, f.severity])).toEqual([['training_config', '/loss/config/code', 'critical']]);
    }
    expect(labelled.findings[0].payload!.sha256).toBe(plain.findings[0].payload!.sha256);
  });
});

/** The real save mal_os_system.keras with config.json's central-directory size set to `declared`. */
function withDeclaredConfigSize(declared: number): Uint8Array {
  const bytes = fixtureBytes('mal_os_system.keras').slice();
  const v = new DataView(bytes.buffer);
  let end = bytes.length - 22;
  while (v.getUint32(end, true) !== 0x06054b50) end--;
  let p = v.getUint32(end + 16, true);
  for (let i = 0; i < v.getUint16(end + 10, true); i++) {
    const nameLength = v.getUint16(p + 28, true);
    if (new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLength)) === 'config.json') v.setUint32(p + 24, declared, true);
    p += 46 + nameLength + v.getUint16(p + 30, true) + v.getUint16(p + 32, true);
  }
  return bytes;
}

describe('4. a zip member whose declared size lies', () => {
  it('config.json declared 4,000,000,000 bytes (was error) → the real bytes are read, as Python’s zipfile does: dangerous, and the lie is a finding', async () => {
    const r = await scanBytes(withDeclaredConfigSize(4_000_000_000), 'lie.keras');
    expect(r.verdict).toBe('dangerous');
    expect(byRule(r, 'R-K3-LAMBDA')).toHaveLength(1);
    const lie = byRule(r, 'R-BOMBS');
    expect(lie.map((f) => [f.document, f.evidence.declaredBytes])).toEqual([['config.json', 4_000_000_000]]);
    const real = (await (await openZip(new MemorySource(fixtureBytes('mal_os_system.keras')))).read('config.json')).length;
    expect(lie[0].evidence.actualBytes).toBe(real);
  });

  it('config.json declared smaller than it is: still read whole (reporting more than a loader sees is the safe side)', async () => {
    const r = await scanBytes(withDeclaredConfigSize(100), 'short.keras');
    expect(r.verdict).toBe('dangerous');
    expect(byRule(r, 'R-BOMBS')[0].evidence).toMatchObject({ declaredBytes: 100 });
  });
});

describe('5. reading local files or fetching URLs on load is dangerous, not suspicious', () => {
  it('HDF5 external link to a local secrets.h5 (was suspicious) → dangerous', async () => {
    const r = await scanBytes(await makeH5({ attrs: { model_config: JSON.stringify(tkModel('m', [])) }, externalLink: { file: 'secrets.h5', target: '/k' } }), 'm.h5');
    expect(byRule(r, 'R-HDF5-EXTLINK')[0]).toMatchObject({ severity: 'high', effect: 'file-read' });
    expect(r.verdict).toBe('dangerous');
    expect(r.verdictReason).toMatch(/reads a file the model names/);
  });

  it('StringLookup vocabulary at /etc/passwd (was suspicious) → dangerous', async () => {
    const r = await scanBytes(makeKeras(k3Functional('m', [k3Layer('StringLookup', 'lookup', { vocabulary: '/etc/passwd' })])), 'vocab.keras');
    expect(r.verdict).toBe('dangerous');
  });
});

describe('2. HDF5 External Data Files and the group tree', () => {
  const KERNEL = 'model_weights/d1/no_lambda/d1/kernel';
  it('a legacy .h5 whose Dense kernel is stored in /etc/passwd (was clean) → dangerous, at the kernel, naming the file', async () => {
    const r = await scanPath(path.join(FIXTURES, 'crafted/external_kernel_passwd.h5'), { hash: false });
    expect(r.verdict).toBe('dangerous');
    const f = byRule(r, 'R-HDF5-EXTLINK');
    expect(f.map((x) => [x.document, x.location, x.severity, x.effect])).toEqual([['hdf5', `/${KERNEL}`, 'high', 'file-read']]);
    expect(f[0].evidence.files).toEqual([{ file: '/etc/passwd', offset: 0, size: null }]);
    expect(r.skipped).toEqual([]);
  });

  it('the same kernel in a weights-only file (was clean) → dangerous', async () => {
    const r = await scanPath(path.join(FIXTURES, 'crafted/external_kernel_weights_only.h5'), { hash: false });
    expect(r.format).toBe('keras-h5-weights');
    expect(r.verdict).toBe('dangerous');
    expect(byRule(r, 'R-HDF5-EXTLINK').map((x) => x.location)).toEqual(['/d1/no_lambda/d1/kernel']);
  });

  it('the same file as model.weights.h5 inside a .keras (was clean) → dangerous, walked in place without the HDF5 library', async () => {
    const weights = fixtureBytes('crafted/external_kernel_passwd.h5');
    const r = await scanBytes(makeKeras(k3Functional('m', [k3Layer('Dense', 'd')]), [{ name: 'model.weights.h5', data: weights }]), 'ext.keras');
    expect(r.verdict).toBe('dangerous');
    expect(byRule(r, 'R-HDF5-EXTLINK').map((x) => [x.document, x.location])).toEqual([['model.weights.h5', `/${KERNEL}`]]);
  });

  it('a group whose symbol-table node is damaged (was clean) → suspicious: the ledger names the group', async () => {
    const bytes = fixtureBytes('no_lambda.h5').slice();
    const text = Buffer.from(bytes).toString('latin1');
    const at = text.lastIndexOf('SNOD');
    bytes[at] = 0x58; // "XNOD": the last group's symbol table node no longer reads
    const r = await scanBytes(bytes, 'damaged-group.h5');
    expect(r.verdict).toBe('suspicious');
    expect(r.skipped.length).toBeGreaterThan(0);
    expect(r.skipped[0]).toMatchObject({ kind: 'object', category: 'unreadable' });
    expect(r.skipped[0].part).toMatch(/^\/model_weights\//);
    expect(r.verdictReason).toMatch(/^Not everything a loader reads could be inspected/);
  });
});
