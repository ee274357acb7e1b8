/**
 * Python 2 statements: `exec code in ns` and `print a, b`.
 */
import type { CodeExecutor, HandlerTable } from '../exec';

function execStmt(vm: CodeExecutor): void {
  // Python 2 `exec body [in globals[, locals]]`: the compiler passes None / DUP_TOP for omitted parts.
  const locals = vm.pop();
  const globals = vm.pop();
  const body = vm.popE();
  const g = globals.k === 'const' && globals.v.type === 'none' ? null : vm.ex(globals);
  const l = locals === globals || (locals.k === 'const' && locals.v.type === 'none') ? null : vm.ex(locals);
  vm.emit({ k: 'exec2', body, globals: g, locals: l });
}

function printItem(vm: CodeExecutor): void {
  const v = vm.popE();
  const last = vm.stmts[vm.stmts.length - 1];
  if (last?.k === 'print2' && !last.newline && vm.printOpen) last.values.push(v);
  else vm.emit({ k: 'print2', values: [v], newline: false });
  vm.printOpen = true;
}

function printNewline(vm: CodeExecutor): void {
  const last = vm.stmts[vm.stmts.length - 1];
  if (last?.k === 'print2' && !last.newline && vm.printOpen) last.newline = true;
  else vm.emit({ k: 'print2', values: [], newline: true });
  vm.printOpen = false;
}

export const PY2_OPS: HandlerTable = {
  EXEC_STMT: execStmt,
  PRINT_ITEM: printItem,
  PRINT_NEWLINE: printNewline,
};
