/** Random pickle opcode streams (lying lengths, mark/stack/memo floods) and pickle-aware edits. Never loaded, only scanned. */
import { join } from './mutate';
import type { Rng } from './prng';
import { sized } from './profile';

const MODULES = ['builtins', 'os', 'posix', 'subprocess', 'torch._utils', 'collections', 'numpy.core.multiarray', '__builtin__', 'nt'];
const NAMES = ['eval', 'exec', 'system', 'OrderedDict', '_rebuild_tensor_v2', 'getattr', 'Popen', 'reconstruct', 'apply'];

function u32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}
function u64(lo: number, hi = 0): number[] {
  return [...u32(lo), ...u32(hi)];
}
const ascii = (s: string) => Array.from(new TextEncoder().encode(s));

function len(rng: Rng, real: number): number {
  return rng.chance(0.95) ? real : rng.interestingInt();
}

function op(rng: Rng): number[] {
  const s = rng.pick([...NAMES, ...MODULES, 'x', '']);
  const b = ascii(s);
  switch (rng.int(40)) {
    case 0: return [0x63, ...ascii(`${rng.pick(MODULES)}\n${rng.pick(NAMES)}\n`)];
    case 1: return [0x93];
    case 2: return [0x8c, len(rng, b.length) & 0xff, ...b];
    case 3: return [0x58, ...u32(len(rng, b.length)), ...b];
    case 4: return [0x8d, ...u64(len(rng, b.length), rng.chance(0.05) ? 0xffffffff : 0), ...b];
    case 5: return [0x42, ...u32(len(rng, 3)), 1, 2, 3];
    case 6: return [0x43, len(rng, 2) & 0xff, 1, 2];
    case 7: return [0x4a, ...u32(rng.interestingInt())];
    case 8: return [0x4b, rng.int(256)];
    case 9: return [0x8a, len(rng, 2) & 0xff, 1, 2];
    case 10: return [0x8b, ...u32(len(rng, 1)), 5];
    case 11: case 12: return [0x28];
    case 13: return [0x74];
    case 14: return [rng.pick([0x85, 0x86, 0x87])];
    case 15: return [rng.pick([0x29, 0x5d, 0x7d, 0x8f])];
    case 16: return [rng.pick([0x61, 0x65, 0x73, 0x75, 0x90, 0x91, 0x6c, 0x64])];
    case 17: case 18: return [0x52];
    case 19: return [0x62];
    case 20: return [rng.pick([0x81, 0x92, 0x6f])];
    case 21: return [0x69, ...ascii(`${rng.pick(MODULES)}\n${rng.pick(NAMES)}\n`)];
    case 22: return [0x71, rng.int(256)];
    case 23: return [0x72, ...u32(rng.chance(0.8) ? rng.int(16) : rng.interestingInt())];
    case 24: return [0x94];
    case 25: return [0x68, rng.int(16)];
    case 26: return [0x6a, ...u32(rng.chance(0.8) ? rng.int(16) : rng.interestingInt())];
    case 27: return [0x67, ...ascii(`${rng.pick(['1', '-1', '99999999999999999999', 'x', ''])}\n`)];
    case 28: return [0x70, ...ascii(`${rng.pick(['1', '0', '-5', '1e9', ''])}\n`)];
    case 29: return [0x49, ...ascii(`${rng.pick(['01', '00', '123', '-9', 'zz', '9'.repeat(400)])}\n`)];
    case 30: return [0x4c, ...ascii(`${rng.pick(['5L', '-1', '9'.repeat(5000)])}\n`)];
    case 31: return [0x53, ...ascii(`${rng.pick(["'os'", '"system"', "'\\x41'", "'unterminated", 'bare'])}\n`)];
    case 32: return [0x56, ...ascii(`${rng.pick(['eval', '\\u0041', '\\ud800'])}\n`)];
    case 33: return [0x46, ...ascii(`${rng.pick(['1.5', 'nan', 'x'])}\n`)];
    case 34: return [0x47, ...rng.bytes(8)];
    case 35: return [rng.pick([0x4e, 0x88, 0x89, 0x30, 0x31, 0x32])];
    case 36: return [0x50, ...ascii('pid\n')];
    case 37: return [rng.pick([0x51, 0x97, 0x98])];
    case 38: return [rng.pick([0x82, 0x83, 0x84]), 1, 0, 0, 0];
    default: return [0x95, ...u64(len(rng, 8), rng.chance(0.05) ? 0x7fffffff : 0)];
  }
}

/** A random pickle stream: PROTO, random opcodes, usually STOP; sometimes several pickles. */
export function randomPickle(rng: Rng): Uint8Array {
  const out: number[] = [];
  const pickles = rng.chance(0.9) ? 1 : rng.range(2, 4);
  for (let p = 0; p < pickles; p++) {
    out.push(0x80, rng.chance(0.95) ? rng.range(2, 5) : rng.int(256));
    for (let i = rng.range(1, 60); i > 0; i--) out.push(...op(rng));
    if (rng.chance(0.9)) out.push(0x2e);
  }
  return Uint8Array.from(out);
}

/** Floods that probe the scanner's limits: marks, DUPs, memo entries, long strings. */
export function pickleFlood(rng: Rng, recipe: string[]): Uint8Array {
  const n = rng.pick(sized([10_000, 300_000, 1_100_000], [1000, 10_000]));
  const kind = rng.pick(['mark', 'dup', 'memo', 'get', 'string']);
  recipe.push(`pickle:flood-${kind}-${n}`);
  const head = [0x80, 4, 0x4e];
  let body: Uint8Array;
  switch (kind) {
    case 'mark':
      body = new Uint8Array(n).fill(0x28);
      break;
    case 'dup':
      body = new Uint8Array(n).fill(0x32);
      break;
    case 'memo':
      body = new Uint8Array(n).fill(0x94);
      break;
    case 'get': {
      body = new Uint8Array(2 + n * 2);
      body[0] = 0x94;
      body[1] = 0x30;
      for (let i = 0; i < n; i++) (body[2 + 2 * i] = 0x68), (body[3 + 2 * i] = 0);
      break;
    }
    default: {
      body = new Uint8Array(5 + n);
      body[0] = 0x58;
      new DataView(body.buffer).setUint32(1, n, true);
      body.fill(0x41, 5);
    }
  }
  return join(Uint8Array.from(head), body, Uint8Array.of(0x2e));
}

/** Inserts random opcodes into an existing pickle. */
export function mutatePickle(rng: Rng, input: Uint8Array, recipe: string[]): Uint8Array {
  recipe.push('pickle:insert-ops');
  const ops: number[] = [];
  for (let i = rng.range(1, 6); i > 0; i--) ops.push(...op(rng));
  const at = rng.int(input.length + 1);
  return join(input.subarray(0, at), Uint8Array.from(ops), input.subarray(at));
}
