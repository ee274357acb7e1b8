/**
 * Every golden case of every interpreter (tests/fixtures/golden/pyXY.json, written by real CPython 2.7,
 * 3.6–3.13 and Pyodide 3.14/3.15): the marshal bytes parse to the last byte, every code field equals what
 * CPython reported, the version candidates contain the true version, and our dis text equals CPython's.
 * 3.15 has no opcode table yet: it is reported, not failed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { b64bytes, loadGoldens } from './golden-data';
import { compareCode } from './golden-compare';
import { readMarshal } from '../../src/core/python/marshal';
import { inferPythonVersions } from '../../src/core/python/versions';
import { formatDis, formatDisWithOffsets } from '../../src/core/python/format-dis';
import { getInstructions } from '../../src/core/python/disassemble';
import { getOpcodeTable } from '../../src/core/python/opcodes/index';
import { CodeAnalysis } from '../../src/core/python/analysis';

const goldens = loadGoldens();
const summary: string[] = [];

for (const g of goldens) {
  const hasTable = getOpcodeTable(g.minor) !== undefined;
  describe(`golden ${g.file} (CPython ${g.python_version}, ${g.oracle})`, () => {
    const stats = { cases: g.cases.length, exact: 0, disMismatch: [] as string[] };
    afterAll(() => {
      summary.push(
        `${g.minor.padEnd(5)} ${String(stats.cases).padStart(3)} cases; version narrowed to exactly one: ${stats.exact}; ` +
          `dis mismatches: ${stats.disMismatch.length}${hasTable ? '' : ' (no opcode table: best effort, not failed)'}` +
          (stats.disMismatch.length ? ` [${stats.disMismatch.slice(0, 8).join(', ')}${stats.disMismatch.length > 8 ? ', …' : ''}]` : ''),
      );
    });

    for (const c of g.cases) {
      it(`${c.id}`, () => {
        const bytes = b64bytes(c.marshal_b64);
        expect(bytes.length).toBe(c.marshal_len);
        const r = readMarshal(bytes);
        expect(r.bytesRead).toBe(bytes.length);
        expect(r.value.type).toBe('code');
        if (r.value.type !== 'code') return;
        const code = r.value.code;
        expect(compareCode(code, c.code, g.minor, c.id)).toEqual([]);

        const candidates = inferPythonVersions(code, undefined, r.features).map((x) => x.version);
        expect(candidates).toContain(g.minor);
        if (candidates.length === 1) stats.exact++;

        if (!hasTable) {
          let text = '';
          try {
            text = formatDis(new CodeAnalysis(code, g.minor));
          } catch (e) {
            text = String(e);
          }
          if (text !== c.dis) stats.disMismatch.push(c.id);
          return;
        }
        const text = formatDis(new CodeAnalysis(code, g.minor));
        if (text !== c.dis) stats.disMismatch.push(c.id);
        expect(text.split('\n')).toEqual(c.dis.split('\n'));
        if (c.dis_offsets) expect(formatDisWithOffsets(new CodeAnalysis(code, g.minor)).split('\n')).toEqual(c.dis_offsets.split('\n'));

        // The instruction records agree with dis.get_instructions of the top-level code object.
        const ins = getInstructions(code, g.minor);
        // (2.7 has no dis.get_instructions: its goldens carry no argrepr.)
        expect(ins.map((i, k) => [i.offset, i.opname, i.opcode, i.arg, c.instructions[k]?.[4] === null ? null : i.argrepr])).toEqual(
          c.instructions.map((i) => [i[0], i[1], i[2], i[3], i[4]]),
        );
        expect(ins.map((i) => i.startsLine)).toEqual(c.instructions.map((i) => i[5]));
        expect(ins.map((i) => i.isJumpTarget)).toEqual(c.instructions.map((i) => i[6]));
      });
    }
  });
}

afterAll(() => {
  console.log(['Golden summary (per interpreter):', ...summary].join('\n  '));
});
