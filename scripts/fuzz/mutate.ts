/** Byte-level mutations shared by every format: flips, insertions, deletions, truncation, splices, lying ints. */
import type { Rng } from './prng';

export type ByteMutator = (rng: Rng, input: Uint8Array, other: () => Uint8Array) => Uint8Array;

/** Positions near the start (headers) are chosen more often than a uniform pick would. */
function position(rng: Rng, length: number): number {
  if (length === 0) return 0;
  if (rng.chance(0.5)) return rng.int(Math.min(length, 4096));
  return rng.int(length);
}

export const bitFlips: ByteMutator = (rng, input) => {
  const out = input.slice();
  const n = rng.range(1, 8);
  for (let i = 0; i < n && out.length; i++) out[position(rng, out.length)] ^= 1 << rng.int(8);
  return out;
};

export const byteSets: ByteMutator = (rng, input) => {
  const out = input.slice();
  const n = rng.range(1, 6);
  for (let i = 0; i < n && out.length; i++) out[position(rng, out.length)] = rng.pick([0, 0xff, 0x7f, 0x80, 0x01, rng.int(256)]);
  return out;
};

export const insertBytes: ByteMutator = (rng, input) => {
  const at = position(rng, input.length + 1);
  const n = rng.pick([1, 2, 4, 8, rng.range(1, 64), rng.range(64, 4096)]);
  const fill = rng.chance(0.5) ? rng.bytes(n) : new Uint8Array(n).fill(rng.int(256));
  return join(input.subarray(0, at), fill, input.subarray(at));
};

export const deleteRange: ByteMutator = (rng, input) => {
  if (input.length < 2) return input.slice();
  const at = position(rng, input.length);
  const n = Math.min(input.length - at, rng.pick([1, 2, 4, 8, rng.range(1, 256), rng.range(256, 8192)]));
  return join(input.subarray(0, at), input.subarray(at + n));
};

export const truncate: ByteMutator = (rng, input) => input.slice(0, rng.int(input.length + 1));

/** Copies a chunk and inserts it elsewhere (duplicated fields, repeated records). */
export const duplicateRange: ByteMutator = (rng, input) => {
  if (input.length === 0) return input.slice();
  const from = position(rng, input.length);
  const n = Math.min(input.length - from, rng.range(1, 512));
  const to = position(rng, input.length + 1);
  const times = rng.pick([1, 1, 2, 16, 256]);
  const chunk = input.subarray(from, from + n);
  return join(input.subarray(0, to), ...new Array<Uint8Array>(times).fill(chunk), input.subarray(to));
};

/** Writes an interesting 8/16/32/64-bit value (huge length prefixes, negative counts, off-by-one) somewhere. */
export const lyingInt: ByteMutator = (rng, input) => {
  const out = input.slice();
  if (out.length === 0) return out;
  const at = position(rng, out.length);
  const v = rng.interestingInt();
  const width = rng.pick([1, 2, 4, 4, 8]);
  const be = rng.chance(0.2);
  for (let i = 0; i < width && at + i < out.length; i++) {
    const shift = (be ? width - 1 - i : i) * 8;
    out[at + i] = shift >= 32 ? (v < 0 ? 0xff : 0) : (v >>> shift) & 0xff;
  }
  return out;
};

/** Head of this input, tail of another one (same format most of the time). */
export const splice: ByteMutator = (rng, input, other) => {
  const b = other();
  const cutA = rng.int(input.length + 1);
  const cutB = rng.int(b.length + 1);
  return join(input.subarray(0, cutA), b.subarray(cutB));
};

export const BYTE_MUTATORS: Record<string, ByteMutator> = {
  bitFlips,
  byteSets,
  insertBytes,
  deleteRange,
  truncate,
  duplicateRange,
  lyingInt,
  splice,
};

/** Applies 1–4 random byte mutations; returns the result and the names applied (the recipe). */
export function mutateBytes(rng: Rng, input: Uint8Array, other: () => Uint8Array, recipe: string[]): Uint8Array {
  let out = input;
  const names = Object.keys(BYTE_MUTATORS);
  const n = rng.pick([1, 1, 1, 2, 2, 3, 4]);
  for (let i = 0; i < n; i++) {
    const name = rng.pick(names);
    // Truncation first would make later edits pointless; keep it rarer.
    if (name === 'truncate' && i < n - 1) continue;
    recipe.push(name);
    out = BYTE_MUTATORS[name](rng, out, other);
  }
  return out;
}

export function join(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
