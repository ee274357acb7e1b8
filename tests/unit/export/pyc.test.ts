import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/core/io/sha256';
import { decodeBase64 } from '../../../src/core/keras/payload-bytes';
import { PYC_MAGIC, pycHeader, pycHeaderLength, payloadToPyc, toPyc } from '../../../src/core/export/pyc';
import { FIXTURES, scanFixture } from './helpers';

interface Golden {
  magic_number: number;
  python_version: string;
  cases: { id: string; marshal_b64: string }[];
}

const goldenDir = path.join(FIXTURES, 'golden');
const goldens = readdirSync(goldenDir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(path.join(goldenDir, f), 'utf8')) as Golden);

function minor(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

describe('pyc header', () => {
  it('covers every golden interpreter', () => expect(goldens.length).toBeGreaterThanOrEqual(11));

  for (const g of goldens) {
    const v = minor(g.python_version);
    it(`Python ${v}: magic ${g.magic_number} as the interpreter reports it, header length by version`, () => {
      const header = pycHeader(v);
      const view = new DataView(header.buffer);
      expect(view.getUint16(0, true)).toBe(g.magic_number);
      expect([header[2], header[3]]).toEqual([0x0d, 0x0a]);
      const expectedLength = v === '2.7' ? 8 : ['3.3', '3.4', '3.5', '3.6'].includes(v) ? 12 : 16;
      expect(header.length).toBe(expectedLength);
      // mtime, source size and (3.7+) the PEP 552 flags word are all zero.
      expect(Array.from(header.subarray(4)).every((b) => b === 0)).toBe(true);
    });
  }

  it('writes mtime and source size where the version has them', () => {
    const h36 = pycHeader('3.6', { mtime: 0x01020304, sourceSize: 0x0a0b0c0d });
    expect(Array.from(h36.subarray(4))).toEqual([4, 3, 2, 1, 0x0d, 0x0c, 0x0b, 0x0a]);
    const h27 = pycHeader('2.7', { mtime: 0x01020304, sourceSize: 99 });
    expect(Array.from(h27)).toEqual([0x03, 0xf3, 0x0d, 0x0a, 4, 3, 2, 1]);
    const h311 = pycHeader('3.11', { mtime: 5, sourceSize: 6 });
    expect(Array.from(h311.subarray(4))).toEqual([0, 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0]);
  });

  it('uses 8 bytes up to 3.2 and 12 for 3.3–3.6 (versions without a golden file)', () => {
    expect(['3.0', '3.1', '3.2'].map(pycHeaderLength)).toEqual([8, 8, 8]);
    expect(['3.3', '3.4', '3.5'].map(pycHeaderLength)).toEqual([12, 12, 12]);
    expect(pycHeader('3.4').length).toBe(12);
  });

  it('refuses a version without a known magic number', () => {
    expect(() => pycHeader('2.6')).toThrow(RangeError);
    expect(() => pycHeader('4.0')).toThrow(/no pyc magic/);
    expect(Object.keys(PYC_MAGIC)).toContain('3.14');
  });

  it('prefixes golden marshal bytes unchanged', () => {
    const g = goldens.find((x) => x.python_version.startsWith('3.8'))!;
    const marshal = decodeBase64(g.cases[0].marshal_b64)!;
    const pyc = toPyc(marshal, '3.8');
    expect(pyc.length).toBe(16 + marshal.length);
    expect(sha256Hex(pyc.subarray(16))).toBe(sha256Hex(marshal));
  });
});

describe('payloadToPyc on real payloads', () => {
  it('wraps the mal_os_system payload for its inferred Python (3.11, written by CPython 3.11)', async () => {
    const report = await scanFixture('mal_os_system.keras');
    const payload = report.findings.find((f) => f.payload)!.payload!;
    const pyc = payloadToPyc(payload)!;
    expect(pyc.version).toBe(payload.decoded.pythonVersions[0].version);
    const expectedMeta = JSON.parse(readFileSync(path.join(FIXTURES, 'mal_os_system.keras.expected.json'), 'utf8'));
    // The fixture sidecar records the magic of the Python that saved the model.
    expect(Buffer.from(pyc.bytes.subarray(0, 4)).toString('hex')).toBe(expectedMeta.python_magic_hex);
    expect(sha256Hex(pyc.bytes.subarray(pycHeaderLength(pyc.version)))).toBe(payload.sha256);
  });

  it('returns null when the base64 is gone (a stripped shared report)', async () => {
    const report = await scanFixture('mal_os_system.keras');
    const payload = report.findings.find((f) => f.payload)!.payload!;
    expect(payloadToPyc({ ...payload, base64: '' })).toBeNull();
    expect(payloadToPyc({ ...payload, decoded: { ...payload.decoded, pythonVersions: [] } })).toBeNull();
  });
});
