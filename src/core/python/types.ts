/**
 * What the rest of the app sees of a decoded marshal payload. Records only; formatting lives elsewhere.
 * Produced by `decodePayload` (src/core/python/decode.ts). Nothing here is ever executed.
 */

/** One Python version that could have written the payload, with the facts that keep it in the list. */
export interface PythonVersionCandidate {
  /** "2.7", "3.6" … "3.14". */
  version: string;
  evidence: string[];
}

/** What made the code suspicious, with the instruction offsets and the names/constants behind it. */
export interface Indicator {
  category: 'process' | 'dynamic-code' | 'file' | 'network' | 'obfuscation' | 'environment';
  /** Short, plain: "runs a shell command (os.system)". */
  title: string;
  /** The names/constants that triggered it, e.g. ["os", "system", "'echo hi'"]. */
  evidence: string[];
  /** Qualified name of the code object (nested code objects: `<lambda>.<listcomp>`), or `defaults`/`closure`. */
  where: string;
  /** Instruction offsets in that code object (empty when found in consts/defaults only). */
  offsets: number[];
}

/** The headline facts of the top-level code object. */
export interface CodeSummary {
  name: string;
  qualname?: string;
  filename: string;
  firstlineno: number;
  argcount: number;
  posonlyargcount: number;
  kwonlyargcount: number;
  flags: number;
  varnames: string[];
  freevars: string[];
  cellvars: string[];
  names: string[];
  /** repr() of each constant, as CPython would print it. */
  consts: string[];
}

export interface PayloadDecoding {
  /** False when the bytes are not a readable marshal code object; `error` says why (with a byte offset). */
  ok: boolean;
  error?: string;
  /** Candidate versions, most likely first; never narrowed to one when two remain possible. */
  pythonVersions: PythonVersionCandidate[];
  /** Every name used anywhere (co_names, varnames, nested code objects), in first-seen order, unique. */
  names: string[];
  /** Every str/bytes constant anywhere (nested too), in first-seen order, unique. */
  strings: string[];
  code?: CodeSummary;
  /** Text as the (first candidate) version's `dis.dis(code)` prints it. */
  disassembly?: string;
  /** Decompiled Python source. */
  source?: string;
  /** True only when the decompiler is confident the source is complete and exact. */
  sourceComplete: boolean;
  indicators: Indicator[];
}

/** Hints that may narrow the version list; never used to exclude what the bytes prove. */
export interface DecodeHints {
  kerasVersion?: string;
  tensorflowVersion?: string;
}
