/**
 * Stack shuffles: pop (an expression statement), duplicate, rotate, swap.
 */
import type { CodeExecutor, HandlerTable } from '../exec';
import type { Op } from '../normalize';

function popTop(vm: CodeExecutor): void {
  const v = vm.pop();
  if (v.k === '$gen' || v.k === '$yielded' || v.k === '$saved' || v.k === '$null') return;
  if (v.k === '$iter') vm.fail('break or return inside a for loop (not modelled)');
  if (v.k === '$import') {
    if (v.names.length) vm.emit({ k: 'from', module: v.module, level: v.level, names: v.names });
    return;
  }
  vm.emit({ k: 'expr', value: vm.ex(v) });
}

function copy(vm: CodeExecutor, op: Op): void {
  const n = op.op === 'COPY' ? op.n : 1;
  vm.push(vm.top(n));
}

function dupTopTwo(vm: CodeExecutor): void {
  const a = vm.top(2);
  const b = vm.top(1);
  vm.push(a);
  vm.push(b);
}

function rotate(vm: CodeExecutor, op: Op): void {
  const n = op.op === 'ROT_TWO' ? 2 : op.op === 'ROT_THREE' ? 3 : 4;
  const s = vm.st();
  if (s.length < n) vm.fail('stack underflow');
  const t = s.pop()!;
  s.splice(s.length - (n - 1), 0, t);
}

function swap(vm: CodeExecutor, op: Op): void {
  const s = vm.st();
  if (op.n < 1 || s.length < op.n) vm.fail('stack underflow');
  const j = s.length - op.n;
  [s[j], s[s.length - 1]] = [s[s.length - 1], s[j]];
}

export const STACK_OPS: HandlerTable = {
  POP_TOP: popTop,
  DUP_TOP: copy,
  COPY: copy,
  DUP_TOP_TWO: dupTopTwo,
  ROT_TWO: rotate,
  ROT_THREE: rotate,
  ROT_FOUR: rotate,
  SWAP: swap,
};
