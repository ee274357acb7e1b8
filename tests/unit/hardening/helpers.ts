/** Shared by the hardening tests: scanning bytes with the Node host, time and memory measurement, counters. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemorySource } from '../../../src/core/io/byte-source';
import type { FileReport } from '../../../src/core/report';
import { scanSource } from '../../../src/core/scan';
import { mountHdf5Node } from '../../../src/node/hdf5-mount';
import { RAW_ENGINE_TEXT } from '../../../scripts/fuzz/classify';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const fixture = (name: string) => new Uint8Array(readFileSync(path.join(ROOT, 'tests/fixtures', name)));
export const TIME_BOUND_MS = 5000;

export async function scanBytes(bytes: Uint8Array, name = 'input'): Promise<{ report: FileReport; ms: number }> {
  const t = performance.now();
  const report = await scanSource(new MemorySource(bytes, name), { mountHdf5: mountHdf5Node });
  return { report, ms: performance.now() - t };
}

/** "A report or a clear error": an error must say what is wrong in words, not leak engine text. */
export function isClearOutcome(report: FileReport): boolean {
  if (report.verdict !== 'error') return true;
  const m = report.error?.message ?? '';
  return m.trim().length > 0 && !RAW_ENGINE_TEXT.test(m);
}

/** Counts printed at the end of each property file so CI logs show what ran. */
export class RunCounter {
  private counts = new Map<string, number>();
  add(name: string, n = 1): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + n);
  }
  print(title: string): void {
    const parts = [...this.counts].map(([k, v]) => `${k}=${v}`);
    console.log(`[${title}] ${parts.join(', ')}`);
  }
}

/** Wall time of a synchronous call, ms. */
export function timed<T>(fn: () => T): { value: T; ms: number } {
  const t = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t };
}

export function heapMb(): number {
  return process.memoryUsage().heapUsed / 1048576;
}
