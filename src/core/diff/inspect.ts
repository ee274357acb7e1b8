/** One side of a diff from bytes, for hosts that scan in this thread (the page's worker, tests). */
import type { ByteSource } from '../io/byte-source';
import { scanSource } from '../scan';
import type { ScanDocument, ScanOptions } from '../scan-types';
import type { DiffSide } from './side';
import { readWeightRecords } from './weights';

export async function inspectForDiff(source: ByteSource, options: ScanOptions): Promise<DiffSide> {
  let documents: ScanDocument[] = [];
  const report = await scanSource(source, {
    ...options,
    onDocuments: (d) => {
      documents = d;
      options.onDocuments?.(d);
    },
  });
  const weights = report.verdict === 'error' ? null : await readWeightRecords(source);
  return { report, documents, weights };
}
