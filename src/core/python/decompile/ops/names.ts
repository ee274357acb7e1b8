/**
 * Names: constants and local, global and free variables loaded; attributes and subscripts; assignment
 * (stores, unpacking, chained and augmented assignment, walrus) and `del`.
 */
import { constE, nameE, type Target } from '../ast';
import { sameTarget } from '../tree';
import type { CodeExecutor, HandlerTable, UnpackGroup } from '../exec';
import type { Op } from '../normalize';

function loadConst(vm: CodeExecutor, op: Op): void {
  vm.push(constE(op.v!));
}

function loadFast(vm: CodeExecutor, op: Op): void {
  const b = vm.bindings.get(op.s);
  vm.push(b ?? nameE(op.s));
}

function loadName(vm: CodeExecutor, op: Op): void {
  if (op.nullPush === 'before') vm.push({ k: '$null', via: 'global' });
  vm.push(nameE(op.s));
  if (op.op === 'LOAD_GLOBAL' && op.orig === 'LOAD_GLOBAL') vm.loadedGlobals.add(vm.top());
  if (op.orig === 'LOAD_COMMON_CONSTANT') vm.commonConsts.add(vm.top());
  if (op.nullPush === 'after') vm.push({ k: '$null', via: 'global' });
}

function loadClosure(vm: CodeExecutor, op: Op): void {
  vm.push({ k: '$cell', name: op.s });
}

function loadFastAndClear(vm: CodeExecutor, op: Op): void {
  vm.push({ k: '$saved', name: op.s });
}

function pushNull(vm: CodeExecutor): void {
  vm.push({ k: '$null', via: 'push' });
}

function loadAttr(vm: CodeExecutor, op: Op): void {
  const obj = vm.popE();
  vm.push({ k: 'attr', obj, name: op.s });
}

function loadMethod(vm: CodeExecutor, op: Op): void {
  const obj = vm.popE();
  vm.push({ k: 'attr', obj, name: op.s });
  vm.push({ k: '$null', via: 'method' });
}

function storeName(vm: CodeExecutor, op: Op): void {
  store(vm, { k: 'name', id: op.s }, op.op);
}

function storeAttr(vm: CodeExecutor, op: Op): void {
  const obj = vm.popE();
  store(vm, { k: 'attr', obj, name: op.s }, op.op);
}

function storeSubscr(vm: CodeExecutor, op: Op): void {
  const index = vm.popE();
  const obj = vm.popE();
  store(vm, { k: 'sub', obj, index }, op.op);
}

function unpackSequence(vm: CodeExecutor, op: Op): void {
  const src = vm.pop();
  const group: UnpackGroup = { source: src, targets: new Array(op.n).fill(undefined) };
  for (let j = op.n - 1; j >= 0; j--) vm.push({ k: '$unpack', group, index: j });
}

function unpackEx(vm: CodeExecutor, op: Op): void {
  const before = op.n & 0xff;
  const after = op.n >> 8;
  const src = vm.pop();
  const n = before + 1 + after;
  const group: UnpackGroup = { source: src, targets: new Array(n).fill(undefined), star: before };
  for (let j = n - 1; j >= 0; j--) vm.push({ k: '$unpack', group, index: j });
}

function deleteName(vm: CodeExecutor, op: Op): void {
  if (op.op === 'DELETE_GLOBAL' && isFunction(vm)) vm.globals.add(op.s);
  vm.emit({ k: 'del', targets: [{ k: 'name', id: op.s }] });
}

function deleteAttr(vm: CodeExecutor, op: Op): void {
  vm.emit({ k: 'del', targets: [{ k: 'attr', obj: vm.popE(), name: op.s }] });
}

function deleteSubscr(vm: CodeExecutor): void {
  const index = vm.popE();
  const obj = vm.popE();
  vm.emit({ k: 'del', targets: [{ k: 'sub', obj, index }] });
}

function store(vm: CodeExecutor, t: Target, how: string): void {
  const v = vm.pop();
  if (how === 'STORE_GLOBAL' && isFunction(vm)) vm.globals.add((t as { id: string }).id);
  if (how === 'STORE_DEREF' && t.k === 'name' && vm.code.freevars.includes(t.id)) vm.nonlocals.add(t.id);
  switch (v.k) {
    case '$item':
      v.frame.gen.target = t;
      v.frame.targetSet = true;
      return;
    case '$unpack': {
      const g = v.group;
      g.targets[v.index] = g.star === v.index ? { k: 'starred', t } : t;
      if (g.targets.every((x) => x !== undefined)) {
        const tt: Target = { k: 'tuple', elts: g.targets as Target[] };
        if (g.source.k === '$item') {
          g.source.frame.gen.target = tt;
          g.source.frame.targetSet = true;
        } else vm.emit({ k: 'assign', targets: [tt], value: vm.ex(g.source) });
      }
      return;
    }
    case '$saved':
      return; // 3.12+ inlined comprehension restoring its loop variable
    case '$import': {
      const first = v.module.split('.')[0];
      const name = (t as { id: string }).id;
      if (v.fromlist.type === 'none' && name === first) vm.emit({ k: 'import', names: [{ name: v.module, asname: null }] });
      else vm.emit({ k: 'import', names: [{ name: v.module, asname: name }] });
      return;
    }
    case '$from': {
      const name = (t as { id: string }).id;
      if (v.imp.fromlist.type === 'none') vm.emit({ k: 'import', names: [{ name: v.imp.module, asname: name }] });
      else v.imp.names.push({ name: v.name, asname: name === v.name ? null : name });
      return;
    }
    case '$fn':
      if (v.code.name !== '<lambda>' && t.k === 'name' && t.id === v.code.name) {
        vm.emit({ k: 'def', fn: vm.fnDef(v) });
        return;
      }
      break;
    default:
      break;
  }
  const e = vm.ex(v);
  const s = vm.stack;
  const nextOp = vm.ops[vm.curIndex + 1];
  if (s && s.length > 0 && s[s.length - 1] === v && nextOp && (/^STORE_/.test(nextOp.op) || nextOp.op === 'UNPACK_SEQUENCE')) {
    // `a = b = value`: DUP_TOP; STORE a; STORE b. The next store joins this statement.
    vm.emit({ k: 'assign', targets: [t], value: e });
    s[s.length - 1] = e;
    return;
  }
  if (t.k === 'name' && s && s.length > 0 && s[s.length - 1] === v) {
    s[s.length - 1] = { k: 'walrus', target: t.id, value: e };
    return;
  }
  if (e.k === 'bin' && e.op.endsWith('=') && e.op !== '==' && sameTarget(e.l, t)) {
    vm.emit({ k: 'augassign', target: t, op: e.op.slice(0, -1), value: e.r });
    return;
  }
  const last = vm.stmts[vm.stmts.length - 1];
  if (last?.k === 'assign' && last.value === e) {
    last.targets.push(t);
    return;
  }
  vm.emit({ k: 'assign', targets: [t], value: e });
}

function isFunction(vm: CodeExecutor): boolean {
  return (vm.code.flags & 0x02) !== 0 || vm.code.name !== '<module>';
}

export const NAME_OPS: HandlerTable = {
  CONST: loadConst,
  LOAD_FAST: loadFast,
  LOAD_DEREF: loadName,
  LOAD_GLOBAL: loadName,
  LOAD_CLOSURE: loadClosure,
  LOAD_FAST_AND_CLEAR: loadFastAndClear,
  PUSH_NULL: pushNull,
  LOAD_ATTR: loadAttr,
  LOAD_METHOD: loadMethod,
  STORE_FAST: storeName,
  STORE_DEREF: storeName,
  STORE_GLOBAL: storeName,
  STORE_NAME: storeName,
  STORE_ATTR: storeAttr,
  STORE_SUBSCR: storeSubscr,
  UNPACK_SEQUENCE: unpackSequence,
  UNPACK_EX: unpackEx,
  DELETE_FAST: deleteName,
  DELETE_NAME: deleteName,
  DELETE_GLOBAL: deleteName,
  DELETE_DEREF: deleteName,
  DELETE_ATTR: deleteAttr,
  DELETE_SUBSCR: deleteSubscr,
};
