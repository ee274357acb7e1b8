/**
 * Version inference on hand-built streams for the versions no interpreter here can produce (3.0–3.5):
 * a 1/3-byte bytecode body rules out 3.6/3.7 (wordcode), FLAG_REF/'z' rule out < 3.4, and hints only reorder.
 */
import { describe, expect, it } from 'vitest';
import { readCodeObject } from '../../src/core/python/marshal';
import { inferPythonVersions } from '../../src/core/python/versions';
import { formatDis } from '../../src/core/python/format-dis';
import { CodeAnalysis } from '../../src/core/python/analysis';

const i32 = (n: number): number[] => [n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255];
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

/** A py30-layout code object for `lambda x: x + 1`, written either like 3.3 ('u' strings) or 3.4+ (refs, 'z'). */
function py30Lambda(code: number[], modern: boolean): Uint8Array {
  const str = (s: string, interned = false): number[] =>
    modern ? [(interned ? 0x5a : 0x7a) | 0x80, s.length, ...ascii(s)] : [interned ? 0x74 : 0x75, ...i32(s.length), ...ascii(s)];
  const tuple = (items: number[][]): number[] =>
    modern ? [0x29, items.length, ...items.flat()] : [0x28, ...i32(items.length), ...items.flat()];
  return new Uint8Array([
    0x63 | (modern ? 0x80 : 0),
    ...i32(1), // argcount
    ...i32(0), // kwonlyargcount
    ...i32(1), // nlocals
    ...i32(2), // stacksize
    ...i32(0x43), // flags
    0x73, ...i32(code.length), ...code,
    ...tuple([[0x4e], [0x69, ...i32(1)]]),
    ...tuple([]),
    ...tuple([str('x', true)]),
    ...tuple([]),
    ...tuple([]),
    ...str('golden.py'),
    ...str('<lambda>', true),
    ...i32(1),
    0x73, ...i32(0),
  ]);
}

// LOAD_FAST 0; LOAD_CONST 1; BINARY_ADD; RETURN_VALUE in 1/3-byte bytecode and in 3.6 wordcode.
const BYTECODE = [0x7c, 0, 0, 0x64, 1, 0, 0x17, 0x53];
const WORDCODE = [0x7c, 0, 0x64, 1, 0x17, 0, 0x53, 0];

describe('version inference for the 3.0–3.7 layout', () => {
  it('bytecode written without marshal v3/v4 features: 3.0–3.5 remain, 3.6/3.7 (wordcode) do not', () => {
    const r = readCodeObject(py30Lambda(BYTECODE, false));
    expect(r.layout).toBe('py30');
    const vs = inferPythonVersions(r.code, undefined, r.features).map((v) => v.version);
    expect(vs.sort()).toEqual(['3.0', '3.1', '3.2', '3.3', '3.4', '3.5']);
    expect(formatDis(new CodeAnalysis(r.code, '3.5'))).toBe(
      '  1           0 LOAD_FAST                0 (x)\n' +
        '              3 LOAD_CONST               1 (1)\n' +
        '              6 BINARY_ADD\n' +
        '              7 RETURN_VALUE\n',
    );
  });

  it("FLAG_REF and 'z' strings (marshal v3/v4) leave only 3.4 and 3.5", () => {
    const r = readCodeObject(py30Lambda(BYTECODE, true));
    const c = inferPythonVersions(r.code, undefined, r.features);
    expect(c.map((v) => v.version).sort()).toEqual(['3.4', '3.5']);
    expect(c[0].evidence.join(' ')).toMatch(/FLAG_REF/);
  });

  it('wordcode leaves 3.6 and 3.7, never just one', () => {
    const r = readCodeObject(py30Lambda(WORDCODE, true));
    expect(inferPythonVersions(r.code, undefined, r.features).map((v) => v.version).sort()).toEqual(['3.6', '3.7']);
  });

  it('hints reorder, never exclude', () => {
    const r = readCodeObject(py30Lambda(WORDCODE, true));
    const plain = inferPythonVersions(r.code, undefined, r.features).map((v) => v.version);
    const hinted = inferPythonVersions(r.code, { kerasVersion: '3.0.0' }, r.features).map((v) => v.version);
    expect(plain).toEqual(['3.7', '3.6']);
    expect(hinted.sort()).toEqual(['3.6', '3.7']);
  });

  it('an opcode unknown to every version in the family leaves no candidate of that family', () => {
    const r = readCodeObject(py30Lambda([0x7c, 0, 0xff, 0, 0x53, 0], true));
    expect(inferPythonVersions(r.code, undefined, r.features)).toEqual([]);
  });
});

describe('version check: arguments must resolve', () => {
  it('a constant index past co_consts excludes the version, naming the instruction', async () => {
    const { loadGoldens, b64bytes } = await import('./golden-data');
    const { checkVersion } = await import('../../src/core/python/versions');
    const { tableFor, unpackOpargs, resolveArg, DisassemblyError } = await import('../../src/core/python/disassemble');
    const g = loadGoldens().find((x) => x.minor === '3.11')!;
    const code = readCodeObject(b64bytes(g.cases.find((x) => x.id === 'lam_add')!.marshal_b64)).code;
    const table = tableFor('3.11');
    const bytes = new Uint8Array(code.code);
    const ins = unpackOpargs(bytes, table).find((i) => table.name(i.opcode) === 'LOAD_CONST')!;
    bytes[ins.offset + 1] = 77;
    const broken = { ...code, code: bytes };
    const check = checkVersion(broken, '3.11');
    expect(check.ok).toBe(false);
    expect(check.reason).toBe(`argument of LOAD_CONST at offset ${ins.offset} of <lambda>: constant index 77 out of range in 3.11`);
    // The same words resolveArg throws for the disassembly.
    expect(() => resolveArg(broken, table, { ...ins, arg: 77 }, {})).toThrow(new DisassemblyError('constant index 77 out of range'));
    expect(checkVersion(code, '3.11').ok).toBe(true);
  });
});
