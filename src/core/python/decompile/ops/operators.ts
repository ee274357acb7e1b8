/**
 * Operators: binary and unary operators, comparisons and comparison chains, subscripts and slices.
 */
import { noneToNull } from '../tree';
import type { CodeExecutor, HandlerTable, Chain } from '../exec';
import type { Op } from '../normalize';

function binop(vm: CodeExecutor, op: Op): void {
  const r = vm.popE();
  const l = vm.popE();
  vm.push({ k: 'bin', op: op.s, l, r });
}

function unary(vm: CodeExecutor, op: Op): void {
  const e = vm.popE();
  vm.push({ k: 'unary', op: op.s, e });
}

function compare(vm: CodeExecutor, op: Op): void {
  const r = vm.popE();
  const l = vm.pop();
  if (l.k === '$chainmid') {
    const ch = l.chain;
    for (const x of vm.chainExitOf.get(ch.left) ?? []) if (x.finalIndex === null) x.finalIndex = vm.curIndex;
    vm.push({ k: 'cmp', left: ch.left, ops: [...ch.ops, op.s], comps: [...ch.comps, r] });
  } else {
    vm.push({ k: 'cmp', left: vm.ex(l), ops: [op.s], comps: [r] });
  }
}

function chainCompare(vm: CodeExecutor, op: Op): void {
  const b = vm.popE();
  const a = vm.pop();
  let ch: Chain;
  if (a.k === '$chainmid') {
    ch = { left: a.chain.left, ops: [...a.chain.ops, op.s], comps: [...a.chain.comps, b] };
  } else ch = { left: vm.ex(a), ops: [op.s], comps: [b] };
  vm.push({ k: '$chainmid', chain: ch });
  vm.push({ k: '$chain', chain: ch });
}

function binarySubscr(vm: CodeExecutor): void {
  const index = vm.popE();
  const obj = vm.popE();
  vm.push({ k: 'sub', obj, index });
}

function buildSlice(vm: CodeExecutor, op: Op): void {
  const step = op.n === 3 ? vm.popE() : null;
  const hi = vm.popE();
  const lo = vm.popE();
  // Python 2 compiles `x[a:b]` to SLICE+n; BUILD_SLICE 3 there means the source had `x[a:b:]`.
  vm.push({ k: 'slice', lo: noneToNull(lo), hi: noneToNull(hi), step: step && op.op === 'BUILD_SLICE' ? noneToNull(step) : step });
}

function binarySlice(vm: CodeExecutor): void {
  const hi = vm.popE();
  const lo = vm.popE();
  const obj = vm.popE();
  vm.push({ k: 'sub', obj, index: { k: 'slice', lo: noneToNull(lo), hi: noneToNull(hi), step: null } });
}

function py2Slice(vm: CodeExecutor, op: Op): void {
  const hi = op.n & 2 ? vm.popE() : null;
  const lo = op.n & 1 ? vm.popE() : null;
  const obj = vm.popE();
  vm.push({ k: 'sub', obj, index: { k: 'slice', lo, hi, step: null } });
}

export const OPERATOR_OPS: HandlerTable = {
  BINOP: binop,
  UNARY: unary,
  COMPARE: compare,
  CHAIN_COMPARE: chainCompare,
  BINARY_SUBSCR: binarySubscr,
  BUILD_SLICE: buildSlice,
  BUILD_SLICE_PY2: buildSlice,
  BINARY_SLICE: binarySlice,
  PY2SLICE: py2Slice,
};
