/** Random protobuf wire streams and protobuf-aware edits (huge/lying length prefixes, deep nesting, groups). */
import { join } from './mutate';
import type { Rng } from './prng';
import { sized } from './profile';

function varint(v: bigint | number): number[] {
  let x = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  do {
    let b = Number(x & 0x7fn);
    x >>= 7n;
    if (x !== 0n) b |= 0x80;
    out.push(b);
  } while (x !== 0n);
  return out;
}

function field(rng: Rng, depth: number): number[] {
  const n = rng.chance(0.8) ? rng.range(1, 15) : rng.pick([0, 19000, 536870911, 536870912]);
  const wt = rng.chance(0.5) ? 2 : rng.pick([0, 1, 3, 4, 5, 6, 7]);
  const tag = varint(n * 8 + wt);
  switch (wt) {
    case 0:
      return [...tag, ...varint(rng.chance(0.8) ? rng.int(300) : -1n)];
    case 1:
      return [...tag, ...rng.bytes(8)];
    case 5:
      return [...tag, ...rng.bytes(4)];
    case 2: {
      const body = depth < 8 && rng.chance(0.6) ? message(rng, depth + 1) : Array.from(new TextEncoder().encode(rng.pick(['serve', 'PyFunc', '_tf_keras_layer', '{"class_name": "Lambda"}', 'ReadFile'])));
      const l = rng.chance(0.93) ? body.length : rng.pick([rng.interestingInt(), 2 ** 40, 2 ** 63]);
      return [...tag, ...varint(BigInt(l)), ...body];
    }
    case 3:
      return [...tag, ...message(rng, depth + 1), ...(rng.chance(0.8) ? varint(n * 8 + 4) : [])];
    default:
      return tag;
  }
}

function message(rng: Rng, depth: number): number[] {
  const out: number[] = [];
  for (let i = rng.range(0, depth > 4 ? 2 : 6); i > 0; i--) out.push(...field(rng, depth));
  return out;
}

/** A random stream that starts like a SavedModel or SavedMetadata (so the detector parses it). */
export function randomProtobuf(rng: Rng): Uint8Array {
  const start = rng.pick([[0x08, 0x01], [0x0a], [0x12]]);
  if (start.length === 2) return Uint8Array.from([...start, ...message(rng, 0)]);
  const body = message(rng, 1);
  return Uint8Array.from([...start, ...varint(body.length), ...body, ...message(rng, 0)]);
}

/** Deeply nested length-delimited messages (depth bound) or an overlong varint. */
export function protobufBomb(rng: Rng, recipe: string[]): Uint8Array {
  if (rng.chance(0.5)) {
    const levels = rng.pick(sized([63, 64, 65, 1000, 20000], [63, 64, 65, 1000]));
    recipe.push(`pb:nest-${levels}`);
    // Built from the inside out into one buffer (lengths stay consistent) without quadratic copying.
    const heads: number[][] = [];
    let size = 2;
    for (let i = 0; i < levels; i++) {
      const head = [0x12, ...varint(size)];
      heads.push(head);
      size += head.length;
    }
    const out = new Uint8Array(size);
    let o = 0;
    for (let i = heads.length - 1; i >= 0; i--) (out.set(heads[i], o), (o += heads[i].length));
    out.set([0x08, 0x01], o);
    return out;
  }
  recipe.push('pb:overlong-varint');
  return join(Uint8Array.of(0x08), new Uint8Array(rng.pick([10, 11, 100, 100000])).fill(0xff), Uint8Array.of(0x01));
}

/** Rewrites a varint at a length-delimited tag into a lying value. */
export function mutateProtobuf(rng: Rng, input: Uint8Array, recipe: string[]): Uint8Array {
  const sites: number[] = [];
  for (let i = 0; i + 1 < input.length; i++) if ((input[i] & 7) === 2 && input[i] < 0x80) sites.push(i);
  if (!sites.length) return input;
  const at = rng.pick(sites) + 1;
  let end = at;
  while (end < input.length && input[end] & 0x80) end++;
  recipe.push('pb:lying-length');
  return join(input.subarray(0, at), Uint8Array.from(varint(BigInt(rng.pick([rng.interestingInt(), 2 ** 31, 2 ** 53, 2 ** 64 - 1])))), input.subarray(end + 1));
}
