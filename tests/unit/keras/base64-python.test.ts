/**
 * Code strings are decoded the way the loaders decode them (Keras func_load → binascii.a2b_base64, non-strict):
 * oracle cases from real CPython (scripts/oracle/base64_cases.py), and the evasion they close — junk characters
 * that Python skips must not hide a payload from the scan.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeBase64AsPython } from '../../../src/core/keras/payload-bytes';
import { MemorySource } from '../../../src/core/io/byte-source';
import { scanSource } from '../../../src/core/scan';
import { mountHdf5Node } from '../../../src/node/hdf5-mount';

const oracle = JSON.parse(readFileSync(path.join(__dirname, '../../fixtures/base64-python.json'), 'utf8')) as {
  python: string;
  cases: { text: string; hex?: string; error?: string }[];
};

describe(`decodeBase64AsPython = CPython ${oracle.python} codecs.decode(…, 'base64')`, () => {
  it('has the cases', () => expect(oracle.cases.length).toBeGreaterThan(90));
  for (const c of oracle.cases) {
    it(JSON.stringify(c.text.length > 40 ? `${c.text.slice(0, 40)}…` : c.text), () => {
      const got = decodeBase64AsPython(c.text);
      if (c.error) expect(got).toBeNull();
      else expect(got && Buffer.from(got).toString('hex')).toBe(c.hex);
    });
  }
});

const golden = JSON.parse(readFileSync(path.join(__dirname, '../../fixtures/golden/py311.json'), 'utf8')) as { cases: { id: string; marshal_b64: string }[] };
// a payload whose base64 ends in padding, so data after it is ignored by the loader
const payload = golden.cases.find((c) => c.id === 'mal_env_read')!.marshal_b64;
const sha = (b64: string) => createHash('sha256').update(Buffer.from(b64, 'base64')).digest('hex');

function config(code: string): Uint8Array {
  const lambda = { class_name: '__lambda__', config: { code, defaults: null, closure: null } };
  const layers = [{ class_name: 'Lambda', config: { name: 'hidden', function: lambda } }];
  return new TextEncoder().encode(JSON.stringify({ class_name: 'Sequential', config: { name: 'm', layers } }));
}

async function scan(code: string) {
  return scanSource(new MemorySource(config(code), 'config.json'), { mountHdf5: mountHdf5Node });
}

describe('junk the loader skips does not hide a payload', () => {
  const variants: [string, string][] = [
    ['leading junk', `!!..${payload}`],
    ['junk inside', payload.replace(/(.{7})/g, '$1@')],
    ['newlines and tabs', payload.replace(/(.{5})/g, '$1\n\t')],
    ['data after the padding', `${payload}QUFBQQ==`],
  ];
  for (const [name, code] of variants) {
    it(`${name}: found, decoded to the same bytes, dangerous`, async () => {
      const r = await scan(code);
      expect(r.verdict).toBe('dangerous');
      const f = r.findings.find((x) => x.kind === 'lambda-bytecode')!;
      expect(f.payload!.sha256).toBe(sha(payload));
      expect(f.payload!.decoded.names).toContain('environ');
    });
  }

  it('declared code that no loader can decode is still a finding, with the decoding error (fail closed)', async () => {
    // Junk plus one character dropped: Python raises "Incorrect padding" and Keras falls back to
    // raw_unicode_escape bytes, which are not code either. Nothing would run, but the config says code.
    const r = await scan('@' + payload.slice(0, 10) + payload.slice(11));
    const f = r.findings.find((x) => x.kind === 'lambda-bytecode');
    expect(f, 'a finding for the declared code').toBeDefined();
    expect(f!.payload!.encoding).toBe('raw_unicode_escape');
    expect(f!.payload!.decoded.ok).toBe(false);
    expect(r.verdict).not.toBe('clean');
  });

  it('a dropped character without junk: decoded tolerantly (missing padding), shown with its error', async () => {
    const r = await scan(payload.slice(0, 10) + payload.slice(11));
    const f = r.findings.find((x) => x.kind === 'lambda-bytecode')!;
    expect(f.payload!.encoding).toBe('base64');
    expect(f.payload!.decoded.ok).toBe(false);
    expect(r.verdict).not.toBe('clean');
  });
});
