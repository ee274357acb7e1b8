/**
 * One analysis per payload (src/core/python/analysis.ts): decodePayload disassembles and normalises each code
 * object once and decompiles the tree once, whatever reads them (dis text, source, indicators), and sharing
 * changes nothing: each reader gives on the shared analysis what it gives on a fresh one of its own.
 */
import { describe, expect, it, vi } from 'vitest';
import * as disassemble from '../../src/core/python/disassemble';
import * as normalizeModule from '../../src/core/python/decompile/normalize';
import * as exec from '../../src/core/python/decompile/exec';
import { decodePayload } from '../../src/core/python/decode';
import { CodeAnalysis } from '../../src/core/python/analysis';
import { formatDis } from '../../src/core/python/format-dis';
import { decompile } from '../../src/core/python/decompile';
import { findIndicators } from '../../src/core/python/indicators';
import { DisassemblyError } from '../../src/core/python/disassemble';
import { walkCodeObjects } from '../../src/core/python/collect';
import { readCodeObject } from '../../src/core/python/marshal';
import type { CodeObject } from '../../src/core/python/objects';
import { b64bytes, loadGoldens } from './golden-data';

// Count the stage calls the analysis makes (the real functions still do the work).
vi.mock('../../src/core/python/disassemble', async (original) => {
  const real = await original<typeof import('../../src/core/python/disassemble')>();
  return { ...real, disassembleCode: vi.fn(real.disassembleCode) };
});
vi.mock('../../src/core/python/decompile/normalize', async (original) => {
  const real = await original<typeof import('../../src/core/python/decompile/normalize')>();
  return { ...real, normalize: vi.fn(real.normalize) };
});
vi.mock('../../src/core/python/decompile/exec', async (original) => {
  const real = await original<typeof import('../../src/core/python/decompile/exec')>();
  return { ...real, decompileFunctionBody: vi.fn(real.decompileFunctionBody) };
});

const goldens = loadGoldens().filter((g) => g.minor !== '3.15');

function codeObjects(code: CodeObject): CodeObject[] {
  const out: CodeObject[] = [];
  walkCodeObjects(code, (c) => out.push(c));
  return out;
}

/** How many times each code object went through a mocked stage (its first argument). */
function callsPerCode(calls: readonly (readonly unknown[])[]): Map<CodeObject, number> {
  const out = new Map<CodeObject, number>();
  for (const [code] of calls) out.set(code as CodeObject, (out.get(code as CodeObject) ?? 0) + 1);
  return out;
}

describe('one analysis per payload', () => {
  it('decodePayload disassembles and normalises each code object once, and decompiles the tree once', () => {
    let nested = 0;
    for (const g of goldens) {
      for (const c of g.cases) {
        vi.mocked(disassemble.disassembleCode).mockClear();
        vi.mocked(normalizeModule.normalize).mockClear();
        vi.mocked(exec.decompileFunctionBody).mockClear();
        const bytes = b64bytes(c.marshal_b64);
        const d = decodePayload(bytes);
        expect(d.ok, c.id).toBe(true);
        const dis = callsPerCode(vi.mocked(disassemble.disassembleCode).mock.calls);
        const norm = callsPerCode(vi.mocked(normalizeModule.normalize).mock.calls);
        for (const [code, n] of dis) expect(n, `${g.minor} ${c.id}: ${code.name} disassembled ${n} times`).toBe(1);
        for (const [code, n] of norm) expect(n, `${g.minor} ${c.id}: ${code.name} normalised ${n} times`).toBe(1);
        // One decompile, of the top-level code object (nested defs and lambdas are decompiled from inside it).
        const tops = vi.mocked(exec.decompileFunctionBody).mock.calls;
        expect(tops.length, c.id).toBe(1);
        const root = tops[0][0];
        // Every code object of the tree was disassembled (by the dis text, the decompiler or the indicator scan).
        expect(dis.size, c.id).toBe(codeObjects(root).length);
        if (dis.size > 1) nested++;
      }
    }
    expect(nested, 'golden cases with nested code objects').toBeGreaterThan(90);
  });

  it('each reader gives on the shared analysis what it gives on a fresh one', () => {
    for (const g of goldens) {
      for (const c of g.cases) {
        const bytes = b64bytes(c.marshal_b64);
        const d = decodePayload(bytes);
        const version = d.pythonVersions[0].version;
        const fresh = (): CodeAnalysis => new CodeAnalysis(readCodeObject(bytes).code, version);
        expect(d.disassembly, c.id).toBe(formatDis(fresh()));
        const src = decompile(fresh());
        expect(d.source, c.id).toBe(src.source);
        expect(d.sourceComplete, c.id).toBe(src.complete);
        expect(d.indicators, c.id).toEqual(findIndicators(fresh()));
      }
    }
  });

  it('keeps each stage: the same records on every call', () => {
    const g = goldens.find((x) => x.minor === '3.11')!;
    const code = readCodeObject(b64bytes(g.cases.find((x) => x.id === 'lam_comps')!.marshal_b64)).code;
    const a = new CodeAnalysis(code, '3.11');
    for (const c of codeObjects(code)) {
      expect(a.disassembled(c)).toBe(a.disassembled(c));
      expect(a.ops(c)).toBe(a.ops(c));
      // The ops come from that disassembly: each starts at one of its instructions.
      const offsets = new Set(a.disassembled(c).instructions.map((i) => i.offset));
      for (const op of a.ops(c)) expect(offsets.has(op.off)).toBe(true);
    }
    expect(a.decompiled()).toBe(a.decompiled());
    expect(a.bytecode).toBe(codeObjects(code).reduce((n, c) => n + c.code.length, 0));
  });

  it('a code object that does not disassemble fails the same way for every reader', () => {
    const g = goldens.find((x) => x.minor === '3.11')!;
    const code = readCodeObject(b64bytes(g.cases.find((x) => x.id === 'mal_os_system')!.marshal_b64)).code;
    // LOAD_CONST with an index past co_consts.
    const table = disassemble.tableFor('3.11');
    const bytes = new Uint8Array(code.code);
    const at = disassemble.unpackOpargs(bytes, table).find((i) => table.name(i.opcode) === 'LOAD_CONST')!.offset;
    bytes[at + 1] = 200;
    const broken: CodeObject = { ...code, code: bytes };
    const a = new CodeAnalysis(broken, '3.11');
    let first: unknown;
    try {
      a.disassembled(broken);
    } catch (e) {
      first = e;
    }
    expect(first).toBeInstanceOf(DisassemblyError);
    expect((first as Error).message).toBe('constant index 200 out of range');
    expect(() => a.disassembled(broken)).toThrow(first as Error);
    expect(() => a.ops(broken)).toThrow(first as Error);
    expect(() => formatDis(a)).toThrow('constant index 200 out of range');
    const src = decompile(a);
    expect(src.complete).toBe(false);
    expect(src.source).toContain(`# decompiler: cannot disassemble <lambda>: constant index 200 out of range`);
    // The indicator scan falls back to the name tables: `system` is still found.
    expect(findIndicators(a).some((i) => i.category === 'process')).toBe(true);
  });
});
