/**
 * Opcode tables for CPython 3.0–3.5, written by hand from Lib/opcode.py at the v3.0–v3.5 tags (best effort:
 * no such interpreter is available here to verify them). 3.5 is listed in full; each older version is 3.5
 * minus/plus the opcodes that changed.
 */
import type { OpcodeTableData } from './table';

const PY35_OPS: Record<number, string> = {
  1: 'POP_TOP', 2: 'ROT_TWO', 3: 'ROT_THREE', 4: 'DUP_TOP', 5: 'DUP_TOP_TWO', 9: 'NOP',
  10: 'UNARY_POSITIVE', 11: 'UNARY_NEGATIVE', 12: 'UNARY_NOT', 15: 'UNARY_INVERT',
  16: 'BINARY_MATRIX_MULTIPLY', 17: 'INPLACE_MATRIX_MULTIPLY', 19: 'BINARY_POWER', 20: 'BINARY_MULTIPLY',
  22: 'BINARY_MODULO', 23: 'BINARY_ADD', 24: 'BINARY_SUBTRACT', 25: 'BINARY_SUBSCR', 26: 'BINARY_FLOOR_DIVIDE',
  27: 'BINARY_TRUE_DIVIDE', 28: 'INPLACE_FLOOR_DIVIDE', 29: 'INPLACE_TRUE_DIVIDE',
  50: 'GET_AITER', 51: 'GET_ANEXT', 52: 'BEFORE_ASYNC_WITH',
  55: 'INPLACE_ADD', 56: 'INPLACE_SUBTRACT', 57: 'INPLACE_MULTIPLY', 59: 'INPLACE_MODULO',
  60: 'STORE_SUBSCR', 61: 'DELETE_SUBSCR', 62: 'BINARY_LSHIFT', 63: 'BINARY_RSHIFT', 64: 'BINARY_AND',
  65: 'BINARY_XOR', 66: 'BINARY_OR', 67: 'INPLACE_POWER', 68: 'GET_ITER', 69: 'GET_YIELD_FROM_ITER',
  70: 'PRINT_EXPR', 71: 'LOAD_BUILD_CLASS', 72: 'YIELD_FROM', 73: 'GET_AWAITABLE',
  75: 'INPLACE_LSHIFT', 76: 'INPLACE_RSHIFT', 77: 'INPLACE_AND', 78: 'INPLACE_XOR', 79: 'INPLACE_OR',
  80: 'BREAK_LOOP', 81: 'WITH_CLEANUP_START', 82: 'WITH_CLEANUP_FINISH', 83: 'RETURN_VALUE', 84: 'IMPORT_STAR',
  86: 'YIELD_VALUE', 87: 'POP_BLOCK', 88: 'END_FINALLY', 89: 'POP_EXCEPT',
  90: 'STORE_NAME', 91: 'DELETE_NAME', 92: 'UNPACK_SEQUENCE', 93: 'FOR_ITER', 94: 'UNPACK_EX',
  95: 'STORE_ATTR', 96: 'DELETE_ATTR', 97: 'STORE_GLOBAL', 98: 'DELETE_GLOBAL', 100: 'LOAD_CONST',
  101: 'LOAD_NAME', 102: 'BUILD_TUPLE', 103: 'BUILD_LIST', 104: 'BUILD_SET', 105: 'BUILD_MAP',
  106: 'LOAD_ATTR', 107: 'COMPARE_OP', 108: 'IMPORT_NAME', 109: 'IMPORT_FROM', 110: 'JUMP_FORWARD',
  111: 'JUMP_IF_FALSE_OR_POP', 112: 'JUMP_IF_TRUE_OR_POP', 113: 'JUMP_ABSOLUTE', 114: 'POP_JUMP_IF_FALSE',
  115: 'POP_JUMP_IF_TRUE', 116: 'LOAD_GLOBAL', 119: 'CONTINUE_LOOP', 120: 'SETUP_LOOP', 121: 'SETUP_EXCEPT',
  122: 'SETUP_FINALLY', 124: 'LOAD_FAST', 125: 'STORE_FAST', 126: 'DELETE_FAST', 130: 'RAISE_VARARGS',
  131: 'CALL_FUNCTION', 132: 'MAKE_FUNCTION', 133: 'BUILD_SLICE', 134: 'MAKE_CLOSURE', 135: 'LOAD_CLOSURE',
  136: 'LOAD_DEREF', 137: 'STORE_DEREF', 138: 'DELETE_DEREF', 140: 'CALL_FUNCTION_VAR', 141: 'CALL_FUNCTION_KW',
  142: 'CALL_FUNCTION_VAR_KW', 143: 'SETUP_WITH', 144: 'EXTENDED_ARG', 145: 'LIST_APPEND', 146: 'SET_ADD',
  147: 'MAP_ADD', 148: 'LOAD_CLASSDEREF', 149: 'BUILD_LIST_UNPACK', 150: 'BUILD_MAP_UNPACK',
  151: 'BUILD_MAP_UNPACK_WITH_CALL', 152: 'BUILD_TUPLE_UNPACK', 153: 'BUILD_SET_UNPACK', 154: 'SETUP_ASYNC_WITH',
};

const CMP_OP = ['<', '<=', '==', '!=', '>', '>=', 'in', 'not in', 'is', 'is not', 'exception match', 'BAD'];

function derive(
  version: string,
  base: OpcodeTableData,
  remove: number[],
  add: Record<number, string>,
  lists: Partial<Pick<OpcodeTableData, 'hasjrel' | 'hasjabs' | 'hasfree' | 'EXTENDED_ARG'>> = {},
): OpcodeTableData {
  const opname: Record<number, string> = { ...base.opname };
  for (const op of remove) delete opname[op];
  Object.assign(opname, add);
  const keep = (l: number[]): number[] => l.filter((op) => op in opname);
  return {
    ...base,
    version,
    generatedFrom: `hand-written from CPython v${version} Lib/opcode.py`,
    opname,
    hasconst: keep(base.hasconst),
    hasname: keep(base.hasname),
    haslocal: keep(base.haslocal),
    hascompare: keep(base.hascompare),
    hasjrel: lists.hasjrel ?? keep(base.hasjrel),
    hasjabs: lists.hasjabs ?? keep(base.hasjabs),
    hasfree: lists.hasfree ?? keep(base.hasfree),
    EXTENDED_ARG: lists.EXTENDED_ARG ?? base.EXTENDED_ARG,
  };
}

export const py35: OpcodeTableData = {
  version: '3.5',
  generatedFrom: 'hand-written from CPython v3.5 Lib/opcode.py',
  opname: PY35_OPS,
  HAVE_ARGUMENT: 90,
  EXTENDED_ARG: 144,
  hasconst: [100],
  hasname: [90, 91, 95, 96, 97, 98, 101, 106, 108, 109, 116],
  hasjrel: [93, 110, 120, 121, 122, 143, 154],
  hasjabs: [111, 112, 113, 114, 115, 119],
  haslocal: [124, 125, 126],
  hasfree: [135, 136, 137, 138, 148],
  hascompare: [107],
  cmp_op: CMP_OP,
};

export const py34 = derive('3.4', py35, [16, 17, 50, 51, 52, 69, 73, 82, 149, 150, 151, 152, 153, 154], {
  54: 'STORE_MAP',
  81: 'WITH_CLEANUP',
});
export const py33 = derive('3.3', py34, [148], { 69: 'STORE_LOCALS' });
export const py32 = derive('3.2', py33, [72], {});
export const py31 = derive(
  '3.1',
  py32,
  [5, 138, 143, 144],
  { 5: 'ROT_FOUR', 99: 'DUP_TOPX', 143: 'EXTENDED_ARG' },
  { EXTENDED_ARG: 143, hasjrel: [93, 110, 120, 121, 122], hasfree: [135, 136, 137] },
);
export const py30 = derive(
  '3.0',
  py31,
  [111, 112, 114, 115, 145, 146, 147],
  { 17: 'SET_ADD', 18: 'LIST_APPEND', 111: 'JUMP_IF_FALSE', 112: 'JUMP_IF_TRUE' },
  { hasjrel: [93, 110, 111, 112, 120, 121, 122], hasjabs: [113, 119] },
);
