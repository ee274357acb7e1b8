/**
 * Payloads over the size limits (src/core/python/limits.ts): each stage stops where it says it stops, the
 * verdict-relevant facts (names, strings, the indicators from them) still cover the whole payload, and the
 * cost stays linear (a 4 MB body used to take over a minute and 2 GB).
 */
import { describe, expect, it } from 'vitest';
import { decodePayload } from '../../src/core/python/decode';
import { MAX_DECOMPILED_BYTECODE, MAX_DISASSEMBLED_BYTECODE } from '../../src/core/python/limits';
import { MemorySource } from '../../src/core/io/byte-source';
import { scanSource } from '../../src/core/scan';
import { mountHdf5Node } from '../../src/node/hdf5-mount';
import { inflatedLambda, inflatedLambdaConfig } from '../fixtures/slow-model.mjs';

/** Extra instructions that put the body just over `bytes` (4 bytes each). */
const over = (bytes: number) => Math.ceil(bytes / 4) + 16;

describe('payload size limits', () => {
  it('under the decompile limit: full decoding', () => {
    const d = decodePayload(inflatedLambda('mal_os_system', 1000));
    expect(d.ok).toBe(true);
    expect(d.disassembly).toContain('LOAD_METHOD              1 (system)');
    expect(d.source).toContain("return __import__('os').system('echo hi') or x");
    expect(d.indicators.some((i) => i.title.includes('os.system'))).toBe(true);
  });

  it('over the decompile limit: no source, a full disassembly, indicators from the instructions', () => {
    const d = decodePayload(inflatedLambda('mal_os_system', over(MAX_DECOMPILED_BYTECODE)));
    expect(d.ok).toBe(true);
    expect(d.sourceComplete).toBe(false);
    expect(d.source).toMatch(/^# decompiler: \d+ bytes of bytecode, more than the 65536 it decompiles/);
    expect(d.disassembly!.split('\n').length).toBeGreaterThan(MAX_DECOMPILED_BYTECODE / 4);
    expect(d.disassembly).toContain("LOAD_CONST               2 ('echo hi')");
    const system = d.indicators.find((i) => i.title.includes('os.system'));
    expect(system, 'os.system found by the instruction scan').toBeDefined();
    expect(system!.offsets.length).toBeGreaterThan(0);
  });

  it('over the disassembly limit: names, strings and name-table indicators only, said so', () => {
    const d = decodePayload(inflatedLambda('mal_os_system', over(MAX_DISASSEMBLED_BYTECODE)));
    expect(d.ok).toBe(true);
    expect(d.disassembly).toBeUndefined();
    expect(d.error).toMatch(/bytes of bytecode, more than the 524288 this tool disassembles: names, strings and the indicators from them cover all of it/);
    expect(d.names).toEqual(expect.arrayContaining(['__import__', 'system', 'x']));
    expect(d.strings).toEqual(expect.arrayContaining(['os', 'echo hi']));
    // Without instructions the call chain is unknown, but the names the code can reach are flagged.
    expect(d.indicators.map((i) => i.title).join('\n')).toMatch(/__import__/);
    expect(d.indicators.map((i) => i.title).join('\n')).toMatch(/shell command/);
    expect(d.pythonVersions.map((v) => v.version)).toContain('3.11');
    expect(d.pythonVersions[0].evidence.join(' ')).toMatch(/the first \d+ instructions/);
  });

  it('a 4 MB body scans as a dangerous report, not a stall', async () => {
    const bytes = inflatedLambdaConfig('mal_os_system', 1_000_000);
    const report = await scanSource(new MemorySource(bytes, 'inflated.json'), { mountHdf5: mountHdf5Node });
    expect(report.verdict).toBe('dangerous');
    const f = report.findings.find((x) => x.kind === 'lambda-bytecode')!;
    expect(f.payload!.size).toBeGreaterThan(4_000_000);
    expect(f.payload!.decoded.names).toContain('system');
  });
});
