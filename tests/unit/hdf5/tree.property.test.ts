/**
 * Property test (fast-check) of the HDF5 tree walk over mutated real files (the Keras .h5 fixtures, their
 * h5wasm rewrites and the h5py tree fixtures; the fuzzer's byte mutators): the walk always ends, within the time
 * bound and its limits, with a tree or an Hdf5Unparsed (no superblock) — never another error.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Hdf5Unparsed } from '../../../src/core/formats/hdf5/raw';
import { DEFAULT_TREE_LIMITS, walkHdf5Tree, type Hdf5TreeLimits } from '../../../src/core/formats/hdf5/tree';
import { MemorySource } from '../../../src/core/io/byte-source';
import { mutateBytes } from '../../../scripts/fuzz/mutate';
import { Rng } from '../../../scripts/fuzz/prng';
import { ROOT, RunCounter, TIME_BOUND_MS, heapMb } from '../hardening/helpers';

const fixtures = path.join(ROOT, 'tests/fixtures');
/** Files small enough that a mutation usually lands in metadata (resnet_like_graph.h5 is mostly weights). */
const seeds = ['', 'crafted', 'hdf5-layouts', 'hdf5-tree'].flatMap((sub) =>
  readdirSync(path.join(fixtures, sub))
    .filter((n) => n.endsWith('.h5'))
    .map((n) => new Uint8Array(readFileSync(path.join(fixtures, sub, n))))
    .filter((b) => b.length < 256 * 1024),
);
const mutated = fc.integer({ min: 0, max: 2 ** 31 - 1 }).map((n) => {
  const rng = new Rng(n, 'hdf5-tree');
  return mutateBytes(rng, rng.pick(seeds), () => rng.pick(seeds), []);
});
const counter = new RunCounter();
afterAll(() => counter.print('hdf5-tree.property'));

async function check(bytes: Uint8Array, limits: Hdf5TreeLimits): Promise<void> {
  const before = heapMb();
  const t = performance.now();
  try {
    const tree = await walkHdf5Tree(new MemorySource(bytes), 0, limits);
    counter.add(tree.skipped.length > 0 ? 'tree with skipped' : 'tree');
    expect(tree.objects).toBeLessThanOrEqual(limits.maxObjects);
    expect(tree.bytesRead).toBeLessThanOrEqual(limits.maxBytes);
    expect(tree.skipped.length).toBeLessThanOrEqual(limits.maxSkipped + 1);
    for (const s of tree.skipped) {
      expect(s.path.startsWith('/')).toBe(true);
      expect(['unreadable', 'unsupported', 'limit', 'too-large']).toContain(s.category);
      expect(s.reason.length).toBeGreaterThan(10);
    }
  } catch (e) {
    expect(e).toBeInstanceOf(Hdf5Unparsed);
    counter.add('refused');
  }
  expect(performance.now() - t).toBeLessThan(TIME_BOUND_MS);
  expect(heapMb() - before).toBeLessThan(512);
}

describe('HDF5 tree walk under mutation', () => {
  it('has seeds of every layout', () => expect(seeds.length).toBeGreaterThanOrEqual(30));

  it('default limits: a tree or an Hdf5Unparsed, bounded in time', async () => {
    await fc.assert(
      fc.asyncProperty(mutated, (bytes) => check(bytes, DEFAULT_TREE_LIMITS)),
      { numRuns: Number(process.env.HDF5_TREE_RUNS ?? 2000) },
    );
  });

  it('small limits: every limit ends in a record, never beyond it', async () => {
    const limits = fc.record({
      maxObjects: fc.integer({ min: 1, max: 50 }),
      maxDepth: fc.integer({ min: 0, max: 4 }),
      maxBytes: fc.integer({ min: 512, max: 64 * 1024 }),
      maxSkipped: fc.integer({ min: 0, max: 5 }),
    });
    await fc.assert(
      fc.asyncProperty(mutated, limits, (bytes, l) => check(bytes, l)),
      { numRuns: Number(process.env.HDF5_TREE_RUNS ?? 1000) },
    );
  });
});
