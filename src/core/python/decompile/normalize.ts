/**
 * Turns one version's instructions into a small version-neutral op list: names and constants resolved
 * from the code object, no-op and cache instructions dropped, and the multi-instruction idioms of newer
 * compilers folded into one op (3.12+ `COPY 1; POP_JUMP_IF_X; POP_TOP` = the old `JUMP_IF_X_OR_POP`,
 * `DUP_TOP; ROT_THREE; COMPARE_OP` = one step of a comparison chain).
 */
import type { CodeObject, Instruction, PyValue } from '../objects';
import { getOpcodeTable } from '../opcodes';
import { versionNumber } from '../disassemble';

export interface Op {
  /** Offset of the (first) original instruction. */
  off: number;
  /** Normalised name (see the switch in exec.ts). */
  op: string;
  /** Numeric argument after decoding (counts, flags). */
  n: number;
  /** Name argument (variables, attributes, operators). */
  s: string;
  /** Constant argument. */
  v?: PyValue;
  /** Jump target offset. */
  target?: number;
  /** Jump sense: jump when the value is truthy (true) or falsy (false). */
  sense?: boolean;
  /** LOAD_GLOBAL / LOAD_ATTR with the 3.11+/3.12+ low bit: also pushes NULL (or self). */
  flag?: boolean;
  /** The original opname, for messages. */
  orig: string;
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
    const base = { off: ins.offset, n: a, s: '', orig: name };
    const push = (o: Partial<Op> & { op: string }): void => {
      out.push({ ...base, ...o });
    };
    if (DROP.has(name)) {
      dropped.push(ins.offset);
      continue;
    }
    if (name.startsWith('BINARY_') && BINARY_NAMES[name.slice(7)]) {
      push({ op: 'BINOP', s: BINARY_NAMES[name.slice(7)] });
      continue;
    }
    if (name.startsWith('INPLACE_') && BINARY_NAMES[name.slice(8)]) {
      push({ op: 'BINOP', s: BINARY_NAMES[name.slice(8)] + '=' });
      continue;
    }
    switch (name) {
      case 'LOAD_CONST':
      case 'LOAD_CONST_IMMORTAL':
      case 'LOAD_CONST_MORTAL':
        push({ op: 'CONST', v: cst(a) });
        break;
      case 'LOAD_SMALL_INT':
        push({ op: 'CONST', v: { type: 'int', value: BigInt(a) } });
        break;
      case 'RETURN_CONST':
        push({ op: 'CONST', v: cst(a) });
        push({ op: 'RETURN_VALUE' });
        break;
      case 'LOAD_COMMON_CONSTANT': {
        const text = common[a] ?? `__common_${a}`;
        const m = /^<built-in function (\w+)>$/.exec(text);
        push({ op: 'LOAD_GLOBAL', s: m ? m[1] : text });
        break;
      }
      case 'LOAD_ASSERTION_ERROR':
        push({ op: 'LOAD_GLOBAL', s: 'AssertionError' });
        break;
      case 'LOAD_FAST':
      case 'LOAD_FAST_CHECK':
      case 'LOAD_FAST_BORROW':
        push({ op: 'LOAD_FAST', s: loc(a) });
        break;
      case 'LOAD_FAST_LOAD_FAST':
      case 'LOAD_FAST_BORROW_LOAD_FAST_BORROW':
        push({ op: 'LOAD_FAST', s: loc(a >> 4) });
        push({ op: 'LOAD_FAST', s: loc(a & 15) });
        break;
      case 'STORE_FAST_LOAD_FAST':
        push({ op: 'STORE_FAST', s: loc(a >> 4) });
        push({ op: 'LOAD_FAST', s: loc(a & 15) });
        break;
      case 'STORE_FAST_STORE_FAST':
        push({ op: 'STORE_FAST', s: loc(a >> 4) });
        push({ op: 'STORE_FAST', s: loc(a & 15) });
        break;
      case 'LOAD_FAST_AND_CLEAR':
      case 'STORE_FAST':
      case 'DELETE_FAST':
        push({ op: name, s: loc(a) });
        break;
      case 'LOAD_DEREF':
      case 'LOAD_CLASSDEREF':
      case 'LOAD_FROM_DICT_OR_DEREF':
        push({ op: 'LOAD_DEREF', s: der(a) });
        break;
      case 'LOAD_CLOSURE':
        push({ op: 'LOAD_CLOSURE', s: der(a) });
        break;
      case 'STORE_DEREF':
      case 'DELETE_DEREF':
        push({ op: name, s: der(a) });
        break;
      case 'LOAD_GLOBAL':
        if (vn >= 311) push({ op: 'LOAD_GLOBAL', s: nm(a >> 1), flag: (a & 1) === 1 });
        else push({ op: 'LOAD_GLOBAL', s: nm(a) });
        break;
      case 'LOAD_NAME':
      case 'LOAD_FROM_DICT_OR_GLOBALS':
        push({ op: 'LOAD_GLOBAL', s: nm(a) });
        break;
      case 'STORE_GLOBAL':
      case 'STORE_NAME':
      case 'STORE_ATTR':
      case 'DELETE_ATTR':
      case 'DELETE_GLOBAL':
      case 'DELETE_NAME':
      case 'IMPORT_NAME':
      case 'IMPORT_FROM':
        push({ op: name, s: nm(a) });
        break;
      case 'LOAD_ATTR':
        if (vn >= 312) push({ op: (a & 1) === 1 ? 'LOAD_METHOD' : 'LOAD_ATTR', s: nm(a >> 1) });
        else push({ op: 'LOAD_ATTR', s: nm(a) });
        break;
      case 'LOAD_METHOD':
        push({ op: 'LOAD_METHOD', s: nm(a) });
        break;
      case 'COMPARE_OP': {
        const idx = vn >= 313 ? a >> 5 : vn >= 312 ? a >> 4 : a;
        push({ op: 'COMPARE', s: cmpOps[idx] ?? `<cmp ${a}>` });
        break;
      }
      case 'IS_OP':
        push({ op: 'COMPARE', s: a ? 'is not' : 'is' });
        break;
      case 'CONTAINS_OP':
        push({ op: 'COMPARE', s: a ? 'not in' : 'in' });
        break;
      case 'BINARY_OP': {
        const sym = nbOps[a]?.[1] ?? `<op ${a}>`;
        if (sym === '[]') push({ op: 'BINARY_SUBSCR' });
        else push({ op: 'BINOP', s: sym });
        break;
      }
      case 'UNARY_NEGATIVE':
        push({ op: 'UNARY', s: '-' });
        break;
      case 'UNARY_POSITIVE':
        push({ op: 'UNARY', s: '+' });
        break;
      case 'UNARY_INVERT':
        push({ op: 'UNARY', s: '~' });
        break;
      case 'UNARY_NOT':
        push({ op: 'UNARY', s: 'not' });
        break;
      case 'CALL_INTRINSIC_1': {
        const desc = table?.data.intrinsic_1_descs?.[a] ?? '';
        if (desc === 'INTRINSIC_UNARY_POSITIVE') push({ op: 'UNARY', s: '+' });
        else if (desc === 'INTRINSIC_LIST_TO_TUPLE') push({ op: 'LIST_TO_TUPLE' });
        else push({ op: 'INTRINSIC', s: desc || String(a) });
        break;
      }
      // Jumps: unconditional, popping conditional, keeping conditional.
      case 'JUMP_FORWARD':
      case 'JUMP_ABSOLUTE':
      case 'JUMP_BACKWARD':
      case 'JUMP_BACKWARD_NO_INTERRUPT':
      case 'JUMP':
      case 'JUMP_NO_INTERRUPT':
        push({ op: 'JUMP', target: targetOf(ins) });
        break;
      case 'POP_JUMP_IF_FALSE':
      case 'POP_JUMP_FORWARD_IF_FALSE':
      case 'POP_JUMP_BACKWARD_IF_FALSE':
        push({ op: 'PJ', sense: false, target: targetOf(ins) });
        break;
      case 'POP_JUMP_IF_TRUE':
      case 'POP_JUMP_FORWARD_IF_TRUE':
      case 'POP_JUMP_BACKWARD_IF_TRUE':
        push({ op: 'PJ', sense: true, target: targetOf(ins) });
        break;
      case 'POP_JUMP_IF_NONE':
      case 'POP_JUMP_FORWARD_IF_NONE':
      case 'POP_JUMP_BACKWARD_IF_NONE':
        push({ op: 'PJ', s: 'is', sense: true, target: targetOf(ins) });
        break;
      case 'POP_JUMP_IF_NOT_NONE':
      case 'POP_JUMP_FORWARD_IF_NOT_NONE':
      case 'POP_JUMP_BACKWARD_IF_NOT_NONE':
        push({ op: 'PJ', s: 'is not', sense: true, target: targetOf(ins) });
        break;
      case 'JUMP_IF_FALSE_OR_POP':
        push({ op: 'JK', sense: false, target: targetOf(ins) });
        break;
      case 'JUMP_IF_TRUE_OR_POP':
        push({ op: 'JK', sense: true, target: targetOf(ins) });
        break;
      // 3.0: JUMP_IF_X leaves the value; the compiler follows with POP_TOP on both paths.
      case 'JUMP_IF_FALSE':
        push({ op: 'JK', sense: false, target: targetOf(ins) });
        push({ op: 'POP_TOP' });
        break;
      case 'JUMP_IF_TRUE':
        push({ op: 'JK', sense: true, target: targetOf(ins) });
        push({ op: 'POP_TOP' });
        break;
      case 'FOR_ITER':
        push({ op: 'FOR_ITER', target: targetOf(ins) });
        break;
      case 'SLICE+0':
      case 'SLICE+1':
      case 'SLICE+2':
      case 'SLICE+3':
        push({ op: 'PY2SLICE', n: Number(name.slice(6)) });
        break;
      case 'STORE_SLICE+0':
      case 'STORE_SLICE+1':
      case 'STORE_SLICE+2':
      case 'STORE_SLICE+3':
        push({ op: 'UNSUPPORTED' });
        break;
      default:
        push({ op: name });
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
      out.push({ ...n2, off: o.off, op: 'CHAIN_COMPARE' });
      i += 2;
      continue;
    }
    // 3.12+: COPY 1; POP_JUMP_IF_X T; POP_TOP == JUMP_IF_X_OR_POP T (the value stays on the jump path).
    if (vn >= 312 && o.op === 'COPY' && o.n === 1 && n1?.op === 'PJ' && n1.s === '' && n2?.op === 'POP_TOP') {
      out.push({ ...n1, off: o.off, op: 'JK' });
      // The POP_TOP may itself be a jump target (3.14 `a and b or c`); keep a marker op for it.
      out.push({ ...n2, op: 'POP_TOP_FALL' });
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
