import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isNpy, parseNpy, typestrItemsize } from '../../src/core/formats/npy';

const DIR = fileURLToPath(new URL('../fixtures/pickle/npy/', import.meta.url));
const facts = JSON.parse(readFileSync(`${DIR}npy-facts.json`, 'utf8')) as Record<
  string,
  { version: [number, number]; shape: number[]; fortran_order: boolean; itemsize: number; hasobject: boolean; data_offset: number }
>;
const load = (name: string) => new Uint8Array(readFileSync(DIR + name));

function npy(header: string, version = 1, tail: number[] = []): Uint8Array {
  const h = new TextEncoder().encode(header);
  const pre = version === 1 ? [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, h.length & 0xff, h.length >> 8] : [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0, h.length & 0xff, (h.length >> 8) & 0xff, 0, 0];
  return Uint8Array.from([...pre, ...h, ...tail]);
}

describe('.npy headers vs numpy.lib.format (npy-facts.json)', () => {
  it.each(Object.keys(facts))('%s', (name) => {
    const f = facts[name];
    const data = load(name);
    const info = parseNpy(data);
    expect(info.error).toBeUndefined();
    expect(isNpy(data)).toBe(true);
    expect(info.version).toEqual({ major: f.version[0], minor: f.version[1] });
    expect(info.shape).toEqual(f.shape);
    expect(info.fortranOrder).toBe(f.fortran_order);
    expect(info.itemsize).toBe(f.itemsize);
    expect(info.objectDtype).toBe(f.hasobject);
    expect(info.dataOffset).toBe(f.data_offset);
    expect(info.declaredDataBytes).toBe(f.shape.reduce((a, b) => a * b, 1) * f.itemsize);
    expect(info.availableDataBytes).toBe(data.length - f.data_offset);
    if (f.hasobject) expect(info.pickle).toBeDefined();
    else expect(info.pickle).toBeUndefined();
  });

  it.each(['object-payload.npy', 'structured-object.npy'])('%s: the object pickle is scanned and the payload found', (name) => {
    const info = parseNpy(load(name));
    const dangerous = info.pickle?.globals.filter((g) => g.class === 'dangerous').map((g) => `${g.module}.${g.name}`);
    expect(dangerous).toEqual(['posix.system']);
    expect(info.pickle?.calls.some((c) => c.stringArgs.includes('echo fixture'))).toBe(true);
    expect(info.pickle?.error).toBeUndefined();
  });

  it('bomb header: declared size far beyond the data present', () => {
    const info = parseNpy(load('bomb-header.npy'));
    expect(info.declaredDataBytes).toBe(100000 * 100000 * 8);
    expect(info.availableDataBytes).toBe(0);
  });

  it('object detection ignores field names and finds nested object fields', () => {
    const named = parseNpy(npy("{'descr': [('Object', '<i4'), ('O', [('inner', '|O')])], 'fortran_order': False, 'shape': (2,), }\n"));
    expect(named.objectDtype).toBe(true);
    expect(named.itemsize).toBe(12);
    const plain = parseNpy(npy("{'descr': [('Object', '<i4')], 'fortran_order': False, 'shape': (2,), }\n"));
    expect(plain.objectDtype).toBe(false);
  });

  it('accepts Python 2 long literals and sub-array shapes', () => {
    const info = parseNpy(npy("{'descr': [('a', '<f8', (2, 3)), ('b', '|b1')], 'fortran_order': True, 'shape': (3L, 4L), }\n"));
    expect(info.error).toBeUndefined();
    expect(info).toMatchObject({ shape: [3, 4], fortranOrder: true, itemsize: 49, elementCount: 12, declaredDataBytes: 588 });
  });

  it.each([
    ['<f4', 4],
    ['|O', 8],
    ['<U10', 40],
    ['|S5', 5],
    ['<M8[ns]', 8],
    ['|V16', 16],
    ['?', 1],
    ['<c16', 16],
  ])('itemsize of %s is %d', (t, size) => {
    expect(typestrItemsize(t).itemsize).toBe(size);
  });
});

describe('.npy errors', () => {
  it.each([
    ['not npy', Uint8Array.from([1, 2, 3]), /magic/, 0],
    ['truncated preamble', Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]), /truncated/, 8],
    ['version 4', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (), }\n", 4), /unsupported .npy version 4/, 6],
    ['code instead of a literal', npy("{'descr': __import__('os').system('id'), 'fortran_order': False, 'shape': ()}\n"), /bad header literal: unexpected character/, 20],
    ['missing key', npy("{'descr': '<f4', 'shape': ()}\n"), /lacks one of/, 10],
    ['negative shape', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}\n"), /non-negative ints/, 10],
    ['unknown typestr', npy("{'descr': '<q9z', 'fortran_order': False, 'shape': (1,)}\n"), /unknown typestr/, 10],
    ['unbalanced quotes', npy("{'descr': '<f4, 'fortran_order': False}\n"), /bad header literal: expected ',' or '}' at header char 17/, 27],
    ['trailing text', npy("{'descr': '<f4', 'fortran_order': False, 'shape': ()} x\n"), /trailing characters/, 64],
  ])('%s', (_label, data, message, offset) => {
    const info = parseNpy(data);
    expect(info.error?.message).toMatch(message);
    expect(info.error?.offset).toBe(offset);
  });

  it('rejects a header that runs past the file or over the size limit', () => {
    const data = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\n");
    expect(parseNpy(data.subarray(0, 30)).error?.message).toMatch(/runs past the end/);
    expect(parseNpy(data, { maxHeaderBytes: 10 }).error?.message).toMatch(/exceeds the 10-byte limit/);
  });

  it('bounds literal nesting', () => {
    const deep = `{'descr': ${'['.repeat(100)}${']'.repeat(100)}, 'fortran_order': False, 'shape': ()}\n`;
    expect(parseNpy(npy(deep)).error?.message).toMatch(/nested too deeply/);
  });

  it('random headers never throw', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.uint8Array({ maxLength: 64 }), (header, tail) => {
        const info = parseNpy(npy(header, 1, [...tail]));
        expect(typeof info.objectDtype).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });
});
