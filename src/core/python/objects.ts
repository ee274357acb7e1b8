/**
 * Python values as the marshal reader produces them: plain tagged records, never live objects.
 * Shared by the marshal reader, the disassembler, the decompiler and the indicator scan.
 */

export type PyValue =
  | { type: 'none' }
  | { type: 'bool'; value: boolean }
  | { type: 'ellipsis' }
  | { type: 'stopiteration' }
  /** Arbitrary-precision int; small ones fit a JS number but bigint keeps one representation. */
  /** `long`: a Python 2 long (marshal 'l' in a py2 stream), repr'd with an L suffix. */
  | { type: 'int'; value: bigint; long?: boolean }
  | { type: 'float'; value: number }
  | { type: 'complex'; real: number; imag: number }
  /** Python 3 str (and Python 2 unicode). */
  | { type: 'str'; value: string; interned?: boolean }
  /** Python 3 bytes (and Python 2 str). */
  /** `interned`: a Python 2 interned str (marshal 't'). */
  | { type: 'bytes'; value: Uint8Array; interned?: boolean }
  | { type: 'tuple'; items: PyValue[] }
  | { type: 'list'; items: PyValue[] }
  /** `frozen`: a 3.15 frozendict (marshal '}'). */
  | { type: 'dict'; entries: [PyValue, PyValue][]; frozen?: boolean }
  | { type: 'set'; items: PyValue[] }
  | { type: 'frozenset'; items: PyValue[] }
  | { type: 'slice'; start: PyValue; stop: PyValue; step: PyValue }
  | { type: 'code'; code: CodeObject };

/** Which marshal code-object layout the bytes used (MARSHAL.md). */
export type CodeLayout = 'py2' | 'py30' | 'py38' | 'py311';

export interface CodeObject {
  layout: CodeLayout;
  argcount: number;
  posonlyargcount: number;
  kwonlyargcount: number;
  /** Absent from the 3.11+ layout (derived from localsplus there). */
  nlocals: number;
  stacksize: number;
  flags: number;
  code: Uint8Array;
  consts: PyValue[];
  names: string[];
  varnames: string[];
  freevars: string[];
  cellvars: string[];
  /** 3.11+: all locals in order, with their kind bytes. */
  localsplusnames?: string[];
  localspluskinds?: Uint8Array;
  filename: string;
  name: string;
  qualname?: string;
  firstlineno: number;
  /** lnotab (≤3.9), linetable (3.10), location table (3.11+). */
  linetable: Uint8Array;
  exceptiontable?: Uint8Array;
  /** Byte offset of this code object in the marshal stream (for error messages and evidence). */
  streamOffset: number;
}

/** One decoded instruction, as CPython's `dis.Instruction` describes it. */
export interface Instruction {
  offset: number;
  opcode: number;
  opname: string;
  /** The (EXTENDED_ARG-combined) argument, or null for opcodes without one. */
  arg: number | null;
  /** The resolved value: a constant, a name, a jump target offset … */
  argval: PyValue | string | number | null;
  /** The text `dis` prints in parentheses. */
  argrepr: string;
  /** Source line when this instruction starts a new line, else null. */
  startsLine: number | null;
  /** The source line this instruction belongs to (null when none). */
  line: number | null;
  isJumpTarget: boolean;
  /** Target offset for jumps. */
  jumpTarget?: number;
  /** Size in bytes of the instruction and its inline caches; EXTENDED_ARG prefixes are listed as their own
   *  instructions (as dis does), so offset + size is the next instruction's offset. */
  size: number;
}
