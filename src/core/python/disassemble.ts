/**
 * Bytecode → Instruction records, following each CPython version's `dis` module (Lib/dis.py at that tag):
 * EXTENDED_ARG, 1/3-byte bytecode (≤3.5) vs 2-byte wordcode (3.6+), inline caches (3.11+), flag bits in
 * LOAD_GLOBAL/LOAD_ATTR/LOAD_SUPER_ATTR arguments (3.11/3.12+), jump targets and line numbers
 * (lnotab ≤3.9, PEP 626 linetable 3.10, location table 3.11+). Formatting lives in format-dis.ts.
 */
import type { CodeObject, Instruction, PyValue } from './objects';
import { getOpcodeTable, type OpcodeTable } from './opcodes/index';
import { reprPyValue, type ReprOptions } from './repr';

export class DisassemblyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DisassemblyError';
  }
}

/** One raw instruction: offset, opcode and argument (EXTENDED_ARG folded in), before resolution. */
export interface RawInstruction {
  offset: number;
  opcode: number;
  arg: number | null;
  /** Bytes taken by this instruction and its inline caches (not its EXTENDED_ARG prefixes). */
  size: number;
  /** Python 2: the argument became a `long` (after EXTENDED_ARG), so repr() adds an L. */
  py2Long?: boolean;
}

export interface ExceptionTableEntry {
  start: number;
  end: number;
  target: number;
  depth: number;
  lasti: boolean;
}

const versionNumbers = new Map<string, number>();

/** "3.11" → 311 (asked per code object and stage: remembered for the few version strings there are). */
export function versionNumber(version: string): number {
  let n = versionNumbers.get(version);
  if (n === undefined) {
    const [maj, min] = version.split('.').map(Number);
    n = maj * 100 + (min || 0);
    if (versionNumbers.size < 64) versionNumbers.set(version, n);
  }
  return n;
}

/** The opcode table for a version; versions newer than our newest table (3.15) use the newest, best effort. */
export function tableFor(version: string): OpcodeTable {
  const t = getOpcodeTable(version) ?? (versionNumber(version) > 314 ? getOpcodeTable('3.14') : undefined);
  if (!t) throw new DisassemblyError(`no opcode table for Python ${version}`);
  return t;
}

/** Splits co_code into instructions the way that version's `dis._unpack_opargs` does. */
export function unpackOpargs(code: Uint8Array, table: OpcodeTable): RawInstruction[] {
  const out: RawInstruction[] = [];
  if (!table.wordcode) {
    let ext = 0n;
    let extLong = false;
    for (let i = 0; i < code.length; ) {
      const op = code[i];
      if (table.hasArg(op)) {
        if (i + 2 >= code.length) {
          // A truncated final argument: dis would raise IndexError; we record the opcode alone.
          out.push({ offset: i, opcode: op, arg: null, size: code.length - i });
          break;
        }
        const argBig = BigInt(code[i + 1] | (code[i + 2] << 8)) + ext;
        const isLong = extLong;
        ext = 0n;
        extLong = false;
        if (op === table.data.EXTENDED_ARG) {
          ext = argBig * 65536n;
          extLong = true;
        }
        out.push({ offset: i, opcode: op, arg: Number(argBig), size: 3, ...(isLong ? { py2Long: true } : {}) });
        i += 3;
      } else {
        out.push({ offset: i, opcode: op, arg: null, size: 1 });
        i += 1;
      }
    }
    return out;
  }
  let ext = 0;
  for (let i = 0; i < code.length; ) {
    const op = code[i];
    const caches = table.cacheEntries(op);
    let arg: number | null = null;
    if (table.hasArg(op)) {
      arg = ((code[i + 1] ?? 0) | ext) >>> 0;
      if (table.vnum >= 311) arg = arg | 0; // 3.11+ keep the oparg signed 32-bit (dis: _INT_OVERFLOW)
      ext = op === table.data.EXTENDED_ARG ? (arg << 8) | 0 : 0;
      if (table.vnum < 311) ext >>>= 0;
    } else ext = 0;
    const size = Math.min(2 + 2 * caches, code.length - i);
    out.push({ offset: i, opcode: op, arg, size });
    i += 2 + 2 * caches;
  }
  return out;
}

function isBackwardJump(table: OpcodeTable, op: number): boolean {
  const name = table.name(op) ?? '';
  if (table.vnum >= 313) {
    return (
      name === 'JUMP_BACKWARD' ||
      name === 'JUMP_BACKWARD_NO_INTERRUPT' ||
      (table.vnum >= 314 && name === 'END_ASYNC_FOR')
    );
  }
  return name.includes('JUMP_BACKWARD');
}

/** The jump target of one instruction (absolute byte offset), or null when it does not jump. */
export function jumpTarget(table: OpcodeTable, ins: RawInstruction): number | null {
  if (ins.arg === null) return null;
  const v = table.vnum;
  const op = ins.opcode;
  if (table.isJabs(op)) return v >= 310 ? ins.arg * 2 : ins.arg;
  if (table.isJrel(op)) {
    if (!table.wordcode) return ins.offset + 3 + ins.arg;
    if (v < 310) return ins.offset + 2 + ins.arg;
    const signed = isBackwardJump(table, op) ? -ins.arg : ins.arg;
    const caches = v >= 312 ? table.cacheEntries(op) : 0;
    return ins.offset + 2 + signed * 2 + 2 * caches;
  }
  return null;
}

/** Jump targets in first-seen order, like `dis.findlabels`. */
export function findLabels(table: OpcodeTable, raw: RawInstruction[]): number[] {
  const labels: number[] = [];
  for (const ins of raw) {
    const t = jumpTarget(table, ins);
    if (t !== null && !labels.includes(t)) labels.push(t);
  }
  return labels;
}

// --- line numbers ---------------------------------------------------------------------------------

/** (start, end, line) ranges as `code.co_lines()` yields them (3.10+); line null = no line. */
export function coLines(code: CodeObject, version: string): { start: number; end: number; line: number | null }[] {
  const v = versionNumber(version);
  const t = code.linetable;
  const out: { start: number; end: number; line: number | null }[] = [];
  if (v === 310) {
    let line = code.firstlineno;
    let end = 0;
    for (let i = 0; i + 1 < t.length; i += 2) {
      const start = end;
      end = start + t[i];
      const ld = t[i + 1] >= 128 ? t[i + 1] - 256 : t[i + 1];
      let cur: number | null;
      if (ld === -128) cur = null;
      else {
        line += ld;
        cur = line;
      }
      if (start === end) continue;
      out.push({ start, end, line: cur });
    }
    return out;
  }
  if (v >= 311) {
    let line = code.firstlineno;
    let addr = 0;
    let i = 0;
    const varint = (): number => {
      let b = t[i++] ?? 0;
      let val = b & 63;
      let shift = 0;
      while (b & 64 && i < t.length) {
        shift += 6;
        b = t[i++];
        val |= (b & 63) << shift;
      }
      return val;
    };
    const svarint = (): number => {
      const u = varint();
      return u & 1 ? -(u >> 1) : u >> 1;
    };
    while (i < t.length) {
      const first = t[i++];
      if (!(first & 0x80)) continue; // not an entry start: resynchronise
      const kind = (first >> 3) & 15;
      const len = ((first & 7) + 1) * 2;
      let cur: number | null = line;
      if (kind === 15) cur = null;
      else if (kind === 14) {
        line += svarint();
        cur = line;
        varint();
        varint();
        varint();
      } else if (kind === 13) {
        line += svarint();
        cur = line;
      } else if (kind >= 10) {
        line += kind - 10;
        cur = line;
        i += 2;
      } else i += 1;
      const start = addr;
      addr += len;
      // co_lines merges neighbouring ranges with the same line.
      const prev = out[out.length - 1];
      if (prev && prev.line === cur && prev.end === start) prev.end = addr;
      else out.push({ start, end: addr, line: cur });
    }
    return out;
  }
  return [];
}

/**
 * Offset → line where a new line starts, like that version's `dis.findlinestarts`.
 * 3.13+ may map an offset to null ("no line", printed as "--").
 */
export function findLineStarts(code: CodeObject, version: string): Map<number, number | null> {
  const v = versionNumber(version);
  const starts = new Map<number, number | null>();
  if (v >= 310) {
    let last: number | null | undefined = undefined;
    for (const r of coLines(code, version)) {
      if (v >= 313) {
        if (r.line !== last) {
          last = r.line;
          starts.set(r.start, r.line);
        }
      } else if (r.line !== null && r.line !== last) {
        last = r.line;
        starts.set(r.start, r.line);
      }
    }
    return starts;
  }
  const t = code.linetable;
  let lastLine: number | null = null;
  let line = code.firstlineno;
  let addr = 0;
  for (let i = 0; i + 1 < t.length; i += 2) {
    const byteIncr = t[i];
    let lineIncr = t[i + 1];
    if (byteIncr) {
      if (line !== lastLine) {
        starts.set(addr, line);
        lastLine = line;
      }
      addr += byteIncr;
      if (v >= 308 && addr >= code.code.length) return starts;
    }
    if (v >= 306 && lineIncr >= 0x80) lineIncr -= 0x100;
    line += lineIncr;
  }
  if (line !== lastLine) starts.set(addr, line);
  return starts;
}

// --- exception table (3.11+) ----------------------------------------------------------------------

export function parseExceptionTable(code: CodeObject): ExceptionTableEntry[] {
  const t = code.exceptiontable;
  const out: ExceptionTableEntry[] = [];
  if (!t) return out;
  let i = 0;
  const varint = (): number | null => {
    if (i >= t.length) return null;
    let b = t[i++];
    let val = b & 63;
    while (b & 64) {
      if (i >= t.length) return null;
      val = val * 64;
      b = t[i++];
      val += b & 63;
    }
    return val;
  };
  for (;;) {
    const start = varint();
    const length = varint();
    const target = varint();
    const dl = varint();
    if (start === null || length === null || target === null || dl === null) break;
    out.push({ start: start * 2, end: start * 2 + length * 2, target: target * 2, depth: dl >> 1, lasti: (dl & 1) === 1 });
  }
  return out;
}

// --- resolution -------------------------------------------------------------------------------------

/** A local by index: co_varnames ≤3.10, localsplusnames 3.11+ (dis: co._varname_from_oparg). */
function localName(code: CodeObject, v: number, arg: number): string | undefined {
  if (v >= 311) return (code.localsplusnames ?? [...code.varnames, ...code.cellvars, ...code.freevars])[arg];
  return code.varnames[arg];
}

function freeName(code: CodeObject, v: number, arg: number): string | undefined {
  if (v >= 311) return localName(code, v, arg);
  return [...code.cellvars, ...code.freevars][arg];
}

/** An argument that does not resolve. Thrown and caught in this module only: a plain object, because the
 *  version check meets one for nearly every version it excludes and needs no stack trace. */
class Unresolved {
  constructor(readonly message: string) {}
}

function need<T>(x: T | undefined, what: string, arg: number): T {
  if (x === undefined) throw new Unresolved(`${what} index ${arg} out of range`);
  return x;
}

export interface ResolvedArg {
  argval: PyValue | string | number | null;
  argrepr: string;
}

/**
 * argval/argrepr for one instruction, following that version's dis. `label` maps targets (3.13+).
 * Throws DisassemblyError when an index is out of range.
 */
export function resolveArg(
  code: CodeObject,
  table: OpcodeTable,
  ins: RawInstruction,
  reprOptions: ReprOptions,
  label?: (offset: number) => number | undefined,
): ResolvedArg {
  try {
    return resolve(code, table, ins, reprOptions, label);
  } catch (e) {
    throw e instanceof Unresolved ? new DisassemblyError(e.message) : e;
  }
}

/** Why one instruction's argument does not resolve in this code object (what resolveArg would throw), or null. */
export function argumentProblem(code: CodeObject, table: OpcodeTable, ins: RawInstruction): string | null {
  try {
    resolve(code, table, ins, null);
    return null;
  } catch (e) {
    if (e instanceof Unresolved) return e.message;
    throw e;
  }
}

/** resolveArg's work; reprOptions null checks the indexes without writing constant reprs. */
function resolve(
  code: CodeObject,
  table: OpcodeTable,
  ins: RawInstruction,
  reprOptions: ReprOptions | null,
  label?: (offset: number) => number | undefined,
): ResolvedArg {
  const { opcode: op, arg } = ins;
  if (arg === null) return { argval: null, argrepr: '' };
  const v = table.vnum;
  const d = table.data;
  const name = table.name(op) ?? '';
  if (table.isConst(op)) {
    // 3.11's dis resolves only LOAD_CONST; KW_NAMES keeps its bare index.
    if (v === 311 && name !== 'LOAD_CONST') {
      need(code.consts[arg], 'constant', arg);
      return { argval: arg, argrepr: '' };
    }
    const c = need(code.consts[arg], 'constant', arg);
    return { argval: c, argrepr: reprOptions ? reprPyValue(c, table.version, reprOptions) : '' };
  }
  if (table.isName(op)) {
    let idx = arg;
    let prefix = '';
    let suffix = '';
    if (name === 'LOAD_GLOBAL' && v >= 311) {
      idx = arg >> 1;
      if (arg & 1) v >= 313 ? (suffix = ' + NULL') : (prefix = 'NULL + ');
    } else if (name === 'LOAD_ATTR' && v >= 312) {
      idx = arg >> 1;
      if (arg & 1) v >= 313 ? (suffix = ' + NULL|self') : (prefix = 'NULL|self + ');
    } else if (name === 'LOAD_SUPER_ATTR' && v >= 312) {
      idx = arg >> 2;
      if (arg & 1) v >= 313 ? (suffix = ' + NULL|self') : (prefix = 'NULL|self + ');
    }
    const n = need(code.names[idx], 'name', idx);
    return { argval: n, argrepr: prefix + n + suffix };
  }
  const target = jumpTarget(table, ins);
  if (target !== null) {
    if (v >= 313) {
      const l = label?.(target);
      return { argval: target, argrepr: `${v >= 314 && name === 'END_ASYNC_FOR' ? 'from' : 'to'} L${l ?? '?'}` };
    }
    if (table.isJabs(op) && v < 310) return { argval: target, argrepr: '' };
    return { argval: target, argrepr: `to ${target}` };
  }
  if (v >= 313 && (name === 'LOAD_FAST_LOAD_FAST' || name === 'LOAD_FAST_BORROW_LOAD_FAST_BORROW' || name === 'STORE_FAST_LOAD_FAST' || name === 'STORE_FAST_STORE_FAST')) {
    const a = need(localName(code, v, arg >> 4), 'local', arg >> 4);
    const b = need(localName(code, v, arg & 15), 'local', arg & 15);
    return { argval: `${a}, ${b}`, argrepr: `${a}, ${b}` };
  }
  if (table.isLocal(op)) {
    const n = need(localName(code, v, arg), 'local', arg);
    return { argval: n, argrepr: n };
  }
  if (table.isFree(op)) {
    const n = need(freeName(code, v, arg), 'free variable', arg);
    return { argval: n, argrepr: n };
  }
  if (table.isCompare(op)) {
    const idx = v >= 313 ? arg >> 5 : v >= 312 ? arg >> 4 : arg;
    const c = need(d.cmp_op[idx], 'comparison', idx);
    return { argval: c, argrepr: v >= 313 && arg & 16 ? `bool(${c})` : c };
  }
  if (name === 'FORMAT_VALUE' && v >= 306) {
    let r = ['', 'str', 'repr', 'ascii'][arg & 3];
    if (arg & 4) r += (r ? ', ' : '') + 'with format';
    return { argval: arg, argrepr: r };
  }
  if (name === 'CONVERT_VALUE') {
    return { argval: arg, argrepr: ['', 'str', 'repr', 'ascii'][arg] ?? '' };
  }
  if ((name === 'MAKE_FUNCTION' && d.dis_MAKE_FUNCTION_FLAGS) || (name === 'SET_FUNCTION_ATTRIBUTE' && d.dis_FUNCTION_ATTR_FLAGS)) {
    const flags = (name === 'MAKE_FUNCTION' ? d.dis_MAKE_FUNCTION_FLAGS : d.dis_FUNCTION_ATTR_FLAGS) ?? [];
    return { argval: arg, argrepr: flags.filter((_, i) => arg & (1 << i)).join(', ') };
  }
  if (name === 'BINARY_OP' && d.nb_ops) return { argval: arg, argrepr: need(d.nb_ops[arg], 'binary op', arg)[1] };
  if (name === 'CALL_INTRINSIC_1' && d.intrinsic_1_descs) {
    return { argval: arg, argrepr: need(d.intrinsic_1_descs[arg], 'intrinsic', arg) };
  }
  if (name === 'CALL_INTRINSIC_2' && d.intrinsic_2_descs) {
    return { argval: arg, argrepr: need(d.intrinsic_2_descs[arg], 'intrinsic', arg) };
  }
  if (name === 'LOAD_COMMON_CONSTANT' && d.dis_common_constants) {
    return { argval: arg, argrepr: need(d.dis_common_constants[arg], 'common constant', arg) };
  }
  if (name === 'LOAD_SPECIAL' && d.dis_special_method_names) {
    return { argval: arg, argrepr: need(d.dis_special_method_names[arg], 'special method', arg) };
  }
  if (v >= 314 && name === 'IS_OP') return { argval: arg, argrepr: arg ? 'is not' : 'is' };
  if (v >= 314 && name === 'CONTAINS_OP') return { argval: arg, argrepr: arg ? 'not in' : 'in' };
  return { argval: arg, argrepr: '' };
}

export interface DisassembledCode {
  code: CodeObject;
  version: string;
  instructions: Instruction[];
  /** Raw units in order (same length as instructions). */
  raw: RawInstruction[];
  lineStarts: Map<number, number | null>;
  exceptionTable: ExceptionTableEntry[];
  /** 3.13+: offset → label number (jump targets and exception-table bounds). */
  labels: Map<number, number>;
  /** ≤3.12: offsets `dis.dis` marks with ">>" (jump targets plus exception handlers from 3.11). */
  marked: Set<number>;
}

/** Full disassembly record of one code object (not recursive). */
export function disassembleCode(
  code: CodeObject,
  version: string,
  reprOptions: ReprOptions = {},
  /** 'dis' numbers 3.13+ labels over jump targets and exception-table bounds (dis.dis); 'instructions'
   *  over jump targets only (dis.get_instructions). */
  mode: 'dis' | 'instructions' = 'dis',
): DisassembledCode {
  const table = tableFor(version);
  const v = table.vnum;
  const raw = unpackOpargs(code.code, table);
  const exc = v >= 311 ? parseExceptionTable(code) : [];
  const jumpTargets = new Set(findLabels(table, raw));
  const labelsMap = new Map<number, number>();
  if (v >= 313) {
    const all = new Set(jumpTargets);
    if (mode === 'dis') for (const e of exc) {
      all.add(e.start);
      all.add(e.end);
      all.add(e.target);
    }
    [...all].sort((a, b) => a - b).forEach((o, i) => labelsMap.set(o, i + 1));
  }
  // dis.dis also marks exception handlers (3.11/3.12); dis.get_instructions does not.
  const marked = new Set(jumpTargets);
  if (v < 313) for (const e of exc) if (e.start < e.end) marked.add(e.target);
  const lineStarts = findLineStarts(code, version);
  // The line each offset belongs to (3.10+ from co_lines, earlier from line starts).
  const ranges = v >= 310 ? coLines(code, version) : [];
  let r = 0;
  let currentLine: number | null = null;
  const instructions: Instruction[] = raw.map((ins) => {
    const name = table.name(ins.opcode) ?? `<${ins.opcode}>`;
    const { argval, argrepr } = resolveArg(code, table, ins, reprOptions, (o) => labelsMap.get(o));
    let line: number | null;
    if (v >= 310) {
      while (r < ranges.length && ranges[r].end <= ins.offset) r++;
      line = r < ranges.length && ranges[r].start <= ins.offset ? ranges[r].line : null;
    } else {
      if (lineStarts.has(ins.offset)) currentLine = lineStarts.get(ins.offset) ?? null;
      line = currentLine;
    }
    const starts = lineStarts.has(ins.offset) ? lineStarts.get(ins.offset) ?? null : null;
    const target = jumpTarget(table, ins);
    const out: Instruction = {
      offset: ins.offset,
      opcode: ins.opcode,
      opname: name,
      arg: ins.arg,
      argval,
      argrepr,
      startsLine: starts,
      line,
      isJumpTarget: jumpTargets.has(ins.offset),
      size: ins.size,
    };
    if (target !== null) out.jumpTarget = target;
    return out;
  });
  return { code, version, instructions, raw, lineStarts, exceptionTable: exc, labels: labelsMap, marked };
}

/** Instructions of one code object as `dis.get_instructions(code)` of that version lists them. */
export function getInstructions(code: CodeObject, version: string): Instruction[] {
  return disassembleCode(code, version, {}, 'instructions').instructions;
}
