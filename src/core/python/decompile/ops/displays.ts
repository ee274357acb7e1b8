/**
 * Displays: tuple, list, set and dict displays (with `*` and `**` unpacking, or built one item at a time),
 * and the accumulators that turn a loop into a comprehension.
 */
import { constE, type Expr } from '../ast';
import type { CodeExecutor, HandlerTable, Marker, SV } from '../exec';
import type { Op } from '../normalize';

function buildTuple(vm: CodeExecutor, op: Op): void {
  const items = vm.popN(op.n);
  if (items.some((x) => x.k === '$cell')) {
    vm.push({ k: '$closure' });
    return;
  }
  vm.push(display(vm, { k: 'tuple', elts: items.map((x) => vm.ex(x)) }));
}

function buildList(vm: CodeExecutor, op: Op): void {
  vm.push(display(vm, { k: 'list', elts: vm.popN(op.n).map((x) => vm.ex(x)) }));
}

function buildSet(vm: CodeExecutor, op: Op): void {
  vm.push(display(vm, { k: 'set', elts: vm.popN(op.n).map((x) => vm.ex(x)) }));
}

function buildMap(vm: CodeExecutor, op: Op): void {
  const flat = vm.popN(op.n * 2).map((x) => vm.ex(x));
  const items: { key: Expr | null; value: Expr }[] = [];
  for (let j = 0; j < flat.length; j += 2) items.push({ key: flat[j], value: flat[j + 1] });
  vm.push(display(vm, { k: 'dict', items }));
}

function storeMap(vm: CodeExecutor): void {
  const key = vm.popE();
  const value = vm.popE();
  const d = vm.top();
  if (d.k !== 'dict') vm.fail('STORE_MAP without a dict');
  grow(vm, 1, d, [], [{ key, value }]);
}

function buildConstKeyMap(vm: CodeExecutor, op: Op): void {
  const keys = vm.popE();
  const values = vm.popN(op.n).map((x) => vm.ex(x));
  if (keys.k !== 'const' || keys.v.type !== 'tuple') vm.fail('BUILD_CONST_KEY_MAP without a key tuple');
  vm.push(display(vm, { k: 'dict', items: keys.v.items.map((kv, j) => ({ key: constE(kv), value: values[j] })) }));
}

function extendDisplay(vm: CodeExecutor, op: Op): void {
  const v = vm.popE();
  const d = vm.top(op.n);
  if (d.k !== 'list' && d.k !== 'set') vm.fail(`${op.orig} without a display`);
  const fromConst = v.k === 'const' && (v.v.type === 'tuple' || v.v.type === 'frozenset') ? v.v.items : null;
  const added: Expr[] = fromConst && d.elts.length === 0 ? fromConst.map(constE) : [{ k: 'starred', e: v }];
  grow(vm, op.n, d, added);
}

function updateDict(vm: CodeExecutor, op: Op): void {
  const v = vm.popE();
  const d = vm.top(op.n);
  if (d.k !== 'dict') vm.fail(`${op.orig} without a dict`);
  grow(vm, op.n, d, [], [{ key: null, value: v }]);
}

function listToTuple(vm: CodeExecutor): void {
  const l = vm.popE();
  if (l.k !== 'list') vm.fail('LIST_TO_TUPLE without a list');
  vm.push({ k: 'tuple', elts: l.elts });
}

function buildUnpacked(vm: CodeExecutor, op: Op): void {
  const parts = vm.popN(op.n).map((x) => vm.ex(x));
  const elts: Expr[] = [];
  for (const p of parts) {
    if (p.k === 'tuple' || (p.k === 'list' && op.op === 'BUILD_LIST_UNPACK') || (p.k === 'set' && op.op === 'BUILD_SET_UNPACK')) elts.push(...p.elts);
    else if (p.k === 'const' && p.v.type === 'tuple') elts.push(...p.v.items.map(constE));
    else elts.push({ k: 'starred', e: p });
  }
  const kind = op.op === 'BUILD_LIST_UNPACK' ? 'list' : op.op === 'BUILD_SET_UNPACK' ? 'set' : 'tuple';
  vm.push({ k: kind, elts });
}

function buildMapUnpacked(vm: CodeExecutor, op: Op): void {
  const parts = vm.popN(op.n & 0xff).map((x) => vm.ex(x));
  const items: { key: Expr | null; value: Expr }[] = [];
  for (const p of parts) {
    if (p.k === 'dict') items.push(...p.items);
    else items.push({ key: null, value: p });
  }
  vm.push({ k: 'dict', items });
}

function addItem(vm: CodeExecutor, op: Op): void {
  let key: Expr | null = null;
  let value: Expr;
  if (op.op === 'MAP_ADD') {
    value = vm.popE();
    key = vm.popE();
  } else if (op.op === 'MAP_ADD_KEY_ON_TOP') {
    key = vm.popE();
    value = vm.popE();
  } else value = vm.popE();
  const accSv = vm.top(op.n);
  const kind = op.op === 'LIST_APPEND' ? 'list' : op.op === 'SET_ADD' ? 'set' : 'dict';
  // Outside a loop it is a long display built one item at a time (3.11+ for > 30 items).
  if (accSv.k === kind && (vm.displayDepth.get(accSv) ?? 0) >= vm.frames.length) {
    grow(vm, op.n, accSv, [value], [{ key, value }]);
    return;
  }
  const acc = toAcc(vm, accSv, kind);
  if (kind === 'dict') {
    acc.elt = key;
    acc.value = value;
  } else acc.elt = value;
  acc.gens = vm.claimLoops(vm.frames.slice(acc.depth));
}

/**
 * Adds elements (or dict items) to the display at `depth`. A display that a saved path also holds (3.12+
 * copies code into both branches of a conditional) is replaced by an extended copy; otherwise it grows in
 * place, so a long display built one item at a time stays linear.
 */
function grow(vm: CodeExecutor, depth: number, display: Extract<Expr, { k: 'list' | 'set' | 'dict' }>, elts: Expr[], items: { key: Expr | null; value: Expr }[] = []): void {
  if (!vm.shared.has(display)) {
    if (display.k === 'dict') for (const it of items) display.items.push(it);
    else for (const e of elts) display.elts.push(e);
    return;
  }
  replaceTop(vm, depth, display.k === 'dict' ? { ...display, items: [...display.items, ...items] } : { ...display, elts: [...display.elts, ...elts] });
}

/** Replaces the value at `depth` (keeping its display depth). */
function replaceTop(vm: CodeExecutor, depth: number, e: Expr): void {
  const s = vm.st();
  const old = s[s.length - depth];
  const d = vm.displayDepth.get(old);
  if (d !== undefined) vm.displayDepth.set(e, d);
  s[s.length - depth] = e;
}

function display<T extends Expr>(vm: CodeExecutor, e: T): T {
  vm.displayDepth.set(e, vm.frames.length);
  return e;
}

/** Turns an empty display on the stack into a comprehension accumulator (in place: snapshots share it). */
function toAcc(vm: CodeExecutor, sv: SV, kind: 'list' | 'set' | 'dict'): Extract<Marker, { k: '$acc' }> {
  if (sv.k === '$acc') return sv;
  if (sv.k !== kind) vm.fail(`${kind} comprehension without its accumulator`);
  const depth = vm.displayDepth.get(sv) ?? 0;
  const rec = sv as unknown as Record<string, unknown>;
  for (const key of Object.keys(rec)) delete rec[key];
  const acc = Object.assign(rec, { k: '$acc', kind, elt: null, value: null, gens: [], depth });
  return acc as unknown as Extract<Marker, { k: '$acc' }>;
}

export const DISPLAY_OPS: HandlerTable = {
  BUILD_TUPLE: buildTuple,
  BUILD_LIST: buildList,
  BUILD_SET: buildSet,
  BUILD_MAP: buildMap,
  STORE_MAP: storeMap,
  BUILD_CONST_KEY_MAP: buildConstKeyMap,
  LIST_EXTEND: extendDisplay,
  SET_UPDATE: extendDisplay,
  DICT_UPDATE: updateDict,
  DICT_MERGE: updateDict,
  LIST_TO_TUPLE: listToTuple,
  BUILD_TUPLE_UNPACK: buildUnpacked,
  BUILD_TUPLE_UNPACK_WITH_CALL: buildUnpacked,
  BUILD_LIST_UNPACK: buildUnpacked,
  BUILD_SET_UNPACK: buildUnpacked,
  BUILD_MAP_UNPACK: buildMapUnpacked,
  BUILD_MAP_UNPACK_WITH_CALL: buildMapUnpacked,
  LIST_APPEND: addItem,
  SET_ADD: addItem,
  MAP_ADD: addItem,
  MAP_ADD_KEY_ON_TOP: addItem,
};
