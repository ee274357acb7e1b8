/**
 * The pre-check of the global heap objects behind the root attributes (src/core/formats/hdf5/preflight.ts).
 * Valid files: every real Keras .h5 and the h5wasm-written layouts pass, with as many heap objects checked as
 * h5wasm reports variable-length attributes. Damaged files: each defect the HDF5 library mishandles is built
 * from a real file and must end as a clear error before the library touches it (never given to h5wasm here:
 * some of these make it loop forever).
 */
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as h5 from 'h5wasm/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { preflightRootAttributes } from '../../../src/core/formats/hdf5/preflight';
import { Hdf5Damage } from '../../../src/core/formats/hdf5/raw';
import { MemorySource } from '../../../src/core/io/byte-source';
import { scanSource } from '../../../src/core/scan';
import { mountHdf5Node } from '../../../src/node/hdf5-mount';

const fixtures = path.join(__dirname, '../../fixtures');
const valid = ['', 'crafted', 'hdf5-layouts'].flatMap((sub) =>
  readdirSync(path.join(fixtures, sub))
    // root_attr_*: made for the parser/library hand-off (local-reader.test.ts), not plain valid files
    .filter((n) => n.endsWith('.h5') && !n.startsWith('root_attr_'))
    .map((n) => path.join(fixtures, sub, n)),
);

beforeAll(async () => {
  await h5.ready;
});

/** h5wasm's count of variable-length root attribute values (one heap object each): what the pre-check must find. */
function vlenAttributes(file: string): number {
  const f = new h5.File(file, 'r');
  try {
    return Object.keys(f.attrs)
      .filter((n) => f.attrs[n].metadata.vlen)
      .reduce((sum, n) => sum + (f.attrs[n].metadata.shape ?? []).reduce((a: number, b: number) => a * b, 1), 0);
  } finally {
    f.close();
  }
}

function attributeNames(file: string): string[] {
  const f = new h5.File(file, 'r');
  try {
    return Object.keys(f.attrs).sort();
  } finally {
    f.close();
  }
}

describe('valid files pass', () => {
  it('has the files', () => expect(valid.length).toBeGreaterThanOrEqual(26));
  for (const file of valid) {
    it(path.relative(fixtures, file), async () => {
      const r = await preflightRootAttributes(new MemorySource(readFileSync(file)), 0);
      expect(r.heapObjects).toBe(vlenAttributes(file));
      expect([...r.names].sort()).toEqual(attributeNames(file));
      expect(r.verified).toBe(true);
      expect(r.reason).toBeUndefined();
    });
  }
});

// ---- damaged copies of a real Keras save (superblock v0, as h5py writes) ----

const base = new Uint8Array(readFileSync(path.join(fixtures, 'two_lambdas.h5')));
const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** The first global heap collection and its objects, found with a plain byte walk (not the code under test). */
function heapLayout(bytes: Uint8Array) {
  const at = Buffer.from(bytes).indexOf('GCOL');
  const size = Number(view(bytes).getBigUint64(at + 8, true));
  const objects: { index: number; at: number; size: number }[] = [];
  for (let p = at + 16; p + 16 <= at + size; ) {
    const index = view(bytes).getUint16(p, true);
    const n = Number(view(bytes).getBigUint64(p + 8, true));
    objects.push({ index, at: p, size: n });
    p += index === 0 ? n : 16 + Math.ceil(n / 8) * 8;
  }
  return { at, size, objects };
}

/** File offsets of the heap IDs (length u32, address u64, index u32) that point into the collection. */
function heapIds(bytes: Uint8Array, collection: number) {
  const ids: { at: number; length: number; index: number }[] = [];
  for (let p = 0; p + 16 <= collection; p++) {
    if (view(bytes).getBigUint64(p + 4, true) !== BigInt(collection)) continue;
    const index = view(bytes).getUint32(p + 12, true);
    const length = view(bytes).getUint32(p, true);
    if (index > 0 && index < 64 && length > 0 && length < 1 << 24) ids.push({ at: p, length, index });
  }
  return ids;
}

const layout = heapLayout(base);
const free = layout.objects.find((o) => o.index === 0)!;
// the root attributes' values are objects 1–3 (the model_weights group's attributes use the later ones)
const ids = heapIds(base, layout.at).filter((i) => i.index <= 3);

function damaged(edit: (b: Uint8Array, d: DataView) => void): Uint8Array {
  const b = base.slice();
  edit(b, view(b));
  return b;
}

async function expectDamage(bytes: Uint8Array, message: RegExp) {
  await expect(preflightRootAttributes(new MemorySource(bytes), 0)).rejects.toThrow(Hdf5Damage);
  await expect(preflightRootAttributes(new MemorySource(bytes), 0)).rejects.toThrow(message);
  // The whole scan ends as a clear error report (the HDF5 library is never asked to read it).
  const report = await scanSource(new MemorySource(bytes, 'damaged.h5'), { mountHdf5: mountHdf5Node });
  expect(report.verdict).toBe('error');
  expect(report.error?.message).toMatch(message);
}

describe('damaged global heaps are refused before the HDF5 library reads them', () => {
  it('the test file has what the cases edit', () => {
    // objects 1–3: the root attributes' strings; then the weight-name strings; the free space last
    expect(layout.objects.map((o) => o.index).slice(0, 3)).toEqual([1, 2, 3]);
    expect(layout.objects.at(-1)!.index).toBe(0);
    expect(ids.map((i) => i.index).sort()).toEqual([1, 2, 3]);
    expect(free.at + free.size).toBe(layout.at + layout.size);
  });

  it('a free-space object of size 0 (the library loops forever)', async () => {
    await expectDamage(damaged((_, d) => d.setBigUint64(free.at + 8, 0n, true)), /object 0 at byte \d+ declares 0 bytes, on which the HDF5 library loops forever/);
  });

  it('a size that is 0 in 32 bits (WebAssembly size_t)', async () => {
    await expectDamage(damaged((_, d) => d.setBigUint64(free.at + 8, 1n << 33n, true)), /declares 8589934592 bytes/);
  });

  it('an object running past the end of its collection', async () => {
    const obj = layout.objects.find((o) => o.index === 3)!;
    await expectDamage(damaged((_, d) => d.setBigUint64(obj.at + 8, BigInt(layout.size), true)), /past the end of its 4096-byte collection/);
  });

  it('an object larger than the value that refers to it (the library copies past its buffer)', async () => {
    const id = ids.find((i) => i.index === 2)!;
    await expectDamage(damaged((_, d) => d.setUint32(id.at, id.length - 1, true)), new RegExp(`holds ${id.length} bytes where ${id.length - 1} are expected`));
  });

  it('a value pointing where there is no collection', async () => {
    const id = ids[0];
    await expectDamage(damaged((_, d) => d.setBigUint64(id.at + 4, 1024n, true)), /points to byte 1024, where there is no global heap collection/);
  });

  it('a value naming an object the collection does not have', async () => {
    const id = ids[0];
    await expectDamage(damaged((_, d) => d.setUint32(id.at + 12, 40, true)), /heap object 40 is not in the collection/);
  });

  it('the same damage behind a 512-byte user block', async () => {
    const shifted = new Uint8Array(512 + base.length);
    shifted.set(base, 512);
    const ok = await preflightRootAttributes(new MemorySource(shifted), 512);
    expect(ok).toEqual({ verified: true, heapObjects: 3, names: ['keras_version', 'backend', 'model_config'], unnamed: 0 });
    const bad = shifted.slice();
    view(bad).setBigUint64(512 + free.at + 8, 0n, true);
    await expect(preflightRootAttributes(new MemorySource(bad), 512)).rejects.toThrow(new RegExp(`object 0 at byte ${512 + free.at}`));
  });

  it('the fuzz-found file that hung the library is now a clear error', async () => {
    const bytes = readFileSync(path.join(fixtures, 'regressions/hdf5-library-hang.h5'));
    const report = await scanSource(new MemorySource(bytes, 'hang.h5'), { mountHdf5: mountHdf5Node });
    expect(report.verdict).toBe('error');
    expect(report.error?.message).toMatch(/damaged HDF5 global heap: object 0 .* declares 0 bytes, on which the HDF5 library loops forever/);
  });
});

describe('what the pre-check cannot read is said in the report', () => {
  it('a dense file with a "huge" attribute message: scanned, with a note; the other attributes checked', async () => {
    const file = path.join(tmpdir(), `lambdalens-huge-attribute-${process.pid}.h5`);
    const f = new h5.File(file, 'w');
    const source = new h5.File(path.join(fixtures, 'mal_os_system.h5'), 'r');
    for (const n of Object.keys(source.attrs)) f.create_attribute(n, source.attrs[n].value as string);
    source.close();
    for (let i = 0; i < 9; i++) f.create_attribute(`note_${i}`, `extra ${i}`);
    // A 5,000-character name makes the attribute message larger than the heap's managed objects.
    f.create_attribute(`long_${'n'.repeat(5000)}`, 'a value');
    f.close();
    const bytes = readFileSync(file);
    const vlen = vlenAttributes(file);
    rmSync(file);

    const r = await preflightRootAttributes(new MemorySource(bytes), 0);
    expect(r.verified).toBe(false);
    expect(r.reason).toMatch(/huge fractal heap object/);
    expect(r.heapObjects).toBe(vlen - 1);
    const report = await scanSource(new MemorySource(bytes, 'huge.h5'), { mountHdf5: mountHdf5Node });
    expect(report.verdict).toBe('dangerous');
    expect(report.notes?.join(' ')).toMatch(/Some root attributes could not be pre-checked \(huge fractal heap object.*\); the HDF5 library read them unchecked/);
  });
});

describe('a model config the library cannot list is never "no model config"', () => {
  it('a damaged attribute message before model_config: an error naming it, not a clean HDF5 file', async () => {
    // backend's dataspace made rank 1 with 10^8 elements, over its own value: h5wasm then lists no root
    // attribute at all, and used to report "HDF5 file without a Keras model config", clean.
    const bytes = damaged((b, d) => {
      const name = Buffer.from(b).indexOf('backend\0');
      const message = name - 8;
      const space = message + 8 + Math.ceil(d.getUint16(message + 2, true) / 8) * 8 + Math.ceil(d.getUint16(message + 4, true) / 8) * 8;
      b[space + 1] = 1;
      d.setBigUint64(space + 8, 100_000_000n, true);
    });
    const r = await preflightRootAttributes(new MemorySource(bytes), 0);
    expect(r.names).toEqual(['keras_version', 'backend', 'model_config']);
    const report = await scanSource(new MemorySource(bytes, 'unlisted.h5'), { mountHdf5: mountHdf5Node });
    expect(report.verdict).toBe('error');
    expect(report.error?.message).toMatch(/holds root attribute\(s\) .*"model_config" that the HDF5 library cannot read/);
  });
});

describe('damaged dense attribute storage is never "no model config"', () => {
  it('every FHDB block of a dense file overwritten in turn: a scan never says clean while the library lists nothing', async () => {
    const original = new Uint8Array(readFileSync(path.join(fixtures, 'hdf5-layouts/mal_os_system.dense.h5')));
    const blocks: number[] = [];
    for (let at = Buffer.from(original).indexOf('FHDB'); at >= 0; at = Buffer.from(original).indexOf('FHDB', at + 4)) blocks.push(at);
    expect(blocks.length).toBe(2); // the attributes' heap and the model_weights links' heap
    const verdicts: string[] = [];
    for (const at of blocks) {
      const bytes = original.slice();
      bytes.set(new TextEncoder().encode('XXXX'), at);
      const report = await scanSource(new MemorySource(bytes, 'damaged-dense.h5'), { mountHdf5: mountHdf5Node });
      verdicts.push(report.verdict);
      if (report.verdict === 'error') {
        expect(report.error?.message).toMatch(/the root group's attribute storage is damaged \(no fractal heap direct block at \d+\): neither the HDF5 library nor the pre-check can list its attributes/);
      } else expect(report.verdict).toBe('dangerous'); // the links' heap: the model is still read
    }
    expect(verdicts.sort()).toEqual(['dangerous', 'error']);
  });
});
