/**
 * One place that turns anything thrown during a scan into a typed error record (code + message + where), so
 * hosts switch on `code` and never match message text. The only message matching left is here: Emscripten
 * reports a WebAssembly trap or abort as a plain Error whose text is all there is to tell it by.
 */
import type { SkipCategory } from './coverage';
import { FormatError } from './formats/format';
import { RemoteError } from './io/http-source';
import { JsonError } from './json/parse';
import { MarshalError } from './python/marshal';
import type { ReportError } from './report';

/** A trap or abort inside the HDF5 library (WebAssembly): its module may be unusable afterwards. */
const WASM_TRAP = /RuntimeError|Aborted\(|out of memory|memory access out of bounds|unreachable|Cannot enlarge memory/i;

export function isWasmTrap(e: unknown): boolean {
  if (typeof WebAssembly !== 'undefined' && e instanceof WebAssembly.RuntimeError) return true;
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return WASM_TRAP.test(text);
}

/** The text of anything thrown. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

export function describeError(e: unknown): ReportError {
  if (e instanceof FormatError) return { code: e.code, message: e.message, offset: e.offset, pointer: e.pointer };
  if (e instanceof JsonError) return { code: 'damaged', message: e.message, offset: e.offset };
  // The file could not be read where it is hosted: the same code as an unreadable local file, and its own words.
  if (e instanceof RemoteError) return { code: e.code === 'aborted' ? 'cancelled' : 'unreadable', message: e.message };
  if (e instanceof MarshalError) return { code: 'damaged', message: e.message, offset: e.offset };
  if (isWasmTrap(e)) return { code: 'wasm-trap', message: `the HDF5 library failed: ${errorMessage(e)}` };
  if (e instanceof RangeError) return { code: 'limit', message: `input exceeded an internal limit (${e.message})` };
  if (e instanceof Error) return { code: 'damaged', message: `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` };
  return { code: 'damaged', message: String(e) };
}

/** The ledger category for a part whose reading threw. */
export function skipCategoryOf(e: unknown): SkipCategory {
  if (e instanceof FormatError) return e.code === 'encrypted' ? 'encrypted' : e.code === 'limit' ? 'too-large' : 'unreadable';
  if (e instanceof RangeError) return 'limit';
  return 'unreadable';
}
