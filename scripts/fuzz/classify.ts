/** Outcome classes of one fuzz input: a report, a clear error, a hang (time bound) or a crash. */
import type { FileReport } from '../../src/core/report';

export type Outcome = 'report' | 'error' | 'hang' | 'crash';

export interface Classified {
  outcome: Outcome;
  verdict?: string;
  message?: string;
  /** Why a crash is a crash (uncaught, raw engine text, process death, memory). */
  reason?: string;
}

/**
 * Engine error texts that mean a reader met input it did not check (a bug), even when the pipeline caught
 * and reported it: "Cannot read properties of undefined", "Invalid array length", "Maximum call stack" …
 */
export const RAW_ENGINE_TEXT =
  /Cannot (read|set) propert|is not a function|is not iterable|is not defined|is not a constructor|Maximum call stack|Invalid (typed )?array length|Invalid string length|Array buffer allocation failed|Offset is outside the bounds|Cannot convert .* to a BigInt|Cannot mix BigInt|Reduce of empty array|\b(TypeError|RangeError|ReferenceError|InternalError)\b/;

/** The HDF5 library (wasm) aborting on a corrupt file: reported as a clear error, counted apart. */
export const WASM_ABORT = /Aborted\(|RuntimeError: (memory access out of bounds|unreachable)/;

export function classifyReport(report: FileReport): Classified {
  if (report.verdict !== 'error') return { outcome: 'report', verdict: report.verdict };
  const message = report.error?.message ?? report.verdictReason ?? '';
  if (!message.trim()) return { outcome: 'crash', verdict: 'error', message, reason: 'error report without a message' };
  if (RAW_ENGINE_TEXT.test(message)) return { outcome: 'crash', verdict: 'error', message, reason: 'raw engine error text leaked into the report' };
  return { outcome: 'error', verdict: 'error', message, reason: WASM_ABORT.test(message) ? 'wasm-abort' : undefined };
}

export function classifyThrown(e: unknown): Classified {
  const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return { outcome: 'crash', message, reason: 'scanSource threw (it must never throw)' };
}
