/** Random marshal streams and marshal-aware mutations (lying lengths, deep nesting, ref tables, code objects). */
import { join } from './mutate';
import type { Rng } from './prng';
import { sized } from './profile';

class Out {
  parts: number[] = [];
  u8(v: number) {
    this.parts.push(v & 0xff);
  }
  i32(v: number) {
    for (let i = 0; i < 4; i++) this.parts.push((v >>> (8 * i)) & 0xff);
  }
  raw(b: ArrayLike<number>) {
    for (let i = 0; i < b.length; i++) this.parts.push(b[i]);
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

const NAMES = ['x', 'os', 'system', 'eval', 'exec', '<lambda>', 'golden.py', 'subprocess', '__import__', 'b64decode'];

/** Length field: right most of the time, lying sometimes. */
function len(rng: Rng, real: number): number {
  return rng.chance(0.93) ? real : rng.interestingInt();
}

function str(o: Out, rng: Rng, s: string, flagRef: boolean): void {
  const b = new TextEncoder().encode(s);
  const kind = rng.pick(['z', 'Z', 'a', 'u', 't', 's']);
  o.u8(kind.charCodeAt(0) | (flagRef && rng.chance(0.5) ? 0x80 : 0));
  if (kind === 'z' || kind === 'Z') o.u8(rng.chance(0.95) ? b.length : rng.int(256));
  else o.i32(len(rng, b.length));
  o.raw(b);
}

function tupleOf(o: Out, rng: Rng, depth: number, n: number, item: () => void): void {
  if (n < 256 && rng.chance(0.6)) {
    o.u8(0x29 | 0x80 * (rng.chance(0.3) ? 1 : 0));
    o.u8(n);
  } else {
    o.u8(0x28);
    o.i32(len(rng, n));
  }
  for (let i = 0; i < n; i++) item();
  void depth;
}

function value(o: Out, rng: Rng, depth: number): void {
  const ref = rng.chance(0.3) ? 0x80 : 0;
  const pick = rng.int(depth > 6 ? 9 : 14);
  switch (pick) {
    case 0:
      return o.u8(rng.pick([0x4e, 0x46, 0x54, 0x2e, 0x53]));
    case 1:
      o.u8(0x69 | ref);
      return o.i32(rng.interestingInt());
    case 2:
      o.u8(0x67 | ref);
      return o.raw(rng.bytes(8));
    case 3: {
      o.u8(0x6c | ref);
      const n = rng.pick([0, 1, 2, -3, 5, 0x1000001, -0x7fffffff]);
      o.i32(n);
      for (let i = 0; i < Math.min(Math.abs(n), 8); i++) o.raw([rng.int(256), rng.int(128)]);
      return;
    }
    case 4:
      return str(o, rng, rng.pick(NAMES), ref !== 0);
    case 5:
      o.u8(0x73 | ref);
      o.i32(len(rng, 4));
      return o.raw(rng.bytes(4));
    case 6:
      o.u8(0x72);
      return o.i32(rng.chance(0.7) ? rng.int(8) : rng.interestingInt());
    case 7:
      o.u8(0x66 | ref);
      o.u8(3);
      return o.raw(new TextEncoder().encode(rng.pick(['1.5', 'nan', 'inf', '1e9', 'abc'])));
    case 8:
      o.u8(0x30);
      return;
    case 9:
    case 10:
      return tupleOf(o, rng, depth, rng.int(5), () => value(o, rng, depth + 1));
    case 11: {
      o.u8(0x7b | ref);
      for (let i = rng.int(4); i > 0; i--) (value(o, rng, depth + 1), value(o, rng, depth + 1));
      return o.u8(0x30);
    }
    case 12:
      o.u8(rng.pick([0x5b, 0x3c, 0x3e, 0x3a]) | ref);
      if (o.parts[o.parts.length - 1] % 128 === 0x3a) {
        for (let i = 0; i < 3; i++) value(o, rng, depth + 1);
        return;
      }
      o.i32(2);
      value(o, rng, depth + 1);
      return value(o, rng, depth + 1);
    default:
      return code(o, rng, depth + 1);
  }
}

/** A code object in one of the layouts (py2 / py30 / py38 / py311), with random but mostly well-typed fields. */
export function code(o: Out, rng: Rng, depth: number): void {
  const layout = rng.pick(['py2', 'py30', 'py38', 'py311']);
  o.u8(layout === 'py2' ? 0x63 : 0xe3);
  const small = () => o.i32(rng.chance(0.9) ? rng.int(4) : rng.interestingInt());
  small(); // argcount
  if (layout === 'py38' || layout === 'py311') small();
  if (layout !== 'py2') small();
  if (layout !== 'py311') small(); // nlocals
  small(); // stacksize
  o.i32(rng.chance(0.9) ? rng.pick([0x43, 0x3, 0x13, 0x40]) : rng.interestingInt());
  const bc = rng.bytes(2 * rng.int(12));
  o.u8(0x73);
  o.i32(len(rng, bc.length));
  o.raw(bc);
  tupleOf(o, rng, depth, rng.int(4), () => (depth < 5 && rng.chance(0.2) ? code(o, rng, depth + 1) : value(o, rng, depth + 1)));
  const names = (n: number) => tupleOf(o, rng, depth, n, () => str(o, rng, rng.pick(NAMES), true));
  names(rng.int(4));
  if (layout === 'py311') {
    const n = rng.int(3);
    names(n);
    o.u8(0x73);
    o.i32(len(rng, n));
    o.raw(Array.from({ length: n }, () => rng.pick([0x20, 0x40, 0x80, 0x26])));
  } else {
    names(rng.int(3));
    names(rng.int(2));
    names(rng.int(2));
  }
  str(o, rng, 'golden.py', true);
  str(o, rng, '<lambda>', true);
  if (layout === 'py311') str(o, rng, '<lambda>', true);
  o.i32(rng.int(100));
  o.u8(0x73);
  o.i32(len(rng, 4));
  o.raw(rng.bytes(4));
  if (layout === 'py311') {
    o.u8(0x73);
    o.i32(0);
  }
}

/** A fresh random marshal stream whose top object is (usually) a code object. */
export function randomMarshal(rng: Rng): Uint8Array {
  const o = new Out();
  if (rng.chance(0.85)) code(o, rng, 0);
  else value(o, rng, 0);
  return o.bytes();
}

/** Marshal-aware edits: lying length after a length-taking type code, deep nesting, ref bombs. */
export function mutateMarshal(rng: Rng, input: Uint8Array, recipe: string[]): Uint8Array {
  switch (rng.int(5)) {
    case 0: {
      // A type code that takes an int32 length/count: overwrite the length.
      const sites: number[] = [];
      for (let i = 0; i + 5 <= input.length; i++) if ('stuaA([<>ri'.includes(String.fromCharCode(input[i] & 0x7f))) sites.push(i);
      if (!sites.length) break;
      const at = rng.pick(sites);
      const out = input.slice();
      new DataView(out.buffer).setUint32(at + 1, rng.interestingInt() >>> 0, true);
      recipe.push('marshal:lying-length');
      return out;
    }
    case 1: {
      const levels = rng.pick(sized([100, 199, 200, 201, 2000, 100_000], [100, 199, 200, 201, 2000]));
      recipe.push(`marshal:nest-${levels}`);
      // Deep small tuples wrapped around the stream (top-level no longer a code object: exercises the limits).
      const prefix = new Uint8Array(levels * 2);
      for (let i = 0; i < levels; i++) (prefix[2 * i] = 0x29), (prefix[2 * i + 1] = 1);
      return join(input.subarray(0, 1), prefix, input.subarray(1));
    }
    case 2: {
      const n = rng.pick(sized([1000, 100_000, 400_000], [100, 1000]));
      recipe.push(`marshal:ref-bomb-${n}`);
      // A list of n FLAG_REF ints followed by refs into the table, put in front of the code stream as a const.
      const o = new Out();
      o.u8(0x5b);
      o.i32(2 * n);
      for (let i = 0; i < n; i++) (o.u8(0xe9), o.i32(i));
      for (let i = 0; i < n; i++) (o.u8(0x72), o.i32(rng.int(n + 2)));
      return join(input, o.bytes());
    }
    case 3: {
      const n = rng.pick(sized([70_000, 1_000_000], [1000, 70_000]));
      recipe.push(`marshal:wide-tuple-${n}`);
      const o = new Out();
      o.u8(0x28);
      o.i32(n);
      for (let i = 0; i < n; i++) o.u8(0x4e);
      return join(input.subarray(0, Math.min(input.length, 32)), o.bytes(), input.subarray(32));
    }
    default: {
      recipe.push('marshal:code-splice');
      const o = new Out();
      code(o, rng, 0);
      const at = rng.int(input.length + 1);
      return join(input.subarray(0, at), o.bytes(), input.subarray(at));
    }
  }
  return input;
}
