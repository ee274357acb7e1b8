/**
 * The HDF5 tree walk on damaged files and at its limits: every damaged part becomes a `skipped` record with its
 * HDF5 path and byte offset, the rest of the tree is still walked, and nothing is ever silently missing — when the
 * walk finds less than h5py listed in the intact file (the sidecar), `skipped` says so. Damage is made by editing
 * real h5py files (tests/fixtures/hdf5-tree) at structures found by their signatures.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readHeaderMessages } from '../../../src/core/formats/hdf5/object-header';
import { Hdf5Unparsed } from '../../../src/core/formats/hdf5/raw';
import { readSuperblock } from '../../../src/core/formats/hdf5/superblock';
import { walkHdf5Tree, type Hdf5Tree, type Hdf5TreeLimits } from '../../../src/core/formats/hdf5/tree';
import { MemorySource } from '../../../src/core/io/byte-source';

const dir = path.join(__dirname, '../../fixtures/hdf5-tree');
const fixture = (name: string) => new Uint8Array(readFileSync(path.join(dir, name)));

interface ExpectedDataset {
  path: string;
  paths: string[];
  external: unknown[];
  virtual_sources: unknown[];
}
const expected = (name: string) =>
  JSON.parse(readFileSync(path.join(dir, `${name}.expected.json`), 'utf8')) as { datasets: ExpectedDataset[]; links: { path: string }[] };

const walk = (bytes: Uint8Array, limits?: Partial<Hdf5TreeLimits>) => walkHdf5Tree(new MemorySource(bytes), 0, limits);

/** Offsets of every occurrence of an ASCII signature. */
function find(bytes: Uint8Array, signature: string): number[] {
  const out: number[] = [];
  const first = signature.charCodeAt(0);
  for (let i = bytes.indexOf(first); i >= 0; i = bytes.indexOf(first, i + 1)) {
    let ok = true;
    for (let k = 1; k < signature.length && ok; k++) ok = bytes[i + k] === signature.charCodeAt(k);
    if (ok) out.push(i);
  }
  return out;
}

const le = (b: Uint8Array, at: number, n: number) => {
  let v = 0;
  for (let i = n - 1; i >= 0; i--) v = v * 256 + b[at + i];
  return v;
};
function setLe(b: Uint8Array, at: number, n: number, value: number): void {
  for (let i = 0; i < n; i++, value = Math.floor(value / 256)) b[at + i] = value % 256;
}

/**
 * Nothing silently missing: every dataset found is one h5py listed, with the same external files and virtual
 * sources unless a skipped record names it; when fewer datasets or links are found than h5py listed, something
 * is skipped.
 */
function accountsForEverything(tree: Hdf5Tree, name: string): void {
  const truth = expected(name);
  const byPath = new Map(truth.datasets.flatMap((d) => d.paths.map((p) => [p, d] as const)));
  const skippedPaths = new Set(tree.skipped.map((s) => s.path));
  for (const d of tree.datasets) {
    const t = byPath.get(d.path);
    expect(t, `${d.path} is a dataset h5py listed`).toBeDefined();
    if (!skippedPaths.has(d.path)) {
      expect(d.external, d.path).toEqual(t!.external);
      expect(d.virtualSources, d.path).toEqual(t!.virtual_sources);
    }
  }
  const found = new Set(tree.datasets.flatMap((d) => [d.path, ...d.aliases]));
  const complete = truth.datasets.every((d) => d.paths.some((p) => found.has(p))) && tree.links.length === truth.links.length;
  if (!complete) expect(tree.skipped.length, 'something was not found, so something is skipped').toBeGreaterThan(0);
}

const allPaths = (tree: Hdf5Tree) => new Set([...tree.datasets.flatMap((d) => [d.path, ...d.aliases]), ...tree.links.map((l) => l.path)]);

/** What the damage lost is all under `prefix` (a group whose storage or one link was damaged): the rest is found. */
function lostOnlyUnder(intact: Hdf5Tree, damaged: Hdf5Tree, prefix: string): void {
  const found = allPaths(damaged);
  const lost = [...allPaths(intact)].filter((p) => !found.has(p));
  const under = prefix === '/' ? '/' : `${prefix}/`;
  for (const p of lost) expect(p.startsWith(under), `${p} lost, not under ${prefix}`).toBe(true);
}

async function walkOrRefuse(bytes: Uint8Array): Promise<Hdf5Tree | null> {
  try {
    return await walk(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(Hdf5Unparsed);
    return null;
  }
}

describe('HDF5 tree walk: damage', () => {
  for (const name of ['tree-earliest.h5', 'tree-latest.h5', 'many-earliest.h5', 'external.h5', 'virtual.h5']) {
    it(`${name} truncated at 60 lengths: a tree that accounts for what is missing, or a clean error`, async () => {
      const bytes = fixture(name);
      let trees = 0;
      for (let i = 1; i <= 60; i++) {
        const t0 = performance.now();
        const tree = await walkOrRefuse(bytes.subarray(0, Math.floor((bytes.length * i) / 61)));
        expect(performance.now() - t0).toBeLessThan(2000);
        if (!tree) continue;
        trees++;
        accountsForEverything(tree, name);
      }
      expect(trees).toBeGreaterThan(50); // only cuts inside the superblock are refused outright
    });
  }

  it('a group B-tree node pointing outside the file: skipped at that group with the offset; the other groups are walked', async () => {
    const bytes = fixture('tree-earliest.h5');
    const nodes = find(bytes, 'TREE').filter((at) => bytes[at + 4] === 0);
    expect(nodes.length).toBeGreaterThanOrEqual(8);
    const intact = await walk(bytes);
    let mostFound = 0;
    let reported = 0;
    for (const node of nodes) {
      const damaged = bytes.slice();
      const outside = bytes.length + 1_000_000;
      setLe(damaged, node + 8 + 16 + 8, 8, outside); // first child, after the signature, siblings and first key
      const tree = await walk(damaged);
      const record = tree.skipped.find((s) => s.offset === outside);
      if (record) {
        reported++;
        expect(record).toMatchObject({ category: 'unreadable', reason: expect.stringMatching(/symbol table node/) });
        lostOnlyUnder(intact, tree, record!.path);
        mostFound = Math.max(mostFound, tree.datasets.length);
      } else {
        // a node no group uses any more: the old symbol table of a group that became new-style
        expect({ ...tree, reads: 0, bytesRead: 0 }, `node at ${node}`).toEqual({ ...intact, reads: 0, bytesRead: 0 });
      }
      accountsForEverything(tree, 'tree-earliest.h5');
    }
    expect(reported).toBe(7); // the root and the 6 other old-style groups (3 became new-style: an external link, creation order)
    expect(mostFound).toBeGreaterThan(30); // of 40: damage in one group leaves the siblings readable
  });

  it('a cycle of group B-tree nodes is cut and reported; the other children are read', async () => {
    const bytes = fixture('many-earliest.h5');
    const internal = find(bytes, 'TREE').filter((at) => bytes[at + 4] === 0 && bytes[at + 5] === 1);
    expect(internal).toHaveLength(1);
    const node = internal[0];
    const children = le(bytes, node + 6, 2);
    expect(children).toBeGreaterThan(1);
    const damaged = bytes.slice();
    setLe(damaged, node + 8 + 16 + 8, 8, node); // the first child is the node itself
    const t0 = performance.now();
    const tree = await walk(damaged);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(tree.skipped).toEqual([expect.objectContaining({ path: '/many', category: 'unreadable', offset: node, reason: expect.stringMatching(/reached twice/) })]);
    const many = tree.datasets.filter((d) => d.path.startsWith('/many/dataset_'));
    expect(many.length).toBeGreaterThan(50);
    expect(many.length).toBeLessThan(200);
    accountsForEverything(tree, 'many-earliest.h5');
  });

  it('a symbol table entry whose name offset is past the local heap: skipped with the entry offset; its siblings are read', async () => {
    const bytes = fixture('tree-earliest.h5');
    const nodes = find(bytes, 'SNOD').filter((at) => le(bytes, at + 6, 2) >= 2);
    expect(nodes.length).toBeGreaterThan(3);
    const intact = await walk(bytes);
    let reported = 0;
    for (const node of nodes) {
      const damaged = bytes.slice();
      setLe(damaged, node + 8, 8, 0x7fff0000); // the first entry's link name offset
      const tree = await walk(damaged);
      if (tree.skipped.length > 0) {
        reported++;
        expect(tree.skipped, `node at ${node}`).toEqual([
          expect.objectContaining({ category: 'unreadable', offset: node + 8, reason: expect.stringMatching(/offset 2147418112 is past the \d+-byte local heap/) }),
        ]);
        // one entry's name is lost: at most what is under that one link is not found
        const found = allPaths(tree);
        const lost = [...allPaths(intact)].filter((p) => !found.has(p));
        const group = tree.skipped[0].path;
        const base = group === '/' ? '' : group;
        const link = lost.length > 0 ? `${base}/${lost[0].slice(base.length + 1).split('/')[0]}` : '';
        for (const p of lost) expect(p === link || p.startsWith(`${link}/`), `${p} lost beside ${link}`).toBe(true);
        lostOnlyUnder(intact, tree, group);
      } else {
        expect({ ...tree, reads: 0, bytesRead: 0 }, `node at ${node}`).toEqual({ ...intact, reads: 0, bytesRead: 0 });
      }
      accountsForEverything(tree, 'tree-earliest.h5');
    }
    expect(reported).toBe(6); // the nodes of 2 or more entries still in use
  });

  it('a link message with a bad name length: skipped at its group; the other links of the group are read', async () => {
    const bytes = fixture('tree-latest.h5');
    const names = find(bytes, 'soft_dangling');
    expect(names).toHaveLength(1);
    const damaged = bytes.slice();
    expect(damaged[names[0] - 1]).toBe('soft_dangling'.length);
    damaged[names[0] - 1] = 250;
    const tree = await walk(damaged);
    expect(tree.skipped).toEqual([expect.objectContaining({ path: '/links', category: 'unreadable', reason: expect.stringMatching(/link name of 250 bytes/) })]);
    expect(tree.links.map((l) => l.path)).toContain('/links/soft_resolving');
    expect(tree.links.map((l) => l.path)).not.toContain('/links/soft_dangling');
    expect(tree.datasets.find((d) => d.path === '/links/alias')).toBeDefined();
  });

  it('dense link storage whose B-tree leaf is damaged: the group is skipped, its siblings walked', async () => {
    const bytes = fixture('many-latest.h5');
    const leaves = find(bytes, 'BTLF');
    const damaged = bytes.slice();
    damaged[leaves[0] + 3] = 0x58; // "BTLX"
    const tree = await walk(damaged);
    expect(tree.skipped).toEqual([expect.objectContaining({ path: '/many', category: 'unreadable', reason: expect.stringMatching(/expected BTLF/) })]);
    expect(tree.datasets.some((d) => d.path.startsWith('/level00/'))).toBe(true);
    accountsForEverything(tree, 'many-latest.h5');
  });

  it('a virtual dataset mapping of an unknown version: unsupported, at that dataset only', async () => {
    const bytes = fixture('virtual.h5');
    const name = find(bytes, 'source-one.h5');
    expect(name).toHaveLength(1);
    const versionAt = name[0] - 9; // version (1), mapping count (8), then the first source file name
    expect(bytes[versionAt]).toBe(0);
    const damaged = bytes.slice();
    damaged[versionAt] = 7;
    const tree = await walk(damaged);
    expect(tree.skipped).toEqual([expect.objectContaining({ path: '/vds', category: 'unsupported', reason: expect.stringMatching(/mapping version 7/) })]);
    expect(tree.datasets.find((d) => d.path === '/vds_strided')!.virtualSources).toEqual([{ file: 'grid.h5', dataset: 'g' }]);
  });

  it('a damaged global heap under a virtual dataset mapping: that dataset is skipped with the collection offset', async () => {
    const bytes = fixture('virtual.h5');
    const collections = find(bytes, 'GCOL');
    expect(collections).toHaveLength(1);
    const damaged = bytes.slice();
    setLe(damaged, collections[0] + 16 + 8, 8, 0); // the first object's size: the library would loop on it
    const tree = await walk(damaged);
    expect(tree.skipped.length).toBeGreaterThan(0);
    for (const s of tree.skipped) {
      expect(['/vds', '/vds_strided']).toContain(s.path);
      expect(s).toMatchObject({ category: 'unreadable', offset: collections[0], reason: expect.stringMatching(/global heap collection at byte \d+ is damaged at byte \d+/) });
    }
    expect(tree.datasets.find((d) => d.path === '/local/source')).toMatchObject({ layout: 'contiguous' });
  });

  it('a dataset header message of a type not modelled, and a datatype in the shared-message heap: unsupported, with the offsets', async () => {
    const bytes = fixture('tree-latest.h5');
    const source = new MemorySource(bytes);
    const sb = await readSuperblock(source, 0);
    const tree = await walk(bytes);
    const kernel = tree.datasets.find((d) => d.path === '/links/alias')!;
    const messages = await readHeaderMessages(source, sb, kernel.header);
    const fill = messages.find((m) => m.type === 0x05)!;
    const datatype = messages.find((m) => m.type === 0x03)!;
    const damaged = bytes.slice();
    // version 2 object header: type (1), size (2), flags (1) before each message's data
    damaged[fill.offset - 4] = 0x30;
    damaged[datatype.offset - 1] |= 0x02; // flagged shared…
    damaged.set([3, 1], datatype.offset); // …in the shared-message heap (version 3, type 1)
    const after = await walk(damaged);
    expect(after.skipped).toEqual([
      expect.objectContaining({ path: '/links/alias', category: 'unsupported', offset: fill.offset, reason: expect.stringMatching(/type 0x0030/) }),
      expect.objectContaining({ path: '/links/alias', category: 'unsupported', offset: datatype.offset, reason: expect.stringMatching(/shared-message heap/) }),
    ]);
    // the rest of the dataset is still read
    expect(after.datasets.find((d) => d.path === '/links/alias')).toMatchObject({ shape: [3, 4], layout: 'contiguous', dtype: 'unknown' });
  });
});

describe('HDF5 tree walk: limits end in a limit record, never a silent stop', () => {
  it('objects', async () => {
    const tree = await walk(fixture('many-earliest.h5'), { maxObjects: 10 });
    expect(tree.objects).toBe(10);
    expect(tree.skipped).toHaveLength(1);
    expect(tree.skipped[0]).toMatchObject({ category: 'limit' });
    expect(tree.skipped[0].reason).toMatch(/more than 10 objects.*; \d+ links in \d+ groups were not walked\.$/);
  });

  it('depth', async () => {
    const tree = await walk(fixture('many-earliest.h5'), { maxDepth: 5 });
    const deep = '/level00/level01/level02/level03/level04/level05';
    expect(tree.skipped).toEqual([expect.objectContaining({ path: deep, category: 'limit', reason: expect.stringMatching(/nested more than 5 levels/) })]);
    expect(tree.datasets.some((d) => d.path.endsWith('/bottom'))).toBe(false);
    expect(tree.datasets.filter((d) => d.path.startsWith('/many/'))).toHaveLength(212);
  });

  it('bytes read', async () => {
    const tree = await walk(fixture('many-earliest.h5'), { maxBytes: 16 * 1024 });
    expect(tree.bytesRead).toBeLessThanOrEqual(16 * 1024);
    expect(tree.skipped.at(-1)).toMatchObject({ category: 'limit', reason: expect.stringMatching(/16384 bytes of metadata/) });
  });

  it('skipped records', async () => {
    const bytes = fixture('tree-earliest.h5');
    const damaged = bytes.slice();
    for (const node of find(bytes, 'SNOD')) setLe(damaged, node + 8, 8, 0x7fff0000);
    const all = await walk(damaged);
    expect(all.skipped.length).toBeGreaterThan(4);
    const capped = await walk(damaged, { maxSkipped: 3 });
    expect(capped.skipped).toHaveLength(4);
    expect(capped.skipped[3]).toMatchObject({ category: 'limit', reason: expect.stringMatching(/more than 3 parts could not be inspected/) });
  });
});
