/**
 * Facts gathered over a code object and every code object nested in its constants:
 * names (first-seen order, unique) and str/bytes constants (first-seen order, unique).
 */
import type { CodeObject, PyValue } from './objects';
import { reprBytes } from './repr';

/** Pre-order walk over a code object and its nested code objects (constants, any depth). */
export function walkCodeObjects(code: CodeObject, visit: (c: CodeObject, path: string[]) => void): void {
  const seen = new Set<CodeObject>();
  const go = (c: CodeObject, path: string[]): void => {
    if (seen.has(c)) return;
    seen.add(c);
    const here = [...path, c.name];
    visit(c, here);
    for (const k of c.consts) forEachNestedCode(k, (n) => go(n, here));
  };
  go(code, []);
}

function forEachNestedCode(v: PyValue, f: (c: CodeObject) => void): void {
  switch (v.type) {
    case 'code':
      f(v.code);
      break;
    case 'tuple':
    case 'list':
    case 'set':
    case 'frozenset':
      for (const x of v.items) forEachNestedCode(x, f);
      break;
    case 'dict':
      for (const [k, x] of v.entries) {
        forEachNestedCode(k, f);
        forEachNestedCode(x, f);
      }
      break;
    case 'slice':
      forEachNestedCode(v.start, f);
      forEachNestedCode(v.stop, f);
      forEachNestedCode(v.step, f);
      break;
    default:
  }
}

/** Every name: co_names, then varnames, freevars, cellvars, per code object in pre-order. */
export function collectNames(code: CodeObject): string[] {
  const out = new Set<string>();
  walkCodeObjects(code, (c) => {
    for (const list of [c.names, c.varnames, c.freevars, c.cellvars]) for (const n of list) out.add(n);
  });
  return [...out];
}

/**
 * Every str/bytes constant (inside tuples/sets/dicts too). str as its text; bytes as their text when they
 * are printable ASCII/UTF-8, else as a b'…' repr, so nothing binary leaks into the list unescaped.
 */
export function collectStrings(code: CodeObject): string[] {
  const out = new Set<string>();
  const visitValue = (v: PyValue): void => {
    switch (v.type) {
      case 'str':
        out.add(v.value);
        break;
      case 'bytes':
        out.add(bytesAsText(v.value));
        break;
      case 'tuple':
      case 'list':
      case 'set':
      case 'frozenset':
        v.items.forEach(visitValue);
        break;
      case 'dict':
        for (const [k, x] of v.entries) {
          visitValue(k);
          visitValue(x);
        }
        break;
      case 'slice':
        visitValue(v.start);
        visitValue(v.stop);
        visitValue(v.step);
        break;
      default:
    }
  };
  walkCodeObjects(code, (c) => {
    for (const k of c.consts) if (k.type !== 'code') visitValue(k);
  });
  return [...out];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function bytesAsText(b: Uint8Array): string {
  try {
    const s = utf8.decode(b);
    // Control characters other than whitespace mean "binary": show the repr instead.
    if (!/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s)) return s;
  } catch {
    /* not UTF-8 */
  }
  return 'b' + reprBytes(b);
}

/** Bytes of bytecode in a code object and every code object nested in its constants (each counted once). */
export function totalBytecode(code: CodeObject): number {
  let total = 0;
  walkCodeObjects(code, (c) => (total += c.code.length));
  return total;
}
