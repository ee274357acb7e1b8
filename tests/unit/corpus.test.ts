/**
 * Third-party Keras files from ../shared/corpus (never copied into the repo): read in place, skipped with a
 * message when the folder is absent. What each must yield comes from the corpus MANIFEST.tsv.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanPath } from '../../src/node/scan-path';

const corpus = path.resolve(__dirname, '../../../shared/corpus/files');
const present = existsSync(corpus);
if (!present) console.warn(`corpus tests skipped: ${corpus} is absent`);

interface Case {
  file: string;
  format: string;
  layers: string[];
  /** The payload's Python version must be among these (the manifest gives a range where the writer is unknown). */
  python?: string[];
  names?: string[];
  encoding?: 'base64' | 'raw_unicode_escape';
}

const CASES: Case[] = [
  { file: 'bc-naokishibuya-model-k121.h5', format: 'keras-h5', layers: ['lambda_1'], python: ['3.4', '3.5'], encoding: 'raw_unicode_escape' },
  { file: 'bc-naokishibuya-model-k112.h5', format: 'keras-h5', layers: ['lambda_1'], python: ['3.4', '3.5'], encoding: 'raw_unicode_escape' },
  { file: 'bc-naokishibuya-model-json.json', format: 'keras-json', layers: ['lambda_1'], python: ['3.4', '3.5'], encoding: 'raw_unicode_escape' },
  { file: 'comma-steering-angle-json.json', format: 'keras-json', layers: ['lambda_1'], python: ['2.7'], encoding: 'raw_unicode_escape' },
  { file: 'siamese-pnnl-deepscore.h5', format: 'keras-h5', layers: ['lambda'], python: ['3.8', '3.9', '3.10'], names: ['abs'], encoding: 'base64' },
  { file: 'benign-siamese-ionut.h5', format: 'keras-h5', layers: [] },
  { file: 'bc-2dongheee-model-json.json', format: 'keras-json', layers: [] },
];

describe.skipIf(!present)('public corpus (Keras files)', () => {
  for (const c of CASES) {
    it(c.file, async () => {
      const report = await scanPath(path.join(corpus, c.file));
      expect(report.error).toBeUndefined();
      expect(report.format).toBe(c.format);
      const code = report.findings.filter((f) => f.kind === 'lambda-bytecode');
      expect(code.map((f) => f.layer!.split('/').pop())).toEqual(c.layers);
      for (const f of code) {
        expect(f.payload!.encoding).toBe(c.encoding);
        expect(f.payload!.decoded.ok).toBe(true);
        if (c.python) {
          const versions = f.payload!.decoded.pythonVersions.map((v) => v.version);
          expect(versions.length).toBeGreaterThan(0);
          expect(versions.filter((v) => !c.python!.includes(v))).toEqual([]);
        }
        for (const n of c.names ?? []) expect(f.payload!.decoded.names).toContain(n);
      }
      expect(report.verdict).toBe(c.layers.length ? 'dangerous' : 'clean');
      expect(report.findings.filter((f) => f.kind !== 'lambda-bytecode' && f.severity !== 'info').map((f) => f.title)).toEqual([]);
    });
  }

  it('nested shared sub-models are walked (siamese twin inside a Functional model)', async () => {
    const report = await scanPath(path.join(corpus, 'benign-siamese-ionut.h5'));
    const nested = report.layers.filter((l) => l.parent && l.parent.includes('/'));
    expect(nested.length).toBeGreaterThan(5);
  });
});
