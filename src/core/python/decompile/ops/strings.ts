/**
 * f-strings: conversions, format specs and the joined string.
 */
import { fparts } from '../tree';
import type { CodeExecutor, HandlerTable } from '../exec';
import type { Op } from '../normalize';

function formatValue(vm: CodeExecutor, op: Op): void {
  const spec = op.n & 4 ? vm.popE() : null;
  const e = vm.popE();
  const conv = (['', 's', 'r', 'a'] as const)[op.n & 3];
  vm.push({ k: 'fstr', parts: [{ e, conv, spec: spec ? fparts(spec) : null }] });
}

function convertValue(vm: CodeExecutor, op: Op): void {
  const e = vm.popE();
  vm.push({ k: '$conv', e, conv: (['', 's', 'r', 'a'] as const)[op.n] ?? '' });
}

function formatSimple(vm: CodeExecutor, op: Op): void {
  const spec = op.op === 'FORMAT_WITH_SPEC' ? vm.popE() : null;
  const v = vm.pop();
  const e = v.k === '$conv' ? v.e : vm.ex(v);
  const conv = v.k === '$conv' ? v.conv : '';
  vm.push({ k: 'fstr', parts: [{ e, conv, spec: spec ? fparts(spec) : null }] });
}

function buildString(vm: CodeExecutor, op: Op): void {
  const items = vm.popN(op.n).map((x) => vm.ex(x));
  vm.push({ k: 'fstr', parts: items.flatMap((x) => fparts(x)) });
}

export const STRING_OPS: HandlerTable = {
  FORMAT_VALUE: formatValue,
  CONVERT_VALUE: convertValue,
  FORMAT_SIMPLE: formatSimple,
  FORMAT_WITH_SPEC: formatSimple,
  BUILD_STRING: buildString,
};
