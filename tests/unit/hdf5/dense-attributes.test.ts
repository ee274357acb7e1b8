/**
 * Dense attribute storage (fractal heap + v2 B-tree name index) read by our bounded parser, checked against
 * h5wasm (the real HDF5 library) on files it writes itself: h5wasm moves an object's attributes to dense
 * storage once it has more than 8. The damaged variants are never given to h5wasm (it would hang).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import h5wasm from 'h5wasm/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAttribute, type AttributeValue } from '../../../src/core/formats/hdf5/attribute';
import { readDenseAttributeMessages } from '../../../src/core/formats/hdf5/dense-attributes';
import { MESSAGE, readHeaderMessages } from '../../../src/core/formats/hdf5/object-header';
import { preflightRootAttributes } from '../../../src/core/formats/hdf5/preflight';
import { Hdf5Damage, Hdf5Unparsed } from '../../../src/core/formats/hdf5/raw';
import { readSuperblock, type Superblock } from '../../../src/core/formats/hdf5/superblock';
import { MemorySource } from '../../../src/core/io/byte-source';

type Value = string | string[] | number | Float64Array | Int32Array;

/** A file written by h5wasm and what h5wasm reads back from it (the oracle). */
interface Generated {
  bytes: Uint8Array;
  names: string[];
  /** Attribute name → its string values as h5wasm reads them (only string-valued attributes). */
  strings: Map<string, string[]>;
}

const dir = mkdtempSync(path.join(tmpdir(), 'lambdalens-dense-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function generate(file: string, attrs: [string, Value][]): Promise<Generated> {
  await h5wasm.ready;
  const at = path.join(dir, file);
  const w = new h5wasm.File(at, 'w');
  for (const [name, value] of attrs) w.create_attribute(name, value);
  w.close();
  const r = new h5wasm.File(at, 'r');
  try {
    const attrs = r.attrs; // built afresh on every access: take it once
    const names = Object.keys(attrs);
    const strings = new Map<string, string[]>();
    for (const name of names) {
      const value: unknown = attrs[name].value;
      if (typeof value === 'string') strings.set(name, [value]);
      else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) strings.set(name, value as string[]);
    }
    return { bytes: new Uint8Array(readFileSync(at)), names, strings };
  } finally {
    r.close();
  }
}

interface Dense {
  sb: Superblock;
  attributes: AttributeValue[];
  /** Relative addresses from the Attribute Info message. */
  heapAddress: number;
  nameIndexAddress: number;
}

async function readDense(bytes: Uint8Array): Promise<Dense> {
  const source = new MemorySource(bytes);
  const sb = await readSuperblock(source, 0);
  const info = (await readHeaderMessages(source, sb, sb.rootHeader)).find((m) => m.type === MESSAGE.attributeInfo);
  if (!info) throw new Error('no Attribute Info message in the root object header');
  const dense = await readDenseAttributeMessages(source, sb, info.data);
  if (!dense) throw new Error('the Attribute Info message declares no dense storage');
  const { messages, skipped } = dense;
  // a record that cannot be read counts as a failure of the whole read here
  if (skipped.length > 0) throw new Hdf5Unparsed(skipped.join('; '));
  const heapAt = 2 + (info.data[1] & 0x01 ? 2 : 0);
  return {
    sb,
    attributes: messages.map((m) => parseAttribute(m, sb)),
    heapAddress: le(bytes, info.offset + heapAt, sb.offsetSize),
    nameIndexAddress: le(bytes, info.offset + heapAt + sb.offsetSize, sb.offsetSize),
  };
}

function le(b: Uint8Array, at: number, size: number): number {
  let v = 0;
  for (let i = size - 1; i >= 0; i--) v = v * 256 + b[at + i];
  return v;
}

const sig = (b: Uint8Array, at: number) => String.fromCharCode(...b.subarray(at, at + 4));
const utf8 = (s: string) => new TextEncoder().encode(s).length;

/** Test-side reading of the few header fields the structural assertions need (h5wasm writes 8-byte fields). */
function btreeDepth(b: Uint8Array, at: number): number {
  expect(sig(b, at)).toBe('BTHD');
  return le(b, at + 12, 2);
}

interface HeapShape {
  rootAddress: number;
  rootRows: number;
  maxDirectRows: number;
  width: number;
  /** File offset of the root indirect block's first child address. */
  rootEntries: number;
}

function heapShape(b: Uint8Array, at: number): HeapShape {
  expect(sig(b, at)).toBe('FRHP');
  const p = 14 + 2 * 8 + 2 * 8 + 8 * 8; // fixed fields, huge/free-space fields, statistics
  const width = le(b, at + p, 2);
  const start = le(b, at + p + 2, 8);
  const maxDirect = le(b, at + p + 10, 8);
  const heapBits = le(b, at + p + 18, 2);
  const rootAddress = le(b, at + p + 22, 8);
  return {
    width,
    rootAddress,
    rootRows: le(b, at + p + 30, 2),
    maxDirectRows: Math.log2(maxDirect) - Math.log2(start) + 2,
    // signature and version, heap header address, block offset (as many bytes as the heap's address bits need)
    rootEntries: rootAddress + 5 + 8 + Math.ceil(heapBits / 8),
  };
}

/** Checks our reading of a dense file against h5wasm's. */
async function expectMatchesOracle(g: Generated): Promise<Dense> {
  const dense = await readDense(g.bytes);
  const ours = dense.attributes.map((a) => a.name);
  expect(ours.length).toBe(g.names.length);
  expect(new Set(ours)).toEqual(new Set(g.names));
  // every string value: our heap reference expects exactly the bytes h5wasm decodes there
  for (const a of dense.attributes) {
    const expected = (g.strings.get(a.name) ?? []).map(utf8);
    expect(a.references.map((r) => r.bytes), a.name).toEqual(expected);
  }
  const stringValues = [...g.strings.values()].flat().filter((s) => s.length > 0).length;
  const pre = await preflightRootAttributes(new MemorySource(g.bytes), 0);
  expect({ verified: pre.verified, heapObjects: pre.heapObjects }).toEqual({ verified: true, heapObjects: stringValues });
  expect(new Set(pre.names)).toEqual(new Set(g.names));
  return dense;
}

// ---------------------------------------------------------------------------------------------------------

let small: Generated; // 12 strings: root direct block, one leaf
let unicode: Generated; // non-ASCII names, string arrays, numbers
let medium: Generated; // B-tree depth 1, root indirect block
let big: Generated; // B-tree depth ≥ 2, nested indirect blocks

function mixed(count: number, longEvery: number): [string, Value][] {
  const attrs: [string, Value][] = [];
  for (let i = 0; i < count; i++) {
    switch (i % 5) {
      case 0:
        // a few long values (5–20 KB) among short ones; long values live in the global heap, not the fractal heap
        attrs.push([`str_${i}`, i % longEvery === 0 ? `long ${i}:`.padEnd(5000 + ((i * 7919) % 15000), 'abcdefghij') : `value ${i} ${'x'.repeat(i % 40)}`]);
        break;
      case 1:
        attrs.push([`num_${i}`, i * 1.5]);
        break;
      case 2:
        attrs.push([`int_${i}`, i]);
        break;
      case 3:
        // some 400-element arrays (~3.2 KB messages, still "managed" heap objects) fill the heap past its direct rows
        attrs.push([`arr_${i}`, new Float64Array(i % 15 === 3 ? 400 : 3).fill(i)]);
        break;
      default:
        attrs.push([`strs_${i}`, [`a${i}`, `bb${i}`, `ccc${i}`]]);
    }
  }
  return attrs;
}

beforeAll(async () => {
  small = await generate(
    'small.h5',
    Array.from({ length: 12 }, (_, i): [string, Value] => [`attr_${i}`, `value number ${i}`]),
  );
  unicode = await generate('unicode.h5', [
    ['café', 'crème brûlée'],
    ['ñandú', 'pájaro'],
    ['日本語の名前', '値'],
    ['emoji 🎉🚀', '🎈'],
    ['Ωμέγα', 42],
    ['Привет мир', new Float64Array([1.5, 2.5])],
    ['naïve', ['один', 'два', 'three']],
    ['plain', 'ascii'],
    ['zero-width\u200bjoiner', 'ok'],
    ['ÅÄÖ', new Int32Array([1, 2, 3, 4])],
  ]);
  medium = await generate('medium.h5', mixed(200, 1_000_000));
  big = await generate('big.h5', mixed(3000, 200));
});

describe('readDenseAttributeMessages on files written by h5wasm', () => {
  it('12 string attributes: root direct block, B-tree of depth 0', async () => {
    const dense = await expectMatchesOracle(small);
    expect(small.names).toHaveLength(12);
    expect(btreeDepth(small.bytes, dense.nameIndexAddress)).toBe(0);
    const heap = heapShape(small.bytes, dense.heapAddress);
    expect(heap.rootRows).toBe(0);
    expect(sig(small.bytes, heap.rootAddress)).toBe('FHDB');
  });

  it('non-ASCII names, string arrays, numbers and numeric arrays', async () => {
    await expectMatchesOracle(unicode);
    expect(unicode.names).toContain('日本語の名前');
    expect(unicode.names).toContain('emoji 🎉🚀');
    expect(unicode.strings.get('naïve')).toEqual(['один', 'два', 'three']);
  });

  it('200 mixed attributes: B-tree internal node over leaves, root indirect block', async () => {
    const dense = await expectMatchesOracle(medium);
    expect(btreeDepth(medium.bytes, dense.nameIndexAddress)).toBe(1);
    const heap = heapShape(medium.bytes, dense.heapAddress);
    expect(heap.rootRows).toBeGreaterThan(0);
    expect(sig(medium.bytes, heap.rootAddress)).toBe('FHIB');
  });

  it('3000 mixed attributes with 5–20 KB strings: deeper B-tree, indirect blocks inside the root indirect block', async () => {
    expect(big.names).toHaveLength(3000);
    expect([...big.strings.values()].flat().some((s) => s.length >= 5000 && s.length <= 20000)).toBe(true);
    const dense = await expectMatchesOracle(big);
    expect(btreeDepth(big.bytes, dense.nameIndexAddress)).toBeGreaterThanOrEqual(2);
    const heap = heapShape(big.bytes, dense.heapAddress);
    expect(sig(big.bytes, heap.rootAddress)).toBe('FHIB');
    // rows past the direct ones hold indirect blocks; at least one of them is allocated and is an FHIB
    expect(heap.rootRows).toBeGreaterThan(heap.maxDirectRows);
    const entries = heap.rootEntries;
    const nested: string[] = [];
    for (let e = heap.maxDirectRows * heap.width; e < heap.rootRows * heap.width; e++) {
      const child = le(big.bytes, entries + e * 8, 8);
      if (child < 2 ** 53) nested.push(sig(big.bytes, child));
    }
    expect(nested.length).toBeGreaterThan(0);
    expect(new Set(nested)).toEqual(new Set(['FHIB']));
  });

  it('tiny heap IDs (data inside the ID) are decoded; IDs of unknown type are refused', async () => {
    // h5wasm never writes tiny attribute messages (they would be ≤ 7 bytes): rewrite one record's heap ID
    const bytes = small.bytes.slice();
    const dense = await readDense(bytes);
    const root = le(bytes, dense.nameIndexAddress + 16, 8);
    expect(sig(bytes, root)).toBe('BTLF');
    const id = root + 6; // first record: 8-byte heap ID, flags, creation order, hash
    bytes.set([0x20 | (5 - 1), ...new TextEncoder().encode('tiny!'), 0, 0], id);
    const source = new MemorySource(bytes);
    const info = (await readHeaderMessages(source, dense.sb, dense.sb.rootHeader)).find((m) => m.type === MESSAGE.attributeInfo)!;
    const { messages } = (await readDenseAttributeMessages(source, dense.sb, info.data))!;
    expect(messages).toHaveLength(12);
    expect(messages.filter((m) => new TextDecoder().decode(m) === 'tiny!')).toHaveLength(1);
    bytes[id] = 0x30; // reserved ID type: that one attribute is skipped with the reason, the others are read
    const after = (await readDenseAttributeMessages(source, dense.sb, info.data))!;
    expect(after.messages).toHaveLength(11);
    expect(after.skipped).toEqual(['fractal heap ID of reserved type']);
  });

  it('an attribute message too large for the heap (a "huge" object) is left to the library', async () => {
    const g = await generate('huge.h5', [
      ...Array.from({ length: 10 }, (_, i): [string, Value] => [`attr_${i}`, `v${i}`]),
      ['big', new Float64Array(1000).fill(2)],
    ]);
    expect(g.names).toContain('big');
    const result = await preflightRootAttributes(new MemorySource(g.bytes), 0);
    expect(result.verified).toBe(false);
    expect(result.reason).toMatch(/huge/);
    // the other ten attributes are still checked
    expect(result.heapObjects).toBe(10);
  });
});

describe('damage behind densely stored attributes', () => {
  /** The collection and objects behind the first string attribute of a dense file (test-side walk). */
  async function firstCollection(bytes: Uint8Array): Promise<{ at: number; objects: { index: number; at: number; size: number }[]; referenced: number }> {
    const dense = await readDense(bytes);
    const ref = dense.attributes.flatMap((a) => a.references).find((r) => r.bytes > 0)!;
    const at = ref.collection;
    expect(sig(bytes, at)).toBe('GCOL');
    const size = le(bytes, at + 8, 8);
    const objects: { index: number; at: number; size: number }[] = [];
    for (let p = at + 16; p + 16 <= at + size; ) {
      const index = le(bytes, p, 2);
      const objectSize = le(bytes, p + 8, 8);
      objects.push({ index, at: p, size: objectSize });
      if (index === 0) break;
      p += 16 + Math.ceil(objectSize / 8) * 8;
    }
    return { at, objects, referenced: ref.index };
  }

  it('a free-space object of size 0 in the global heap: preflight refuses the file', async () => {
    const bytes = small.bytes.slice();
    const { objects } = await firstCollection(bytes);
    const free = objects.find((o) => o.index === 0);
    expect(free, 'collection has a free-space object').toBeDefined();
    bytes.fill(0, free!.at + 8, free!.at + 16);
    await expect(preflightRootAttributes(new MemorySource(bytes), 0)).rejects.toBeInstanceOf(Hdf5Damage);
    // the undamaged file passes: the damage, not the shape, is what is refused
    expect((await preflightRootAttributes(new MemorySource(small.bytes), 0)).verified).toBe(true);
  });

  it('a referenced global heap object whose size disagrees with the attribute: preflight refuses the file', async () => {
    for (const g of [small, big]) {
      const bytes = g.bytes.slice();
      const { objects, referenced } = await firstCollection(bytes);
      const target = objects.find((o) => o.index === referenced)!;
      bytes[target.at + 8] ^= 0x01; // one byte more or less than the value's length
      await expect(preflightRootAttributes(new MemorySource(bytes), 0)).rejects.toBeInstanceOf(Hdf5Damage);
    }
  });

  it('a B-tree child pointer back to the root is cut, not followed', async () => {
    const bytes = medium.bytes.slice();
    const dense = await readDense(bytes);
    const header = dense.nameIndexAddress;
    const root = le(bytes, header + 16, 8);
    const records = le(bytes, header + 24, 2);
    expect(sig(bytes, root)).toBe('BTIN');
    const firstPointer = root + 6 + records * 17; // records of 17 bytes, then (address, count) pairs
    new DataView(bytes.buffer, bytes.byteOffset).setBigUint64(firstPointer, BigInt(root), true);
    await expect(readDense(bytes)).rejects.toThrow(/reached twice/);
    expect(await preflightRootAttributes(new MemorySource(bytes), 0)).toMatchObject({ verified: false });
  });

  it('an indirect block that lists the root indirect block as its child is cut', async () => {
    const bytes = big.bytes.slice();
    const dense = await readDense(bytes);
    const heap = heapShape(bytes, dense.heapAddress);
    const entries = heap.rootEntries;
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    for (let e = heap.maxDirectRows * heap.width; e < heap.rootRows * heap.width; e++) {
      if (le(bytes, entries + e * 8, 8) < 2 ** 53) view.setBigUint64(entries + e * 8, BigInt(heap.rootAddress), true);
    }
    await expect(readDense(bytes)).rejects.toBeInstanceOf(Hdf5Unparsed);
  });
});

describe('random corruption of the B-tree and heap blocks', () => {
  function mulberry32(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /**
   * Byte ranges of the B-tree nodes and heap blocks, found by their signatures; each range stops at the next
   * structure (object header, global heap, free-space manager) so only dense-storage bytes are corrupted.
   */
  function structureRanges(bytes: Uint8Array): [number, number][] {
    const spans: Record<string, number> = { BTHD: 40, BTIN: 512, BTLF: 512, FRHP: 150, FHIB: 600, FHDB: 1024 };
    const others = new Set(['OHDR', 'OCHK', 'GCOL', 'FSHD', 'FSSE']);
    const found: { at: number; span: number }[] = [];
    for (let p = 0; p + 4 <= bytes.length; p++) {
      const s = sig(bytes, p);
      if (spans[s] || others.has(s)) found.push({ at: p, span: spans[s] ?? 0 });
    }
    return found
      .map((f, i): [number, number] => [f.at, Math.min(bytes.length, f.at + f.span, found[i + 1]?.at ?? Infinity)])
      .filter(([start, end]) => end > start);
  }

  it.each([
    ['medium', 400, 1],
    ['big', 60, 2],
  ])('%s file: %i corruptions each end in a result, Hdf5Unparsed or Hdf5Damage', async (which, iterations, seed) => {
    const original = which === 'medium' ? medium.bytes : big.bytes;
    const ranges = structureRanges(original);
    expect(ranges.length).toBeGreaterThan(3);
    const random = mulberry32(seed);
    const pick = (n: number) => Math.floor(random() * n);
    const outcomes = { read: 0, unparsed: 0, damage: 0 };
    for (let i = 0; i < iterations; i++) {
      const bytes = original.slice();
      const [start, end] = ranges[pick(ranges.length)];
      for (let k = 1 + pick(4); k > 0; k--) {
        const at = start + pick(end - start);
        bytes[at] = [0x00, 0xff, pick(256), bytes[at] ^ (1 << pick(8))][pick(4)];
      }
      const source = new MemorySource(bytes);
      try {
        await readDense(bytes);
        outcomes.read++;
      } catch (e) {
        // readDense only runs our parsers: anything but "cannot tell" is a bug
        if (!(e instanceof Hdf5Unparsed)) throw new Error(`iteration ${i}: ${String(e)}`);
        outcomes.unparsed++;
      }
      try {
        await preflightRootAttributes(source, 0);
      } catch (e) {
        if (!(e instanceof Hdf5Damage)) throw new Error(`iteration ${i}: preflight threw ${String(e)}`);
        outcomes.damage++;
      }
    }
    // the corruptions reached the parser: some were caught, some were harmless
    expect(outcomes.unparsed).toBeGreaterThan(0);
    expect(outcomes.read).toBeGreaterThan(0);
  });
});
