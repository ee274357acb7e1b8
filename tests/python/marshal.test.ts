/**
 * The marshal reader on hostile input: truncated, corrupted and crafted streams end in a MarshalError with
 * a byte offset — never a hang, never another kind of exception. Plus the type codes the goldens do not
 * reach (text floats, 'I', refs, sets, dicts, slices, frozendict, Py2 'R').
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MarshalError, readMarshal, readCodeObject } from '../../src/core/python/marshal';
import { b64bytes, loadGoldens } from './golden-data';
import { reprPyValue } from '../../src/core/python/repr';
import { getInstructions } from '../../src/core/python/disassemble';
import { formatDis } from '../../src/core/python/format-dis';
import { CodeAnalysis } from '../../src/core/python/analysis';

const goldens = loadGoldens();
const samples = goldens.flatMap((g) =>
  g.cases.filter((_, i) => i % 9 === 0).map((c) => ({ version: g.minor, id: c.id, bytes: b64bytes(c.marshal_b64) })),
);

function onlyMarshalErrors(bytes: Uint8Array): 'ok' | 'error' {
  try {
    readMarshal(bytes);
    return 'ok';
  } catch (e) {
    if (!(e instanceof MarshalError)) throw e;
    expect(e.offset).toBeGreaterThanOrEqual(0);
    expect(e.offset).toBeLessThanOrEqual(bytes.length);
    expect(e.message).toMatch(/at byte \d+/);
    return 'error';
  }
}

const enc = (s: string): number[] => [...new TextEncoder().encode(s)];
const i32 = (n: number): number[] => [n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255];

describe('marshal reader: bounded and total', () => {
  it('every strict prefix of real payloads is a MarshalError', () => {
    let checked = 0;
    for (const s of samples) {
      for (let n = 0; n < s.bytes.length; n++) {
        expect(onlyMarshalErrors(s.bytes.subarray(0, n)), `${s.version} ${s.id} cut at ${n}`).toBe('error');
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('a trailing byte is refused', () => {
    const s = samples[0].bytes;
    const longer = new Uint8Array(s.length + 1);
    longer.set(s);
    expect(() => readMarshal(longer)).toThrow(MarshalError);
  });

  it('random corruption of real payloads gives a result or a MarshalError (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: samples.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        (which, edits) => {
          const b = samples[which].bytes.slice();
          for (const [pos, val] of edits) b[pos % b.length] = val;
          const r = onlyMarshalErrors(b);
          // A corrupted stream that still parses must still disassemble or fail cleanly, never hang.
          if (r === 'ok') {
            const m = readMarshal(b);
            if (m.value.type === 'code') {
              try {
                getInstructions(m.value.code, samples[which].version === '3.15' ? '3.14' : samples[which].version);
              } catch (e) {
                expect((e as Error).name).toBe('DisassemblyError');
              }
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('random bytes give a result or a MarshalError (fast-check)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 200 }), (b) => {
        onlyMarshalErrors(b);
      }),
      { numRuns: 2000 },
    );
  });

  it('layouts are tried newest first: each rejection is recorded, a failure reports the attempt that got furthest', () => {
    const py2 = b64bytes(goldens.find((g) => g.minor === '2.7')!.cases[0].marshal_b64);
    const r = readMarshal(py2);
    expect(r.layout).toBe('py2');
    expect(r.rejected.map((x) => x.layout)).toEqual(['py311', 'py38', 'py30']);
    for (const x of r.rejected) expect(x.error).toMatch(/ \(at byte \d+\)$/);
    // Cut short, every layout fails; the error is the furthest attempt's, as a real Error with a stack.
    let err: unknown;
    try {
      readMarshal(py2.subarray(0, py2.length - 3));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MarshalError);
    const offsets = [...(err as Error).message.matchAll(/at byte (\d+)/g)].map((m) => Number(m[1]));
    expect(offsets).toEqual([(err as MarshalError).offset]);
    // The py2 attempt read furthest: past where the other layouts gave up on the whole payload.
    const otherLayouts = r.rejected.map((x) => Number(/at byte (\d+)\)$/.exec(x.error)![1]));
    expect((err as MarshalError).offset).toBeGreaterThan(Math.max(...otherLayouts));
    expect((err as Error).stack).toContain('MarshalError');
  });

  it('deep nesting stops at the depth limit', () => {
    const b = new Uint8Array(100_000).fill('['.charCodeAt(0));
    // '[' + count 1 repeated: each list holds one list.
    const parts: number[] = [];
    for (let i = 0; i < 5000; i++) parts.push(0x5b, ...i32(1));
    parts.push(0x4e);
    expect(() => readMarshal(new Uint8Array(parts))).toThrow(/nesting deeper than 200/);
    expect(() => readMarshal(b)).toThrow(MarshalError);
  });

  it('huge declared sizes fail fast with the offset', () => {
    const t0 = performance.now();
    expect(() => readMarshal(new Uint8Array([0x28, ...i32(0x7fffffff)]))).toThrow(/sequence of 2147483647 items/);
    expect(() => readMarshal(new Uint8Array([0x73, ...i32(0x7ffffff0)]))).toThrow(/exceeds|truncated/);
    expect(() => readMarshal(new Uint8Array([0x75, ...i32(-5)]))).toThrow(/negative str length/);
    expect(() => readMarshal(new Uint8Array([0x6c, ...i32(0x7fffffff)]))).toThrow(/too large/);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('object-count and ref-table limits are enforced', () => {
    const many = [0x28, ...i32(100)];
    for (let i = 0; i < 100; i++) many.push(0x4e);
    expect(() => readMarshal(new Uint8Array(many), { limits: { maxObjects: 50 } })).toThrow(/more than 50 objects/);
    const refs = [0x28, ...i32(10)];
    for (let i = 0; i < 10; i++) refs.push(0xe9, ...i32(i));
    expect(() => readMarshal(new Uint8Array(refs), { limits: { maxRefs: 5 } })).toThrow(/ref table larger than 5/);
    expect(() => readMarshal(new Uint8Array(10), { limits: { maxBytes: 5 } })).toThrow(/exceeds the 5-byte limit/);
  });

  it('refs: pre-order reservation, back-references, and no reference to an unfinished object', () => {
    // (FLAG_REF tuple [ FLAG_REF 'z' "ab", r 1, r 0 ]) — r 0 names the tuple still being read.
    const cyclic = [0xa8, ...i32(2), 0xfa, 2, ...enc('ab'), 0x72, ...i32(0)];
    expect(() => readMarshal(new Uint8Array(cyclic))).toThrow(/still being read/);
    const ok = [0xa8, ...i32(3), 0xfa, 2, ...enc('ab'), 0x72, ...i32(1), 0x72, ...i32(1)];
    const v = readMarshal(new Uint8Array(ok)).value;
    expect(reprPyValue(v, '3.11')).toBe("('ab', 'ab', 'ab')");
    expect(() => readMarshal(new Uint8Array([0x72, ...i32(3)]))).toThrow(/ref 3 outside the table of 0/);
  });

  it('reads the rarer type codes', () => {
    const r = (bytes: number[], version = '3.11'): string => reprPyValue(readMarshal(new Uint8Array(bytes)).value, version);
    expect(r([0x66, 3, ...enc('1.5')])).toBe('1.5');
    expect(r([0x66, 3, ...enc('inf')])).toBe('inf');
    expect(r([0x78, 1, ...enc('0'), 4, ...enc('-2.5')])).toBe('-2.5j');
    expect(r([0x49, 0, 0, 0, 0, 1, 0, 0, 0])).toBe('4294967296');
    expect(r([0x6c, ...i32(-2), 0, 0, 1, 0])).toBe('-32768');
    expect(r([0x3c, ...i32(2), 0x69, ...i32(1), 0x69, ...i32(2)])).toBe('{1, 2}');
    expect(r([0x3e, ...i32(0)])).toBe('frozenset()');
    expect(r([0x7b, 0x7a, 1, ...enc('k'), 0x4e, 0x30])).toBe("{'k': None}");
    expect(r([0x3a, 0x69, ...i32(1), 0x69, ...i32(3), 0x4e])).toBe('slice(1, 3, None)');
    expect(r([0x7d, 0x7a, 1, ...enc('k'), 0x54, 0x30])).toBe("frozendict({'k': True})");
    expect(r([0x53])).toBe("<class 'StopIteration'>");
    expect(r([0x2e])).toBe('Ellipsis');
    // Py2: 't' interned str then 'R' back to it (read with the py2 layout's string rules).
    const py2 = readMarshal(new Uint8Array([0x28, ...i32(2), 0x74, ...i32(2), ...enc('hi'), 0x52, ...i32(0)]), { layout: 'py2' });
    expect(reprPyValue(py2.value, '2.7')).toBe("('hi', 'hi')");
    expect(() => readMarshal(new Uint8Array([0x52, ...i32(0)]), { layout: 'py311' })).toThrow(/'R' outside a Python 2 stream/);
    expect(() => readMarshal(new Uint8Array([0x3f]))).toThrow(/unknown object/);
    expect(() => readMarshal(new Uint8Array([0x01]))).toThrow(/unknown type code 0x01/);
    expect(() => readMarshal(new Uint8Array([0x30]))).toThrow(/NULL/);
  });

  it('lone surrogates (surrogatepass) decode; invalid UTF-8 is an error', () => {
    const v = readMarshal(new Uint8Array([0x75, ...i32(3), 0xed, 0xa0, 0x80])).value;
    expect(v.type === 'str' && v.value.charCodeAt(0)).toBe(0xd800);
    expect(reprPyValue(v, '3.11')).toBe("'\\ud800'");
    expect(() => readMarshal(new Uint8Array([0x75, ...i32(2), 0xc3, 0x28]))).toThrow(/UTF-8/);
  });

  it('readCodeObject refuses a non-code stream', () => {
    expect(() => readCodeObject(new Uint8Array([0x4e]))).toThrow(/not a code object/);
  });

  it('formatDis of every sample stays consistent with its instruction list', () => {
    for (const s of samples.filter((x) => x.version !== '3.15')) {
      const m = readCodeObject(s.bytes);
      const text = formatDis(new CodeAnalysis(m.code, s.version));
      for (const ins of getInstructions(m.code, s.version)) expect(text).toContain(ins.opname);
    }
  });
});
