/**
 * Node host of `lambdalens diff`: scans both paths with the same job runner as `scan` (in the isolated worker
 * thread when given one, so a file that hangs the HDF5 library is timed out), then reads each file's weight
 * records — with our own bounded zip and HDF5 readers only, never the HDF5 library, so in this thread.
 */
import { stat } from 'node:fs/promises';
import { readWeightRecords } from '../core/diff/weights';
import type { DiffSide } from '../core/diff/side';
import { NodeFileSource } from './file-source';
import { runJob, type IsolatedScanner, type ScanJob } from './isolated-scan';
import { isSavedModelDir } from './scan-path';

export async function diffSide(path: string, hash: boolean, scanner: IsolatedScanner | null): Promise<DiffSide> {
  let folder = false;
  try {
    folder = (await stat(path)).isDirectory() && (await isSavedModelDir(path));
  } catch {
    // A missing path becomes the scan's own `unreadable` error report.
  }
  const job: ScanJob = { path, folder, hash };
  const { report, documents } = scanner ? await scanner.scan(job) : await runJob(job);
  if (folder || report.verdict === 'error') return { report, documents, weights: null };
  const source = await NodeFileSource.open(path);
  try {
    return { report, documents, weights: await readWeightRecords(source) };
  } finally {
    await source.close();
  }
}
