/**
 * Every Lambda payload in the real Keras 3.15.1 saves (tests/fixtures/*.keras and *.h5, CPython 3.11 marshal)
 * decodes through decodePayload and matches the sidecar *.expected.json: dis text (addresses as "0x…"),
 * co_names, co_consts repr, filename, qualname, firstlineno, argcount, varnames; and 3.11 is a candidate.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BlobReader, TextWriter, ZipReader } from '@zip.js/zip.js';
import h5wasm from 'h5wasm/node';
import { decodePayload } from '../../src/core/python/decode';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

interface ExpectedLambda {
  layer_name: string;
  slot: string;
  json_pointer: string;
  dis: string;
  co_names: string[];
  co_consts_repr: string[];
  co_filename: string;
  co_qualname: string;
  co_firstlineno: number;
  co_argcount: number;
  co_varnames: string[];
  co_freevars: string[];
}

interface Expected {
  file: string;
  format: string;
  python_version: string;
  keras_version: string;
  lambdas: ExpectedLambda[];
}

async function modelConfig(file: string, format: string): Promise<unknown> {
  const path = join(FIXTURES, file);
  if (format === 'keras_v3_zip') {
    const zip = new ZipReader(new BlobReader(new Blob([readFileSync(path)])));
    const entries = await zip.getEntries();
    const entry = entries.find((e) => e.filename === 'config.json');
    if (!entry || entry.directory) throw new Error(`${file}: no config.json`);
    const text = await entry.getData(new TextWriter());
    await zip.close();
    return JSON.parse(text);
  }
  await h5wasm.ready;
  const f = new h5wasm.File(path, 'r');
  try {
    return JSON.parse(String(f.attrs['model_config'].value));
  } finally {
    f.close();
  }
}

function pointer(doc: unknown, ptr: string): unknown {
  let cur = doc;
  for (const raw of ptr.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

const expectedFiles = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.expected.json'))
  .map((f) => JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')) as Expected)
  .filter((e) => e.lambdas.length > 0);

describe('Keras fixtures: every payload decodes like CPython 3.11 reported', () => {
  it('has fixtures with payloads to check', () => {
    expect(expectedFiles.length).toBeGreaterThan(20);
  });
  for (const exp of expectedFiles) {
    it(`${exp.file}`, async () => {
      const config = await modelConfig(exp.file, exp.format);
      for (const lam of exp.lambdas) {
        const b64 = pointer(config, lam.json_pointer);
        expect(typeof b64, `${lam.json_pointer} is a base64 string`).toBe('string');
        const bytes = new Uint8Array(Buffer.from(String(b64), 'base64'));
        const d = decodePayload(bytes, { kerasVersion: exp.keras_version }, { address: '0x…' });
        expect(d.ok, d.error).toBe(true);
        expect(d.pythonVersions.map((v) => v.version)).toContain('3.11');
        // The Keras 3 hint puts 3.9+ first; the bytes still keep every version they allow.
        expect(d.disassembly?.split('\n')).toEqual(lam.dis.split('\n'));
        expect(d.code?.names).toEqual(lam.co_names);
        expect(d.code?.consts).toEqual(lam.co_consts_repr);
        expect(d.code?.filename).toBe(lam.co_filename);
        expect(d.code?.qualname).toBe(lam.co_qualname);
        expect(d.code?.firstlineno).toBe(lam.co_firstlineno);
        expect(d.code?.argcount).toBe(lam.co_argcount);
        expect(d.code?.varnames).toEqual(lam.co_varnames);
        expect(d.code?.freevars).toEqual(lam.co_freevars);
        for (const n of lam.co_names) expect(d.names).toContain(n);
        for (const c of lam.co_consts_repr) {
          // Every str constant of the top-level code is in `strings` (in text form).
          if (/^'.*'$|^".*"$/.test(c) && !c.includes('\\')) expect(d.strings).toContain(c.slice(1, -1));
        }
      }
    });
  }
});
