/**
 * Control flow: iteration, jumps, return, yield and raise. Jumps leave arrivals that exec.ts merges back
 * into expressions and statements when the scan reaches their target.
 */
import { boolE, type Expr } from '../ast';
import { factorIfExp } from '../tree';
import type { CodeExecutor, HandlerTable, Frame, Arrival } from '../exec';
import type { Op } from '../normalize';

function getIter(vm: CodeExecutor): void {
  vm.push(vm.popE());
}

function forIter(vm: CodeExecutor, op: Op): void {
  const iter = vm.popE();
  const frame: Frame = { head: op.off, exit: op.target!, gen: { target: { k: 'name', id: '_' }, iter, ifs: [] }, targetSet: false, used: false, stmtCount: vm.stmts.length };
  vm.frames.push(frame);
  vm.addArrival(op.target!, { kind: 'forexit', src: op.off, stack: vm.snapshot(vm.st()), frame });
  vm.push({ k: '$iter' });
  vm.push({ k: '$item', frame });
}

/** END_FOR / POP_ITER are consumed where a loop's exit is merged (exec.ts); met anywhere else, not understood. */
function strayLoopExit(vm: CodeExecutor, op: Op): void {
  vm.fail(`${op.orig} outside a loop exit`);
}

function jump(vm: CodeExecutor, op: Op): void {
  const t = op.target!;
  if (t <= op.off) {
    const f = vm.frames[vm.frames.length - 1];
    if (!f || f.head !== t) vm.fail('backward jump that is not a loop continue (a while loop?)');
    vm.die('continue');
    return;
  }
  const a: Arrival = { kind: 'jump', src: op.off, stack: vm.snapshot(vm.st()) };
  vm.addArrival(t, a);
  vm.stack = null;
  vm.lastDead = { kind: 'jump', arrival: a };
}

function popJumpIf(vm: CodeExecutor, op: Op, i: number): void {
  // A comparison chain used as a condition: its early exit goes to a cleanup block
  // (`POP_TOP; JUMP target`) that only repeats what the complete chain's own jump says.
  const tc = vm.top();
  if (tc.k === '$chain' && !op.sense) {
    vm.noteChainExit(tc, op.target!);
    vm.pop();
    return;
  }
  // 3.14: `any(genexpr)` is `any is <builtin any> ? inlined loop : any(genexpr)`; show the call.
  const t = vm.top();
  if (
    !op.sense && t.k === 'cmp' && t.ops.length === 1 && t.ops[0] === 'is' && t.left.k === 'name' &&
    vm.commonConsts.has(t.comps[0]) && t.comps[0].k === 'name' && t.comps[0].id === t.left.id && op.target! > op.off
  ) {
    vm.pop();
    vm.skipTo = op.target!;
    return;
  }
  vm.popJump(op, i);
}

function keepJumpIf(vm: CodeExecutor, op: Op): void {
  const v = vm.top();
  if (v.k === '$chain') {
    vm.noteChainExit(v, op.target!);
    vm.pop();
    return;
  }
  const cond = vm.ex(v);
  const s = vm.st();
  s[s.length - 1] = cond;
  const a: Arrival = { kind: 'keep', src: op.off, stack: vm.snapshot(s), cond, sense: op.sense! };
  if (op.target! <= op.off) vm.fail('backward jump in an expression');
  vm.addArrival(op.target!, a);
  s.pop();
  vm.lastKeep = a;
}

/** The POP_TOP of a folded `COPY 1; POP_JUMP_IF_X; POP_TOP` (normalize.ts): kept only as a jump target. */
function fallThroughPop(): void {}

function returnValue(vm: CodeExecutor, op: Op): void {
  let v: Expr;
  const raw = vm.pop();
  if (vm.genAcc && raw.k === 'const' && raw.v.type === 'none') v = vm.ex(vm.genAcc);
  else v = vm.ex(raw);
  // `return a and b` with the return duplicated: `a; JUMP_IF_FALSE_OR_POP ret; b; RETURN; ret: RETURN`.
  const base = vm.st().length;
  const keeps = [...vm.pending.entries()]
    .filter(([t]) => vm.opAt(t)?.op === 'RETURN_VALUE' || vm.isChainCleanupBeforeReturn(t))
    .flatMap(([t, l]) => l.filter((a) => a.kind === 'keep' && !a.consumed && a.src < op.off && a.stack.length === base + 1).map((a) => ({ t, a })))
    .sort((x, y) => y.a.src - x.a.src);
  for (const { t, a } of keeps) {
    v = boolE(a.sense ? 'or' : 'and', a.cond!, v);
    vm.removeArrival(t, a);
  }
  while (vm.retTernaries.length > 0) {
    const rt = vm.retTernaries[vm.retTernaries.length - 1];
    const open = [...vm.pending.values()].some((l) => l.some((a) => a.kind === 'pop' && a.src > rt.at && !a.consumed));
    if (open) break;
    v = factorIfExp(rt.cond, rt.body, v);
    vm.retTernaries.pop();
  }
  vm.stmts.push({ k: 'return', value: v });
  vm.die('return', op.off);
}

function returnGenerator(vm: CodeExecutor): void {
  vm.push({ k: '$gen' });
}

function yieldValue(vm: CodeExecutor): void {
  const v = vm.popE();
  if (vm.genAcc) {
    vm.genAcc.elt = v;
    vm.genAcc.gens = vm.claimLoops(vm.frames);
    vm.push({ k: '$yielded' });
  } else vm.push({ k: 'yield', value: v });
}

function raiseVarargs(vm: CodeExecutor, op: Op): void {
  const cause = op.n >= 2 ? vm.popE() : null;
  const exc = op.n >= 1 ? vm.popE() : null;
  vm.emit({ k: 'raise', exc, cause });
  vm.die('return', op.off);
}

export const FLOW_OPS: HandlerTable = {
  GET_ITER: getIter,
  GET_AITER: getIter,
  FOR_ITER: forIter,
  END_FOR: strayLoopExit,
  POP_ITER: strayLoopExit,
  JUMP: jump,
  PJ: popJumpIf,
  JK: keepJumpIf,
  POP_TOP_FALL: fallThroughPop,
  RETURN_VALUE: returnValue,
  RETURN_GENERATOR: returnGenerator,
  YIELD_VALUE: yieldValue,
  RAISE_VARARGS: raiseVarargs,
};
