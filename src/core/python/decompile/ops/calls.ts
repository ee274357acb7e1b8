/**
 * Calls and functions: every calling convention (packed counts ≤3.5, keyword-name tuples, the 3.11+ NULL
 * protocol, `f(*a, **k)`), comprehensions called as functions (≤3.11), functions made with their defaults and
 * closures, intrinsics.
 */
import type { CodeObject } from '../../objects';
import type { Expr, Keyword } from '../ast';
import { starArgs, starKw } from '../tree';
import type { CodeExecutor, HandlerTable, Marker, SV } from '../exec';
import type { Op } from '../normalize';

/** Code objects the compiler (≤3.11) made for comprehensions, called with the outer iterable. */
const COMP_NAMES: Record<string, 'list' | 'set' | 'dict' | 'gen'> = {
  '<listcomp>': 'list',
  '<setcomp>': 'set',
  '<dictcomp>': 'dict',
  '<genexpr>': 'gen',
};

function kwNames(vm: CodeExecutor, op: Op): void {
  const v = op.v ?? vm.code.consts[op.n];
  vm.kwNames = v && v.type === 'tuple' ? v.items.map((x) => (x.type === 'str' ? x.value : '?')) : [];
}

function callEx(vm: CodeExecutor, op: Op): void {
  let kwargs: Expr | null = null;
  if (op.op === 'CALL_FUNCTION_EX_KWSLOT') {
    // No flag; the kwargs slot is always there (NULL when there are none).
    const kw = vm.pop();
    kwargs = kw.k === '$null' ? null : vm.ex(kw);
  } else if (op.n & 1) kwargs = vm.popE();
  const args = vm.popE();
  let f = vm.pop();
  if (op.op !== 'CALL_FUNCTION_EX') {
    if (f.k === '$null') f = vm.pop();
    else if (vm.st().length && vm.top().k === '$null') vm.pop();
  }
  vm.push(makeCall(vm.ex(f), starArgs(args), kwargs ? starKw(kwargs) : []));
}

function setFunctionAttribute(vm: CodeExecutor, op: Op): void {
  const fn = vm.pop();
  const attr = vm.pop();
  if (fn.k !== '$fn') vm.fail('SET_FUNCTION_ATTRIBUTE without a function');
  if (op.n & 0x01) fn.defaults = attr;
  else if (op.n & 0x02) fn.kwdefaults = attr;
  else if (op.n & 0x08) fn.closure = true;
  else vm.note('annotations are not shown');
  vm.push(fn);
}

function intrinsic(vm: CodeExecutor, op: Op): void {
  vm.fail(`intrinsic ${op.s}`);
}

function call(vm: CodeExecutor, op: Op): void {
  let kwnames: string[] = [];
  let extraStar: Expr | null = null;
  let extraKw: Expr | null = null;
  let argc = op.n;
  if (op.op === 'CALL_KW' || op.op === 'CALL_FUNCTION_KW') {
    const names = vm.popE();
    if (names.k !== 'const' || names.v.type !== 'tuple') vm.fail('keyword call without a names tuple');
    kwnames = names.v.items.map((x) => (x.type === 'str' ? x.value : '?'));
  } else if (op.op === 'CALL_PACKED_KW') {
    extraKw = vm.popE();
  } else if (op.op === 'CALL' && vm.kwNames) {
    kwnames = vm.kwNames;
    vm.kwNames = null;
  }
  if (op.op === 'CALL_PACKED_VAR' || op.op === 'CALL_PACKED_VAR_KW') {
    if (op.op === 'CALL_PACKED_VAR_KW') extraKw = vm.popE();
    extraStar = vm.popE();
  }
  const keywords: Keyword[] = [];
  let args: Expr[];
  if (op.op.startsWith('CALL_PACKED')) {
    const nkw = (argc >> 8) & 0xff;
    const npos = argc & 0xff;
    const pairs = vm.popN(nkw * 2).map((x) => vm.ex(x));
    for (let j = 0; j < pairs.length; j += 2) {
      const key = pairs[j];
      keywords.push({ name: key.k === 'const' && key.v.type === 'str' ? key.v.value : key.k === 'const' && key.v.type === 'bytes' ? new TextDecoder().decode(key.v.value) : '?', value: pairs[j + 1] });
    }
    args = vm.popN(npos).map((x) => vm.ex(x));
    argc = npos;
  } else {
    const all = vm.popN(argc).map((x) => vm.ex(x));
    const nk = kwnames.length;
    args = all.slice(0, all.length - nk);
    all.slice(all.length - nk).forEach((value, j) => keywords.push({ name: kwnames[j], value }));
  }
  if (extraStar) args.push({ k: 'starred', e: extraStar });
  if (extraKw) keywords.push({ name: null, value: extraKw });
  let func: SV;
  if (op.op === 'CALL' || op.op === 'CALL_KW') {
    // `mod.f()` with mod known to be an imported module compiles to LOAD_GLOBAL NULL+mod; LOAD_ATTR f.
    const b = vm.top(1);
    const a = vm.top(2);
    const f = a.k === '$null' ? b : b.k === '$null' ? a : null;
    const other = f === a ? b : a;
    if (f && f.k === 'attr' && f.obj.k === 'name' && vm.loadedGlobals.has(f.obj) && other.k === '$null' && other.via !== 'method' && !vm.moduleGlobals.includes(f.obj.id)) {
      vm.moduleGlobals.push(f.obj.id);
    }
  }
  if (op.op === 'CALL_METHOD' || (op.op === 'CALL' || op.op === 'CALL_KW')) {
    const b = vm.pop();
    const a = vm.pop();
    if (a.k === '$null') func = b;
    else if (b.k === '$null') func = a;
    else {
      func = a;
      args.unshift(vm.ex(b));
    }
  } else func = vm.pop();
  // A comprehension (≤3.11) is a call of a function made from its code object, with the outer iterable.
  if (func.k === '$fn' && COMP_NAMES[func.code.name] && args.length === 1 && keywords.length === 0) {
    vm.push(vm.comprehension(func.code, args[0]));
    return;
  }
  vm.push(makeCall(vm.ex(func), args, keywords));
}

function makeCall(func: Expr, args: Expr[], keywords: Keyword[]): Expr {
  return { k: 'call', func, args, keywords };
}

function makeFunction(vm: CodeExecutor, op: Op): void {
  let codeV: SV;
  const fn: Extract<Marker, { k: '$fn' }> = { k: '$fn', code: null as unknown as CodeObject, defaults: null, kwdefaults: null, closure: false };
  if (op.op === 'MAKE_FUNCTION') {
    codeV = vm.pop();
  } else if (op.op === 'MAKE_FUNCTION_FLAGS') {
    if (op.qualname) vm.pop();
    codeV = vm.pop();
    if (op.n & 0x08) {
      vm.pop();
      fn.closure = true;
    }
    if (op.n & 0x04) {
      vm.pop();
      vm.note('annotations are not shown');
    }
    if (op.n & 0x02) fn.kwdefaults = vm.pop();
    if (op.n & 0x01) fn.defaults = vm.pop();
  } else {
    if (op.qualname) vm.pop();
    codeV = vm.pop();
    if (op.op === 'MAKE_CLOSURE_COUNTS') {
      vm.pop();
      fn.closure = true;
    }
    const ndef = op.n & 0xff;
    const nkw = (op.n >> 8) & 0xff;
    const nann = (op.n >> 16) & 0x7fff;
    if (nann) {
      vm.popN(nann);
      vm.note('annotations are not shown');
    }
    if (nkw) {
      const pairs = vm.popN(nkw * 2).map((x) => vm.ex(x));
      const items: { key: Expr | null; value: Expr }[] = [];
      for (let j = 0; j < pairs.length; j += 2) items.push({ key: pairs[j], value: pairs[j + 1] });
      fn.kwdefaults = { k: 'dict', items };
    }
    if (ndef) fn.defaults = { k: 'tuple', elts: vm.popN(ndef).map((x) => vm.ex(x)) };
  }
  if (codeV.k !== 'const' || codeV.v.type !== 'code') vm.fail('MAKE_FUNCTION without a code object');
  fn.code = codeV.v.code;
  vm.push(fn);
}

export const CALL_OPS: HandlerTable = {
  KW_NAMES: kwNames,
  CALL: call,
  CALL_METHOD: call,
  CALL_KW: call,
  CALL_FUNCTION: call,
  CALL_FUNCTION_KW: call,
  CALL_PACKED: call,
  CALL_PACKED_KW: call,
  CALL_PACKED_VAR: call,
  CALL_PACKED_VAR_KW: call,
  CALL_FUNCTION_EX: callEx,
  CALL_FUNCTION_EX_NULL: callEx,
  CALL_FUNCTION_EX_KWSLOT: callEx,
  MAKE_FUNCTION: makeFunction,
  MAKE_FUNCTION_FLAGS: makeFunction,
  MAKE_FUNCTION_COUNTS: makeFunction,
  MAKE_CLOSURE_COUNTS: makeFunction,
  SET_FUNCTION_ATTRIBUTE: setFunctionAttribute,
  INTRINSIC: intrinsic,
};
