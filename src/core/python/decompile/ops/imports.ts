/**
 * Imports: `import a.b as c`, `from m import x as y`, `from m import *`.
 */
import { NONE } from '../ast';
import type { CodeExecutor, HandlerTable } from '../exec';
import type { Op } from '../normalize';

function importName(vm: CodeExecutor, op: Op): void {
  const fromlist = vm.popE();
  const level = vm.popE();
  vm.push({
    k: '$import',
    module: op.s,
    level: level.k === 'const' && level.v.type === 'int' ? Number(level.v.value) : 0,
    fromlist: fromlist.k === 'const' ? fromlist.v : NONE,
    names: [],
  });
}

function importFrom(vm: CodeExecutor, op: Op): void {
  const imp = vm.top();
  if (imp.k !== '$import') vm.fail('IMPORT_FROM without an import');
  vm.push({ k: '$from', imp, name: op.s });
}

function importStar(vm: CodeExecutor): void {
  const imp = vm.pop();
  if (imp.k !== '$import') vm.fail('IMPORT_STAR without an import');
  vm.emit({ k: 'from', module: imp.module, level: imp.level, names: [{ name: '*', asname: null }] });
}

export const IMPORT_OPS: HandlerTable = {
  IMPORT_NAME: importName,
  IMPORT_FROM: importFrom,
  IMPORT_STAR: importStar,
};
