/**
 * decodePayload over the goldens: names and strings gathered from nested code objects too, the code summary,
 * the disassembly of the first candidate, and totality (garbage gives ok:false, never an exception).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodePayload } from '../../src/core/python/decode';
import { b64bytes, loadGoldens, type GoldenCode } from './golden-data';

const goldens = loadGoldens();

/** Walk the golden's code fields (nested code objects included). */
function goldenCodes(c: GoldenCode): GoldenCode[] {
  return [c, ...c.consts.flatMap((k) => (typeof k === 'object' ? goldenCodes(k) : []))];
}

describe('decodePayload', () => {
  for (const g of goldens) {
    it(`names, strings, summary and versions for every ${g.file} case`, () => {
      for (const c of g.cases) {
        const d = decodePayload(b64bytes(c.marshal_b64));
        expect(d.ok, `${c.id}: ${d.error}`).toBe(true);
        expect(d.pythonVersions.map((v) => v.version)).toContain(g.minor);
        for (const v of d.pythonVersions) expect(v.evidence.length).toBeGreaterThan(0);
        const codes = goldenCodes(c.code);
        const allNames = codes.flatMap((k) => [...k.names, ...k.varnames, ...k.freevars, ...k.cellvars]);
        expect(new Set(d.names)).toEqual(new Set(allNames));
        expect(d.names.length).toBe(new Set(d.names).size);
        // Every str constant CPython reported (simple quoted reprs) is among the strings, nested ones too.
        for (const k of codes) {
          k.consts.forEach((repr, i) => {
            if (typeof repr !== 'string' || !['str', 'unicode'].includes(k.const_types[i])) return;
            const m = /^u?'([^'\\]*)'$/.exec(repr);
            if (m) expect(d.strings, `${c.id} ${repr}`).toContain(m[1]);
          });
        }
        expect(d.strings.length).toBe(new Set(d.strings).size);
        expect(d.code?.name).toBe(c.code.name);
        expect(d.code?.names).toEqual(c.code.names);
        if (d.pythonVersions[0].version === g.minor && g.minor !== '3.15') expect(d.disassembly).toBe(c.dis);
      }
    });
  }

  it('the Keras hint reorders but never removes candidates', () => {
    const g = goldens.find((x) => x.minor === '3.7')!;
    const bytes = b64bytes(g.cases[0].marshal_b64);
    const plain = decodePayload(bytes).pythonVersions.map((v) => v.version);
    const hinted = decodePayload(bytes, { kerasVersion: '2.2.4' }).pythonVersions.map((v) => v.version);
    expect([...hinted].sort()).toEqual([...plain].sort());
    expect(plain.length).toBeGreaterThan(1);
  });

  it('never throws: non-code, truncated and random input give ok:false with an error', () => {
    expect(decodePayload(new Uint8Array([0x4e]))).toMatchObject({ ok: false, error: expect.stringMatching(/not a code object/) });
    const bytes = b64bytes(goldens[0].cases[0].marshal_b64);
    const cut = decodePayload(bytes.subarray(0, 20));
    expect(cut.ok).toBe(false);
    expect(cut.error).toMatch(/at byte \d+/);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        const d = decodePayload(b);
        expect(typeof d.ok).toBe('boolean');
        if (!d.ok) expect(d.error).toBeTruthy();
      }),
      { numRuns: 500 },
    );
  });
});
