/** Compares our decoded code objects with the fields CPython reported in a golden case. */
import { hex, type GoldenCode } from './golden-data';
import type { CodeObject, PyValue } from '../../src/core/python/objects';
import { reprPyValue } from '../../src/core/python/repr';

/** Python's type(x).__name__ for a marshal value, as the goldens' const_types list it. */
function typeName(v: PyValue, py2: boolean): string {
  switch (v.type) {
    case 'none':
      return 'NoneType';
    case 'bool':
      return 'bool';
    case 'int':
      return py2 && v.long ? 'long' : 'int';
    case 'str':
      return py2 ? 'unicode' : 'str';
    case 'bytes':
      return py2 ? 'str' : 'bytes';
    case 'ellipsis':
      return 'ellipsis';
    case 'stopiteration':
      return 'type';
    case 'dict':
      return v.frozen ? 'frozendict' : 'dict';
    default:
      return v.type;
  }
}

export function compareCode(actual: CodeObject, golden: GoldenCode, version: string, path: string): string[] {
  const diffs: string[] = [];
  const py2 = version.startsWith('2');
  const eq = (field: string, a: unknown, b: unknown): void => {
    if (JSON.stringify(a) !== JSON.stringify(b)) diffs.push(`${path}.${field}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`);
  };
  eq('argcount', actual.argcount, golden.argcount);
  eq('posonlyargcount', actual.posonlyargcount, golden.posonlyargcount ?? 0);
  eq('kwonlyargcount', actual.kwonlyargcount, golden.kwonlyargcount ?? 0);
  eq('nlocals', actual.nlocals, golden.nlocals);
  eq('stacksize', actual.stacksize, golden.stacksize);
  eq('flags', actual.flags, golden.flags);
  eq('code', hex(actual.code), golden.code_hex);
  eq('names', actual.names, golden.names);
  eq('varnames', actual.varnames, golden.varnames);
  eq('freevars', actual.freevars, golden.freevars);
  eq('cellvars', actual.cellvars, golden.cellvars);
  eq('filename', actual.filename, golden.filename);
  eq('name', actual.name, golden.name);
  eq('qualname', actual.qualname ?? null, golden.qualname);
  eq('firstlineno', actual.firstlineno, golden.firstlineno);
  eq('linetable', hex(actual.linetable), golden.linetable_hex);
  eq('exceptiontable', actual.exceptiontable ? hex(actual.exceptiontable) : null, golden.exceptiontable_hex);
  eq('const_types', actual.consts.map((c) => typeName(c, py2)), golden.const_types);
  actual.consts.forEach((c, i) => {
    const g = golden.consts[i];
    if (c.type === 'code' && typeof g === 'object') diffs.push(...compareCode(c.code, g, version, `${path}.consts[${i}]`));
    else if (typeof g === 'string') {
      // frozensets of str come back in hash order, which the writer's process decided: compare as sets.
      const r = reprPyValue(c, version);
      if (r !== g && !(c.type === 'frozenset' && sameItems(r, g))) diffs.push(`${path}.consts[${i}]: ${r} != ${g}`);
    } else diffs.push(`${path}.consts[${i}]: code object expected`);
  });
  return diffs;
}

function sameItems(a: string, b: string): boolean {
  const items = (s: string): string => s.replace(/^frozenset\(\{|\}\)$/g, '').split(', ').sort().join(', ');
  return items(a) === items(b);
}

