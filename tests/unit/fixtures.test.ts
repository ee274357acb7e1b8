/**
 * Table-driven over the real Keras saves in tests/fixtures and their *.expected.json sidecars: every payload is
 * found at its JSON pointer, with its layer path, slot and co_names.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanPath } from '../../src/node/scan-path';

const dir = path.join(__dirname, '../fixtures');

interface ExpectedLambda {
  layer_path: string[];
  slot: string;
  json_pointer: string;
  co_names: string[];
  marshal_sha256: string;
}
interface Expected {
  file: string;
  expected_findings: number;
  lambdas: ExpectedLambda[];
}

const cases: { file: string; expected: Expected }[] = [];
for (const sub of ['', 'crafted', 'hdf5-layouts']) {
  for (const name of readdirSync(path.join(dir, sub))) {
    if (!name.endsWith('.expected.json')) continue;
    cases.push({ file: path.join(dir, sub, name.replace(/\.expected\.json$/, '')), expected: JSON.parse(readFileSync(path.join(dir, sub, name), 'utf8')) });
  }
}

describe('real Keras fixtures', () => {
  it('has the fixtures', () => expect(cases.length).toBeGreaterThanOrEqual(44));

  for (const { file, expected } of cases) {
    it(path.basename(file), async () => {
      const report = await scanPath(file);
      expect(report.error).toBeUndefined();
      const bytecode = report.findings.filter((f) => f.kind === 'lambda-bytecode');
      expect(bytecode).toHaveLength(expected.lambdas.length);
      for (const l of expected.lambdas) {
        const f = bytecode.find((x) => x.location === l.json_pointer);
        expect(f, `finding at ${l.json_pointer}`).toBeDefined();
        expect(f!.layer).toBe(l.layer_path.join('/'));
        expect(f!.slot).toBe(l.slot);
        expect(f!.payload!.sha256).toBe(l.marshal_sha256);
        for (const n of l.co_names) expect(f!.payload!.decoded.names).toContain(n);
        expect(f!.payload!.decoded.pythonVersions.map((v) => v.version)).toContain('3.11');
      }
      // Real saves carry nothing but their Lambdas: no module, loader, link, path or bomb findings above info.
      expect(report.findings.filter((f) => f.kind !== 'lambda-bytecode' && f.severity !== 'info').map((f) => f.title)).toEqual([]);
      if (expected.lambdas.length === 0) {
        expect(report.verdict).toBe('clean');
        expect(report.findings.filter((f) => f.severity !== 'info')).toHaveLength(0);
      } else expect(report.verdict).toBe('dangerous');
      expect(report.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(report.layers.length).toBeGreaterThan(1);
    });
  }
});
