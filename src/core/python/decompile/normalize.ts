/**
 * Turns one version's instructions into a small version-neutral op list: names and constants resolved
 * from the code object, no-op and cache instructions dropped, and the multi-instruction idioms of newer
 * compilers folded into one op (3.12+ `COPY 1; POP_JUMP_IF_X; POP_TOP` = the old `JUMP_IF_X_OR_POP`,
 * `DUP_TOP; ROT_THREE; COMPARE_OP` = one step of a comparison chain). Where versions give one opname
 * different stack effects, the op gets a name of its own (`MAP_ADD_KEY_ON_TOP`, `CALL_PACKED`,
 * `MAKE_FUNCTION_FLAGS` …), and what the ops cannot say is in CompilerFacts: the decompiler's version checks
 * all live in this file.
 */
import type { CodeObject, Instruction, PyValue } from '../objects';
import { getOpcodeTable } from '../opcodes';
import { versionNumber } from '../disassemble';

export interface Op {
  /** Offset of the (first) original instruction. */
  off: number;
  /** Normalised name: one per stack effect, the same in every version (the handlers in decompile/ops/). */
  op: string;
  /** Numeric argument after decoding (counts, flags). */
  n: number;
  /** Name argument (variables, attributes, operators). */
  s: string;
  /** Constant argument. */
  v: PyValue | undefined;
  /** Jump target offset. */
  target: number | undefined;
  /** Jump sense: jump when the value is truthy (true) or falsy (false). */
  sense: boolean | undefined;
  /** LOAD_GLOBAL with the 3.11+ low bit also pushes the NULL of the call protocol: below the global
   *  (3.11–3.12) or above it (3.13+). */
  nullPush: 'before' | 'after' | undefined;
  /** MAKE_FUNCTION_FLAGS / _COUNTS: the function's qualified name is on the stack above its code (3.3–3.10). */
  qualname: boolean;
  /** The original opname, for messages. */
  orig: string;
}

/** What the compiler that wrote the code did, where the op stream alone does not say. */
export interface CompilerFacts {
  /** A conditional jump over a backward jump to the loop head at the start of a loop body: `if c: continue`
   *  up to 3.11; 3.12+ compiles `if c: rest` (and comprehension filters) to the same shape. */
  skipJumpIsContinue: boolean;
  /** The docstring constant of a function, or undefined (3.14+ flags it with CO_HAS_DOCSTRING). */
  docstring(code: CodeObject): PyValue | undefined;
  /** Python 2 records an explicit `return None` by putting 'None' in co_names. */
  explicitReturnNone(code: CodeObject): boolean;
}

const CO_HAS_DOCSTRING = 0x4000000;

export function compilerFacts(version: string): CompilerFacts {
  const vn = versionNumber(version);
  return {
    skipJumpIsContinue: vn <= 311,
    docstring(code) {
      const first = code.consts[0];
      if (first === undefined) return undefined;
      if (vn >= 314) return (code.flags & CO_HAS_DOCSTRING) !== 0 ? first : undefined;
      return first.type === 'str' || (vn < 300 && first.type === 'bytes') ? first : undefined;
    },
    explicitReturnNone: (code) => vn < 300 && code.names.includes('None'),
  };
}

const DROP = new Set([
  'NOP',
  'RESUME',
  'RESUME_CHECK',
  'CACHE',
  'EXTENDED_ARG',
  'PRECALL',
  'NOT_TAKEN',
  'COPY_FREE_VARS',
  'MAKE_CELL',
  'TO_BOOL',
  'SETUP_ANNOTATIONS',
  'INSTRUMENTED_LINE',
  'GEN_START',
  // Python ≤3.7 loop blocks: a for statement is recognised from FOR_ITER alone; `break` still stops us.
  'SETUP_LOOP',
  'POP_BLOCK',
]);

const BINARY_NAMES: Record<string, string> = {
  ADD: '+',
  SUBTRACT: '-',
  MULTIPLY: '*',
  DIVIDE: '/',
  TRUE_DIVIDE: '/',
  FLOOR_DIVIDE: '//',
  MODULO: '%',
  POWER: '**',
  LSHIFT: '<<',
  RSHIFT: '>>',
  AND: '&',
  OR: '|',
  XOR: '^',
  MATRIX_MULTIPLY: '@',
};

export function normalize(code: CodeObject, instrs: Instruction[], version: string): Op[] {
  const vn = versionNumber(version);
  const table = getOpcodeTable(version) ?? getOpcodeTable('3.14');
  const cmpOps = table?.data.cmp_op ?? ['<', '<=', '==', '!=', '>', '>=', 'in', 'not in', 'is', 'is not', 'exception match'];
  const nbOps = table?.data.nb_ops ?? [];
  const common = table?.data.dis_common_constants ?? [];
  const localNames = vn >= 311 ? (code.localsplusnames ?? code.varnames) : code.varnames;
  const derefNames = vn >= 311 ? (code.localsplusnames ?? [...code.cellvars, ...code.freevars]) : [...code.cellvars, ...code.freevars];
  const out: Op[] = [];
  const nm = (i: number): string => code.names[i] ?? `__name_${i}`;
  const loc = (i: number): string => localNames[i] ?? `__local_${i}`;
  const der = (i: number): string => derefNames[i] ?? `__cell_${i}`;
  const cst = (i: number): PyValue => code.consts[i] ?? { type: 'none' };
  const targetOf = (ins: Instruction): number => (ins.jumpTarget ?? (typeof ins.argval === 'number' ? ins.argval : -1));

  // Offsets of dropped instructions, so jumps to them can be moved to the next op that stays.
  const dropped: number[] = [];
  for (const ins of instrs) {
    const name = ins.opname;
    const a = ins.arg ?? 0;
    const emit = (op: string, s = '', n = a): Op => add(out, ins, op, s, n);
    const jump = (op: string, sense: boolean | undefined, s = ''): void => {
      const o = add(out, ins, op, s, a);
      o.sense = sense;
      o.target = targetOf(ins);
    };
    if (DROP.has(name)) {
      dropped.push(ins.offset);
      continue;
    }
    if (name.startsWith('BINARY_') && BINARY_NAMES[name.slice(7)]) {
      emit('BINOP', BINARY_NAMES[name.slice(7)]);
      continue;
    }
    if (name.startsWith('INPLACE_') && BINARY_NAMES[name.slice(8)]) {
      emit('BINOP', BINARY_NAMES[name.slice(8)] + '=');
      continue;
    }
    switch (name) {
      case 'LOAD_CONST':
      case 'LOAD_CONST_IMMORTAL':
      case 'LOAD_CONST_MORTAL':
        emit('CONST').v = cst(a);
        break;
      case 'LOAD_SMALL_INT':
        emit('CONST').v = { type: 'int', value: BigInt(a) };
        break;
      case 'RETURN_CONST':
        emit('CONST').v = cst(a);
        emit('RETURN_VALUE');
        break;
      case 'LOAD_COMMON_CONSTANT': {
        const text = common[a] ?? `__common_${a}`;
        const m = /^<built-in function (\w+)>$/.exec(text);
        emit('LOAD_GLOBAL', m ? m[1] : text);
        break;
      }
      case 'LOAD_ASSERTION_ERROR':
        emit('LOAD_GLOBAL', 'AssertionError');
        break;
      case 'LOAD_FAST':
      case 'LOAD_FAST_CHECK':
      case 'LOAD_FAST_BORROW':
        emit('LOAD_FAST', loc(a));
        break;
      case 'LOAD_FAST_LOAD_FAST':
      case 'LOAD_FAST_BORROW_LOAD_FAST_BORROW':
        emit('LOAD_FAST', loc(a >> 4));
        emit('LOAD_FAST', loc(a & 15));
        break;
      case 'STORE_FAST_LOAD_FAST':
        emit('STORE_FAST', loc(a >> 4));
        emit('LOAD_FAST', loc(a & 15));
        break;
      case 'STORE_FAST_STORE_FAST':
        emit('STORE_FAST', loc(a >> 4));
        emit('STORE_FAST', loc(a & 15));
        break;
      case 'LOAD_FAST_AND_CLEAR':
      case 'STORE_FAST':
      case 'DELETE_FAST':
        emit(name, loc(a));
        break;
      case 'LOAD_DEREF':
      case 'LOAD_CLASSDEREF':
      case 'LOAD_FROM_DICT_OR_DEREF':
        emit('LOAD_DEREF', der(a));
        break;
      case 'LOAD_CLOSURE':
        emit('LOAD_CLOSURE', der(a));
        break;
      case 'STORE_DEREF':
      case 'DELETE_DEREF':
        emit(name, der(a));
        break;
      case 'LOAD_GLOBAL':
        if (vn >= 311) {
          const o = emit('LOAD_GLOBAL', nm(a >> 1));
          if (a & 1) o.nullPush = vn >= 313 ? 'after' : 'before';
        } else emit('LOAD_GLOBAL', nm(a));
        break;
      case 'LOAD_NAME':
      case 'LOAD_FROM_DICT_OR_GLOBALS':
        emit('LOAD_GLOBAL', nm(a));
        break;
      case 'STORE_GLOBAL':
      case 'STORE_NAME':
      case 'STORE_ATTR':
      case 'DELETE_ATTR':
      case 'DELETE_GLOBAL':
      case 'DELETE_NAME':
      case 'IMPORT_NAME':
      case 'IMPORT_FROM':
        emit(name, nm(a));
        break;
      case 'LOAD_ATTR':
        if (vn >= 312) emit((a & 1) === 1 ? 'LOAD_METHOD' : 'LOAD_ATTR', nm(a >> 1));
        else emit('LOAD_ATTR', nm(a));
        break;
      case 'LOAD_METHOD':
        emit('LOAD_METHOD', nm(a));
        break;
      case 'COMPARE_OP': {
        const idx = vn >= 313 ? a >> 5 : vn >= 312 ? a >> 4 : a;
        emit('COMPARE', cmpOps[idx] ?? `<cmp ${a}>`);
        break;
      }
      case 'IS_OP':
        emit('COMPARE', a ? 'is not' : 'is');
        break;
      case 'CONTAINS_OP':
        emit('COMPARE', a ? 'not in' : 'in');
        break;
      case 'BINARY_OP': {
        const sym = nbOps[a]?.[1] ?? `<op ${a}>`;
        if (sym === '[]') emit('BINARY_SUBSCR');
        else emit('BINOP', sym);
        break;
      }
      case 'UNARY_NEGATIVE':
        emit('UNARY', '-');
        break;
      case 'UNARY_POSITIVE':
        emit('UNARY', '+');
        break;
      case 'UNARY_INVERT':
        emit('UNARY', '~');
        break;
      case 'UNARY_NOT':
        emit('UNARY', 'not');
        break;
      case 'CALL_INTRINSIC_1': {
        const desc = table?.data.intrinsic_1_descs?.[a] ?? '';
        if (desc === 'INTRINSIC_UNARY_POSITIVE') emit('UNARY', '+');
        else if (desc === 'INTRINSIC_LIST_TO_TUPLE') emit('LIST_TO_TUPLE');
        else emit('INTRINSIC', desc || String(a));
        break;
      }
      // Jumps: unconditional, popping conditional, keeping conditional.
      case 'JUMP_FORWARD':
      case 'JUMP_ABSOLUTE':
      case 'JUMP_BACKWARD':
      case 'JUMP_BACKWARD_NO_INTERRUPT':
      case 'JUMP':
      case 'JUMP_NO_INTERRUPT':
        jump('JUMP', undefined);
        break;
      case 'POP_JUMP_IF_FALSE':
      case 'POP_JUMP_FORWARD_IF_FALSE':
      case 'POP_JUMP_BACKWARD_IF_FALSE':
        jump('PJ', false);
        break;
      case 'POP_JUMP_IF_TRUE':
      case 'POP_JUMP_FORWARD_IF_TRUE':
      case 'POP_JUMP_BACKWARD_IF_TRUE':
        jump('PJ', true);
        break;
      case 'POP_JUMP_IF_NONE':
      case 'POP_JUMP_FORWARD_IF_NONE':
      case 'POP_JUMP_BACKWARD_IF_NONE':
        jump('PJ', true, 'is');
        break;
      case 'POP_JUMP_IF_NOT_NONE':
      case 'POP_JUMP_FORWARD_IF_NOT_NONE':
      case 'POP_JUMP_BACKWARD_IF_NOT_NONE':
        jump('PJ', true, 'is not');
        break;
      case 'JUMP_IF_FALSE_OR_POP':
        jump('JK', false);
        break;
      case 'JUMP_IF_TRUE_OR_POP':
        jump('JK', true);
        break;
      // 3.0: JUMP_IF_X leaves the value; the compiler follows with POP_TOP on both paths.
      case 'JUMP_IF_FALSE':
        jump('JK', false);
        emit('POP_TOP');
        break;
      case 'JUMP_IF_TRUE':
        jump('JK', true);
        emit('POP_TOP');
        break;
      case 'FOR_ITER':
        jump('FOR_ITER', undefined);
        break;
      // 3.13+: a loop exit is END_FOR; POP_TOP, the POP_TOP dropping the iterator (3.14's POP_ITER).
      case 'POP_TOP':
        emit(vn >= 313 && out[out.length - 1]?.op === 'END_FOR' ? 'POP_ITER' : 'POP_TOP');
        break;
      case 'SLICE+0':
      case 'SLICE+1':
      case 'SLICE+2':
      case 'SLICE+3':
        emit('PY2SLICE', '', Number(name.slice(6)));
        break;
      case 'STORE_SLICE+0':
      case 'STORE_SLICE+1':
      case 'STORE_SLICE+2':
      case 'STORE_SLICE+3':
        emit('UNSUPPORTED');
        break;
      // Python 2 keeps an explicit None step (`x[a:b:]` is BUILD_SLICE 3 there; SLICE+n is the plain form).
      case 'BUILD_SLICE':
        emit(vn < 300 ? 'BUILD_SLICE_PY2' : 'BUILD_SLICE');
        break;
      // ≤3.4: BUILD_MAP's argument is a size hint; the items follow as STORE_MAP.
      case 'BUILD_MAP':
        emit('BUILD_MAP', '', vn < 305 ? 0 : a);
        break;
      // ≤3.7 pushes the value, then the key.
      case 'MAP_ADD':
        emit(vn < 308 ? 'MAP_ADD_KEY_ON_TOP' : 'MAP_ADD');
        break;
      // ≤3.5: the argument packs positional and keyword counts; *args / **kwargs ride on top.
      case 'CALL_FUNCTION':
      case 'CALL_FUNCTION_VAR':
      case 'CALL_FUNCTION_KW':
      case 'CALL_FUNCTION_VAR_KW':
        emit(vn < 306 ? name.replace('CALL_FUNCTION', 'CALL_PACKED') : name);
        break;
      // 3.11+: the NULL of the call protocol; 3.14+: the kwargs slot is always there (NULL when empty).
      case 'CALL_FUNCTION_EX':
        emit(vn >= 314 ? 'CALL_FUNCTION_EX_KWSLOT' : vn >= 311 ? 'CALL_FUNCTION_EX_NULL' : 'CALL_FUNCTION_EX');
        break;
      // 3.13+: the code object alone (SET_FUNCTION_ATTRIBUTE adds the rest); 3.6–3.12: flag bits; ≤3.5: counts.
      case 'MAKE_FUNCTION':
      case 'MAKE_CLOSURE':
        if (vn >= 313) emit('MAKE_FUNCTION');
        else if (vn >= 306) emit('MAKE_FUNCTION_FLAGS').qualname = vn <= 310;
        else emit(name === 'MAKE_CLOSURE' ? 'MAKE_CLOSURE_COUNTS' : 'MAKE_FUNCTION_COUNTS').qualname = vn >= 303;
        break;
      default:
        emit(name);
    }
  }
  if (dropped.length) {
    const kept = out.map((o) => o.off);
    const forward = new Map<number, number>();
    let k = 0;
    for (const d of dropped) {
      while (k < kept.length && kept[k] < d) k++;
      if (k < kept.length) forward.set(d, kept[k]);
    }
    for (const o of out) if (o.target !== undefined && forward.has(o.target)) o.target = forward.get(o.target);
  }
  return fuse(out, vn);
}

/** Appends an op. Every op gets every field (one object shape for the executor's hot loop). */
function add(out: Op[], ins: Instruction, op: string, s: string, n: number): Op {
  const o: Op = { off: ins.offset, op, n, s, v: undefined, target: undefined, sense: undefined, nullPush: undefined, qualname: false, orig: ins.opname };
  out.push(o);
  return o;
}

/** A copy of an op under another name (and offset). */
function renamed(o: Op, op: string, off = o.off): Op {
  return { off, op, n: o.n, s: o.s, v: o.v, target: o.target, sense: o.sense, nullPush: o.nullPush, qualname: o.qualname, orig: o.orig };
}

/** Folds the multi-instruction idioms (see the module comment). */
function fuse(ops: Op[], vn: number): Op[] {
  const out: Op[] = [];
  for (let i = 0; i < ops.length; i++) {
    const o = ops[i];
    const n1 = ops[i + 1];
    const n2 = ops[i + 2];
    // Comparison-chain step: keep the middle operand for the next comparison.
    if (
      ((o.op === 'DUP_TOP' && n1?.op === 'ROT_THREE') || (o.op === 'SWAP' && o.n === 2 && n1?.op === 'COPY' && n1.n === 2)) &&
      n2?.op === 'COMPARE'
    ) {
      out.push(renamed(n2, 'CHAIN_COMPARE', o.off));
      i += 2;
      continue;
    }
    // 3.12+: COPY 1; POP_JUMP_IF_X T; POP_TOP == JUMP_IF_X_OR_POP T (the value stays on the jump path).
    if (vn >= 312 && o.op === 'COPY' && o.n === 1 && n1?.op === 'PJ' && n1.s === '' && n2?.op === 'POP_TOP') {
      out.push(renamed(n1, 'JK', o.off));
      // The POP_TOP may itself be a jump target (3.14 `a and b or c`); keep a marker op for it.
      out.push(renamed(n2, 'POP_TOP_FALL'));
      i += 2;
      continue;
    }
    out.push(o);
  }
  // A keep-jump into a POP_TOP is a popping jump to the instruction after it (what CPython ≤3.11's
  // peephole pass did itself).
  const byOff = new Map<number, number>();
  out.forEach((o, i) => byOff.set(o.off, i));
  for (const o of out) {
    if (o.op !== 'JK' || o.target === undefined) continue;
    let idx = byOff.get(o.target);
    let guard = 0;
    while (idx !== undefined && (out[idx].op === 'POP_TOP' || out[idx].op === 'POP_TOP_FALL') && guard++ < 4) {
      const nxt = out[idx + 1];
      if (!nxt) break;
      o.op = 'PJ';
      o.s = '';
      o.target = nxt.off;
      idx = undefined;
    }
  }
  return out;
}
