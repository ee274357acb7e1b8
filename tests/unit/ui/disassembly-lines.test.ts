// Disassembly lines cited by indicators: the offsets the decoder reports for real payloads land on the
// instructions that do the thing (exec, __import__, b64decode), in the instruction and label dis styles.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemorySource } from '../../../src/core/io/byte-source';
import { scanSource } from '../../../src/core/scan';
import { mountHdf5Node } from '../../../src/node/hdf5-mount';
import { disassemblyLines } from '../../../src/ui/highlight/disassembly';

async function payloadOf(name: string) {
  const bytes = readFileSync(path.resolve(__dirname, '../../fixtures', name));
  const report = await scanSource(new MemorySource(new Uint8Array(bytes), name), { mountHdf5: mountHdf5Node });
  const finding = report.findings.find((f) => f.payload);
  if (!finding?.payload) throw new Error(`no payload in ${name}`);
  return finding.payload.decoded;
}

describe('disassembly lines', () => {
  it('mal_exec_b64.keras: the cited lines are the exec, __import__ and b64decode instructions', async () => {
    const decoded = await payloadOf('mal_exec_b64.keras');
    const lines = disassemblyLines(decoded.disassembly!, decoded.indicators, decoded.code!.name);
    const cited = lines.filter((l) => l.cited.length > 0);
    const offsets = new Set(decoded.indicators.flatMap((i) => i.offsets));
    expect(offsets.size).toBeGreaterThan(0);
    expect(new Set(cited.map((l) => l.offset))).toEqual(offsets);
    const text = cited.map((l) => l.text).join('\n');
    expect(text).toMatch(/exec/);
    expect(text).toMatch(/__import__/);
    expect(text).toMatch(/b64decode/);
    // Every line of the text is kept, in order.
    expect(lines.map((l) => l.text).join('\n') + '\n').toBe(decoded.disassembly);
  });

  it('a benign lambda has no cited lines', async () => {
    const decoded = await payloadOf('seq_lambda_benign.keras');
    const lines = disassemblyLines(decoded.disassembly!, decoded.indicators, decoded.code!.name);
    expect(lines.some((l) => l.offset !== undefined)).toBe(true);
    expect(lines.filter((l) => l.cited.length > 0)).toEqual([]);
  });

  it('3.13 label style (no offsets): lines are cited by the evidence name in their argument', () => {
    const dis = '  1           RESUME                   0\n              LOAD_GLOBAL              1 (system + NULL)\n      L1:     LOAD_FAST                0 (x)\n';
    const lines = disassemblyLines(dis, [{ category: 'process', title: 't', evidence: ['system'], where: '<lambda>', offsets: [2] }], '<lambda>');
    expect(lines.map((l) => l.cited.length)).toEqual([0, 1, 0]);
  });

  it('nested code objects: an indicator in <lambda>.<listcomp> marks only that section', () => {
    const dis = [
      '  1           0 LOAD_CONST               1 (<code object <listcomp> at 0xADDR, file "x.py", line 1>)',
      '              2 RETURN_VALUE',
      '',
      'Disassembly of <code object <listcomp> at 0xADDR, file "x.py", line 1>:',
      '  1           0 BUILD_LIST               0',
      '              2 LOAD_GLOBAL              0 (eval)',
      '',
    ].join('\n');
    const lines = disassemblyLines(dis, [{ category: 'dynamic-code', title: 'eval', evidence: ['eval'], where: '<lambda>.<listcomp>', offsets: [2] }], '<lambda>');
    expect(lines.filter((l) => l.cited.length).map((l) => l.text.trim())).toEqual(['2 LOAD_GLOBAL              0 (eval)']);
  });
});
