/**
 * Static pickle scanner: walks the opcodes of one or more concatenated pickles with a symbolic
 * stack and memo (no object is ever built, nothing is imported or called) and lists
 *   - every import (GLOBAL / INST / STACK_GLOBAL / EXT*), with module and name resolved through the
 *     memo (PUT/BINPUT/LONG_BINPUT/MEMOIZE then GET/BINGET/LONG_BINGET), classified per THREATS §E.1;
 *   - every call site (REDUCE / BUILD / OBJ / NEWOBJ / NEWOBJ_EX / INST) with its target when known.
 * It also follows one known evasion: BUILD on an imported module object rewrites module attributes
 * (`torch._utils.x = "builtins"`), which later STACK_GLOBAL lookups then return (picklescan's
 * sys_module_override PoC).
 *
 * Never throws: problems end in `error` (first pickle) or `trailing` (later data) with a byte offset.
 */
import type { Severity } from '../report';
import { type GlobalClass, classifyGlobal } from './globals';
import type { SafeLevel } from './known-safe';
import { DEFAULT_DECODE_LIMITS, type DecodeLimits, HIGHEST_PROTOCOL, PickleError, type PickleOp, decodeOp } from './opcodes';

export interface PickleScanLimits extends DecodeLimits {
  maxOpcodes: number;
  maxMemo: number;
  maxStackDepth: number;
  /** Most pickles read from one stream (concatenated pickles). */
  maxPickles: number;
  /** Most import / call records kept. */
  maxRecords: number;
}

export const DEFAULT_PICKLE_LIMITS: PickleScanLimits = {
  ...DEFAULT_DECODE_LIMITS,
  maxOpcodes: 20_000_000,
  maxMemo: 1_000_000,
  maxStackDepth: 1_000_000,
  maxPickles: 10_000,
  maxRecords: 10_000,
};

export type GlobalOpcode = 'GLOBAL' | 'INST' | 'STACK_GLOBAL' | 'EXT1' | 'EXT2' | 'EXT4';

export interface PickleGlobal {
  module: string;
  name: string;
  /** Offset of the importing opcode. */
  offset: number;
  opcode: GlobalOpcode;
  class: GlobalClass;
  severity: Severity;
  /** The dangerous-list entry or known-safe group that matched. */
  rule?: string;
  /** Known-safe globals: `call` (any call is safe) or `reconstruct` (only pickle's argument-less rebuild). */
  level?: SafeLevel;
  /** Which pickle of a concatenated stream (0-based). */
  pickleIndex: number;
  /** Module or name could not be determined statically (computed at load time); treated as dangerous. */
  unresolved?: true;
}

export type CallOpcode = 'REDUCE' | 'BUILD' | 'OBJ' | 'NEWOBJ' | 'NEWOBJ_EX' | 'INST';

export interface PickleCall {
  opcode: CallOpcode;
  offset: number;
  pickleIndex: number;
  /** The callable / class, when it is an imported global. */
  target?: { module: string; name: string };
  /** String constants passed directly in the argument tuple (or BUILD state), capped. */
  stringArgs: string[];
  /** BUILD on an imported module/class: the attribute names it overwrites. */
  setsAttributes?: string[];
}

export interface PickleScan {
  globals: PickleGlobal[];
  calls: PickleCall[];
  /** The first opcodes as records (pickletools.dis order: offset, name, argument), at most MAX_LISTING. */
  listing: PickleListingLine[];
  /** Distinct string constants pushed (unicode and byte strings decoded as text), in order, at most 200 of 200 chars. */
  strings: string[];
  /** Number of pickles that reached STOP. */
  pickles: number;
  /** Highest PROTO seen (0 when none). */
  protocol: number;
  opcodes: number;
  /** Offset just past the last STOP. */
  end: number;
  /** Data after the last complete pickle that is not a complete pickle (junk, raw tensor data, a broken pickle). */
  trailing?: { offset: number; length: number; reason: string };
  /** The first pickle itself is malformed or a limit was hit. Records before the problem are kept. */
  error?: { message: string; offset: number };
  /** Records were dropped at maxRecords. */
  truncated?: true;
}

export interface PickleScanOptions {
  limits?: Partial<PickleScanLimits>;
  /** Read at most this many pickles (e.g. 5 for the legacy torch.save layout before raw storages). */
  maxPickles?: number;
}

const MAX_STRINGS = 200;
const MAX_LISTING = 500;

/** One opcode of the listing: its offset, name and argument as pickletools.dis would show it (clipped). */
export interface PickleListingLine {
  offset: number;
  opcode: string;
  arg?: string;
}

function listingLine(op: PickleOp): PickleListingLine {
  const clip = (t: string) => (t.length > 120 ? `${t.slice(0, 119)}…` : t);
  let arg: string | undefined;
  if (op.text !== undefined) arg = clip(op.text2 !== undefined ? `${op.text} ${op.text2}` : JSON.stringify(op.text));
  else if (op.int !== undefined) arg = String(op.int);
  else if (op.length !== undefined) arg = `<${op.length} bytes>`;
  return { offset: op.offset, opcode: op.info.name, ...(arg !== undefined ? { arg } : {}) };
}
const MAX_STRING_CHARS = 200;

// ---------------------------------------------------------------- symbolic values

type PVal =
  | { t: 'str'; v: string; truncated?: boolean }
  | { t: 'global'; module: string; name: string }
  | { t: 'obj'; cls?: { module: string; name: string } }
  | { t: 'tuple'; items: PVal[] }
  | { t: 'dict'; entries: [PVal, PVal][] }
  | { t: 'scalar' }
  | { t: 'other' };

const SCALAR: PVal = { t: 'scalar' };
const OTHER: PVal = { t: 'other' };
const MAX_TRACKED_ITEMS = 32;
const MAX_STRING_ARGS = 8;
const MAX_STRING_ARG_CHARS = 1024;

class LimitError extends Error {}

function take<T>(items: T[]): T[] {
  return items.length > MAX_TRACKED_ITEMS ? items.slice(0, MAX_TRACKED_ITEMS) : items;
}

function stringArgs(v: PVal | undefined): string[] {
  const out: string[] = [];
  const add = (x: PVal) => {
    if (x.t === 'str' && out.length < MAX_STRING_ARGS) out.push(x.v.length > MAX_STRING_ARG_CHARS ? `${x.v.slice(0, MAX_STRING_ARG_CHARS)}…` : x.v);
  };
  if (!v) return out;
  if (v.t === 'tuple') v.items.forEach(add);
  else if (v.t === 'dict') for (const [k, val] of v.entries) (add(k), add(val));
  else add(v);
  return out;
}

/** Keeps the first distinct string constants, clipped (the reviewer reads them; the pickle is never run). */
function noteString(out: PickleScan, text: string): void {
  if (out.strings.length >= MAX_STRINGS) return;
  const shown = text.length > MAX_STRING_CHARS ? `${text.slice(0, MAX_STRING_CHARS - 1)}…` : text;
  if (!out.strings.includes(shown)) out.strings.push(shown);
}

function targetOf(v: PVal | undefined): { module: string; name: string } | undefined {
  if (v?.t === 'global') return { module: v.module, name: v.name };
  return undefined;
}

/** Scans a byte stream holding one or more concatenated pickles. Never throws. */
export function scanPickle(bytes: Uint8Array, options: PickleScanOptions = {}): PickleScan {
  const limits: PickleScanLimits = { ...DEFAULT_PICKLE_LIMITS, ...options.limits };
  const maxPickles = Math.min(options.maxPickles ?? limits.maxPickles, limits.maxPickles);
  const out: PickleScan = { globals: [], calls: [], listing: [], strings: [], pickles: 0, protocol: 0, opcodes: 0, end: 0 };
  // Module attribute writes survive across pickles loaded in the same process.
  const overrides = new Map<string, PVal>();
  const budget = { opcodes: 0 };

  let pos = 0;
  while (pos < bytes.length && out.pickles < maxPickles) {
    const result = scanOne(bytes, pos, out.pickles, limits, budget, overrides, out);
    if (result.ok) {
      out.pickles++;
      pos = result.end;
      out.end = result.end;
      continue;
    }
    if (out.pickles === 0) out.error = { message: result.message, offset: result.offset };
    else out.trailing = { offset: pos, length: bytes.length - pos, reason: result.message };
    break;
  }
  if (!out.error && !out.trailing && pos < bytes.length) {
    out.trailing = { offset: pos, length: bytes.length - pos, reason: `not read: stopped after ${out.pickles} pickles` };
  }
  if (bytes.length === 0) out.error = { message: 'empty data', offset: 0 };
  out.opcodes = budget.opcodes;
  demoteMisusedSafeGlobals(out);
  return out;
}

/**
 * Known-safe is about a name as the library defines it. It no longer holds when the pickle uses the name otherwise:
 *  - a class safe only when pickle rebuilds it without arguments (XGBoost / LightGBM Booster: `model_file=` reads a
 *    file) that the pickle calls directly with arguments (REDUCE, INST, OBJ);
 *  - a name from a module whose attributes the pickle overwrites with BUILD (picklescan's sys_module_override PoC
 *    turns torch._utils._rebuild_tensor into builtins.eval that way).
 */
function demoteMisusedSafeGlobals(out: PickleScan): void {
  const called = new Set(out.calls.filter((c) => c.target && c.opcode !== 'BUILD' && c.opcode !== 'NEWOBJ' && c.opcode !== 'NEWOBJ_EX').map((c) => `${c.target!.module}.${c.target!.name}`));
  const overwritten = new Set<string>();
  for (const c of out.calls) if (c.setsAttributes?.length && c.target) overwritten.add(`${c.target.module}.${c.target.name}`).add(c.target.module);
  for (const g of out.globals) {
    if (g.class !== 'safe') continue;
    const full = `${g.module}.${g.name}`;
    const reason = overwritten.has(g.module) || overwritten.has(full) ? 'module attributes overwritten by the pickle' : g.level === 'reconstruct' && called.has(full) ? 'called with arguments' : undefined;
    if (!reason) continue;
    g.class = 'unknown';
    g.severity = 'medium';
    g.rule = `${g.rule} (${reason})`;
    delete g.level;
  }
}

type OneResult = { ok: true; end: number } | { ok: false; message: string; offset: number };

function scanOne(
  bytes: Uint8Array,
  start: number,
  pickleIndex: number,
  limits: PickleScanLimits,
  budget: { opcodes: number },
  overrides: Map<string, PVal>,
  out: PickleScan,
): OneResult {
  const stack: PVal[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PVal>();
  let pos = start;
  let at = start;

  const addGlobal = (module: string, name: string, offset: number, opcode: GlobalOpcode, unresolved = false) => {
    if (out.globals.length >= limits.maxRecords) {
      out.truncated = true;
      return;
    }
    const verdict = unresolved ? { class: 'dangerous' as const, severity: 'high' as const, rule: undefined } : classifyGlobal(module, name);
    const g: PickleGlobal = { module, name, offset, opcode, class: verdict.class, severity: verdict.severity, pickleIndex };
    if (verdict.rule) g.rule = verdict.rule;
    if (verdict.level) g.level = verdict.level;
    if (unresolved) g.unresolved = true;
    out.globals.push(g);
  };
  const addCall = (opcode: CallOpcode, offset: number, callee: PVal | undefined, args: PVal | undefined, setsAttributes?: string[]) => {
    if (out.calls.length >= limits.maxRecords) {
      out.truncated = true;
      return;
    }
    const c: PickleCall = { opcode, offset, pickleIndex, stringArgs: stringArgs(args) };
    const target = targetOf(callee) ?? (callee?.t === 'obj' ? callee.cls : undefined);
    if (target && (opcode !== 'BUILD' || callee?.t === 'obj' || setsAttributes)) c.target = target;
    if (setsAttributes && setsAttributes.length > 0) c.setsAttributes = setsAttributes;
    out.calls.push(c);
  };
  const push = (v: PVal) => {
    if (stack.length >= limits.maxStackDepth) throw new LimitError(`stack deeper than ${limits.maxStackDepth}`);
    stack.push(v);
  };
  const pop = (): PVal => {
    const floor = marks.length > 0 ? marks[marks.length - 1] : 0;
    if (stack.length <= floor) throw new PickleError('unpickling stack underflow', at);
    return stack.pop() as PVal;
  };
  const top = (): PVal => {
    const floor = marks.length > 0 ? marks[marks.length - 1] : 0;
    if (stack.length <= floor) throw new PickleError('unpickling stack underflow', at);
    return stack[stack.length - 1];
  };
  const popMark = (): PVal[] => {
    const m = marks.pop();
    if (m === undefined) throw new PickleError('could not find MARK', at);
    return stack.splice(m);
  };
  const memoPut = (key: number) => {
    if (!memo.has(key) && memo.size >= limits.maxMemo) throw new LimitError(`memo larger than ${limits.maxMemo} entries`);
    memo.set(key, top());
  };
  const resolveGlobal = (module: string, name: string): PVal => overrides.get(`${module}.${name}`) ?? { t: 'global', module, name };

  try {
    for (;;) {
      if (++budget.opcodes > limits.maxOpcodes) throw new LimitError(`more than ${limits.maxOpcodes} opcodes`);
      at = pos;
      const op = decodeOp(bytes, pos, limits);
      pos = op.end;
      if (out.listing.length < MAX_LISTING) out.listing.push(listingLine(op));
      switch (op.info.name) {
        case 'PROTO': {
          const v = op.int ?? 0;
          if (v > HIGHEST_PROTOCOL) throw new PickleError(`unsupported pickle protocol ${v}`, at);
          out.protocol = Math.max(out.protocol, v);
          break;
        }
        case 'FRAME':
          if ((op.int ?? 0) > bytes.length - pos) throw new PickleError('FRAME longer than the remaining data', at);
          break;
        case 'STOP':
          pop();
          return { ok: true, end: pos };
        case 'MARK':
          if (marks.length >= limits.maxStackDepth) throw new LimitError(`more than ${limits.maxStackDepth} marks`);
          marks.push(stack.length);
          break;
        case 'POP':
          // CPython: POP on an empty frame above a MARK discards the mark.
          if (stack.length > (marks.length > 0 ? marks[marks.length - 1] : 0)) stack.pop();
          else popMark();
          break;
        case 'POP_MARK':
          popMark();
          break;
        case 'DUP':
          push(top());
          break;
        // --- scalars and strings
        case 'INT':
        case 'BININT':
        case 'BININT1':
        case 'BININT2':
        case 'LONG':
        case 'LONG1':
        case 'LONG4':
        case 'FLOAT':
        case 'BINFLOAT':
        case 'NONE':
        case 'NEWTRUE':
        case 'NEWFALSE':
          push(SCALAR);
          break;
        case 'STRING':
        case 'BINSTRING':
        case 'SHORT_BINSTRING':
        case 'UNICODE':
        case 'BINUNICODE':
        case 'SHORT_BINUNICODE':
        case 'BINUNICODE8':
          noteString(out, op.text ?? '');
          push(op.truncated ? { t: 'str', v: op.text ?? '', truncated: true } : { t: 'str', v: op.text ?? '' });
          break;
        case 'BINBYTES':
        case 'SHORT_BINBYTES':
        case 'BINBYTES8':
        case 'BYTEARRAY8':
        case 'NEXT_BUFFER':
          push(OTHER);
          break;
        case 'READONLY_BUFFER':
          top();
          break;
        // --- containers
        case 'EMPTY_LIST':
        case 'EMPTY_SET':
          push(OTHER);
          break;
        case 'EMPTY_DICT':
          push({ t: 'dict', entries: [] });
          break;
        case 'EMPTY_TUPLE':
          push({ t: 'tuple', items: [] });
          break;
        case 'LIST':
        case 'FROZENSET':
          popMark();
          push(OTHER);
          break;
        case 'TUPLE':
          push({ t: 'tuple', items: take(popMark()) });
          break;
        case 'TUPLE1':
        case 'TUPLE2':
        case 'TUPLE3': {
          const n = op.info.name === 'TUPLE1' ? 1 : op.info.name === 'TUPLE2' ? 2 : 3;
          const items: PVal[] = [];
          for (let i = 0; i < n; i++) items.unshift(pop());
          push({ t: 'tuple', items });
          break;
        }
        case 'DICT': {
          const items = popMark();
          const d: PVal = { t: 'dict', entries: [] };
          for (let i = 0; i + 1 < items.length && d.entries.length < MAX_TRACKED_ITEMS; i += 2) d.entries.push([items[i], items[i + 1]]);
          push(d);
          break;
        }
        case 'APPEND':
          pop();
          top();
          break;
        case 'APPENDS':
        case 'ADDITEMS':
          popMark();
          top();
          break;
        case 'SETITEM': {
          const v = pop();
          const k = pop();
          const d = top();
          if (d.t === 'dict' && d.entries.length < MAX_TRACKED_ITEMS) d.entries.push([k, v]);
          break;
        }
        case 'SETITEMS': {
          const items = popMark();
          const d = top();
          if (d.t === 'dict') {
            for (let i = 0; i + 1 < items.length && d.entries.length < MAX_TRACKED_ITEMS; i += 2) d.entries.push([items[i], items[i + 1]]);
          }
          break;
        }
        // --- memo
        case 'PUT':
        case 'BINPUT':
        case 'LONG_BINPUT':
          memoPut(op.int ?? Number.NaN);
          break;
        case 'MEMOIZE':
          memoPut(memo.size);
          break;
        case 'GET':
        case 'BINGET':
        case 'LONG_BINGET': {
          const v = memo.get(op.int ?? Number.NaN);
          if (v === undefined) throw new PickleError(`memo value ${op.text?.trim() ?? op.int} not found`, at);
          push(v);
          break;
        }
        // --- imports
        case 'GLOBAL': {
          const module = op.text ?? '';
          const name = op.text2 ?? '';
          addGlobal(module, name, at, 'GLOBAL');
          push(resolveGlobal(module, name));
          break;
        }
        case 'STACK_GLOBAL': {
          const nameV = pop();
          const moduleV = pop();
          if (moduleV.t === 'str' && nameV.t === 'str' && !moduleV.truncated && !nameV.truncated) {
            addGlobal(moduleV.v, nameV.v, at, 'STACK_GLOBAL');
            push(resolveGlobal(moduleV.v, nameV.v));
          } else {
            addGlobal(describe(moduleV), describe(nameV), at, 'STACK_GLOBAL', true);
            push(OTHER);
          }
          break;
        }
        case 'EXT1':
        case 'EXT2':
        case 'EXT4':
          // copyreg extension registry of the *loading* process: cannot be resolved from the file.
          addGlobal('?', `extension code ${op.int}`, at, op.info.name as GlobalOpcode, true);
          push(OTHER);
          break;
        case 'INST': {
          const module = op.text ?? '';
          const name = op.text2 ?? '';
          addGlobal(module, name, at, 'INST');
          const args = popMark();
          const cls = resolveGlobal(module, name);
          addCall('INST', at, cls, { t: 'tuple', items: take(args) });
          push({ t: 'obj', cls: targetOf(cls) });
          break;
        }
        // --- calls
        case 'REDUCE': {
          const args = pop();
          const callee = pop();
          addCall('REDUCE', at, callee, args);
          push({ t: 'obj', cls: targetOf(callee) });
          break;
        }
        case 'NEWOBJ': {
          const args = pop();
          const cls = pop();
          addCall('NEWOBJ', at, cls, args);
          push({ t: 'obj', cls: targetOf(cls) });
          break;
        }
        case 'NEWOBJ_EX': {
          pop(); // kwargs
          const args = pop();
          const cls = pop();
          addCall('NEWOBJ_EX', at, cls, args);
          push({ t: 'obj', cls: targetOf(cls) });
          break;
        }
        case 'OBJ': {
          const items = popMark();
          if (items.length === 0) throw new PickleError('OBJ without a class', at);
          const cls = items[0];
          addCall('OBJ', at, cls, { t: 'tuple', items: take(items.slice(1)) });
          push({ t: 'obj', cls: targetOf(cls) });
          break;
        }
        case 'BUILD': {
          const state = pop();
          const obj = top();
          let sets: string[] | undefined;
          if (obj.t === 'global') {
            // __setstate__-less objects get state merged into __dict__ (and slot state set as attributes):
            // on a module or class that rewrites what later imports of `module.name.attr` return.
            sets = [];
            const dicts = state.t === 'dict' ? [state] : state.t === 'tuple' ? state.items.filter((i) => i.t === 'dict') : [];
            for (const d of dicts) {
              if (d.t !== 'dict') continue;
              for (const [k, v] of d.entries) {
                if (k.t !== 'str') continue;
                sets.push(k.v);
                overrides.set(`${obj.module}.${obj.name}.${k.v}`, v);
              }
            }
          }
          addCall('BUILD', at, obj, state, sets);
          break;
        }
        case 'PERSID':
          push(OTHER);
          break;
        case 'BINPERSID':
          pop();
          push(OTHER);
          break;
        default:
          throw new PickleError(`unhandled opcode ${op.info.name}`, at);
      }
    }
  } catch (err) {
    if (err instanceof PickleError) return { ok: false, message: err.message, offset: err.offset };
    if (err instanceof LimitError) return { ok: false, message: `limit: ${err.message} (at byte ${at})`, offset: at };
    if (err instanceof RangeError) return { ok: false, message: `limit: ${err.message} (at byte ${at})`, offset: at };
    return { ok: false, message: err instanceof Error ? err.message : String(err), offset: at };
  }
}

function describe(v: PVal): string {
  switch (v.t) {
    case 'str':
      return v.truncated ? `${v.v.slice(0, 64)}…` : v.v;
    case 'global':
      return `<${v.module}.${v.name}>`;
    case 'obj':
      return v.cls ? `<result of ${v.cls.module}.${v.cls.name}>` : '<computed>';
    default:
      return '<computed>';
  }
}
