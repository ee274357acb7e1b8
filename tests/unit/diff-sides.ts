/** Test helper: one side of a diff from a file on disk, with the same scan and weight readers the CLI uses. */
import path from 'node:path';
import { diffModels, readWeightRecords, type DiffSide, type ModelDiff } from '../../src/core/diff';
import type { Difference } from '../../src/core/diff/types';
import type { ScanDocument } from '../../src/core/scan-types';
import { NodeFileSource } from '../../src/node/file-source';
import { scanPath } from '../../src/node/scan-path';

export const root = path.resolve(__dirname, '../..');
export const fx = (name: string) => path.join(root, 'tests/fixtures', name);
export const dfx = (name: string) => path.join(root, 'tests/fixtures/diff', name);

const cache = new Map<string, Promise<DiffSide>>();

export function side(file: string): Promise<DiffSide> {
  let s = cache.get(file);
  if (!s) {
    s = (async () => {
      let documents: ScanDocument[] = [];
      const report = await scanPath(file, { hash: false, onDocuments: (d) => (documents = d) });
      // As the CLI host does (src/node/diff-paths.ts): no weight records for a file that could not be inspected.
      if (report.verdict === 'error') return { report, documents, weights: null };
      const source = await NodeFileSource.open(file);
      try {
        return { report, documents, weights: await readWeightRecords(source) };
      } finally {
        await source.close();
      }
    })();
    cache.set(file, s);
  }
  return s;
}

export async function diffFiles(a: string, b: string): Promise<ModelDiff> {
  return diffModels(await side(a), await side(b));
}

export function ofKind<K extends Difference['kind']>(d: ModelDiff, kind: K): Extract<Difference, { kind: K }>[] {
  return d.differences.filter((x): x is Extract<Difference, { kind: K }> => x.kind === kind);
}

export function kinds(d: ModelDiff): string[] {
  return [...new Set(d.differences.map((x) => x.kind))].sort();
}
