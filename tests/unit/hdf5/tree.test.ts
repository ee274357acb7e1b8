/**
 * The bounded HDF5 group-tree walk (src/core/formats/hdf5/tree.ts) against two oracles:
 * - h5py: the files of tests/fixtures/hdf5-tree (and crafted/external_kernel_passwd.h5) were written by
 *   scripts/fixtures/hdf5-tree.py, whose sidecars are what h5py / the HDF5 library read back (every dataset's
 *   paths, shape, dtype, layout, External Data Files, virtual sources; every soft and external link);
 * - h5wasm: every real Keras .h5 fixture walks with nothing skipped and finds exactly the datasets the library lists.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as h5 from 'h5wasm/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walkHdf5Tree, type Hdf5Tree } from '../../../src/core/formats/hdf5/tree';
import { openZip } from '../../../src/core/formats/zip';
import { MemorySource } from '../../../src/core/io/byte-source';

const fixtures = path.join(__dirname, '../../fixtures');
const treeDir = path.join(fixtures, 'hdf5-tree');

interface ExpectedDataset {
  path: string;
  paths: string[];
  shape: number[] | null;
  dtype: string;
  declared_bytes: number;
  layout: string;
  external: { file: string; offset: number; size: number | null }[];
  virtual_sources: { file: string; dataset: string }[];
  /** Bytes the library allocated for a contiguous dataset's values in the file (checks declared_bytes). */
  storage_size?: number;
}
interface Expected {
  file: string;
  superblock_at: number;
  groups: number;
  objects: number;
  datasets: ExpectedDataset[];
  links: { path: string; kind: 'soft' | 'external'; target: string; file?: string }[];
}

const oracleCases: { file: string; expected: Expected }[] = [
  ...readdirSync(treeDir)
    .filter((n) => n.endsWith('.h5.expected.json'))
    .map((n) => ({ file: path.join(treeDir, n.replace(/\.expected\.json$/, '')), expected: JSON.parse(readFileSync(path.join(treeDir, n), 'utf8')) as Expected })),
  {
    file: path.join(fixtures, 'crafted/external_kernel_passwd.h5'),
    expected: JSON.parse(readFileSync(path.join(fixtures, 'crafted/external_kernel_passwd.h5.crafted.json'), 'utf8')) as Expected,
  },
];

const read = (file: string) => new Uint8Array(readFileSync(file));
const walk = (bytes: Uint8Array, at = 0) => walkHdf5Tree(new MemorySource(bytes), at);
const byPath = <T extends { path: string }>(xs: T[]) => [...xs].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

/** The walk in the sidecar's own terms, for one deep comparison per file. */
function asExpected(tree: Hdf5Tree) {
  return {
    groups: tree.groups,
    objects: tree.objects,
    datasets: byPath(tree.datasets).map((d) => ({
      path: d.path,
      paths: [d.path, ...d.aliases].sort(),
      shape: d.shape,
      dtype: d.dtype,
      declared_bytes: d.declaredBytes,
      layout: d.layout,
      external: d.external,
      virtual_sources: d.virtualSources,
    })),
    links: byPath(tree.links),
  };
}

describe('HDF5 tree walk: h5py oracle', () => {
  it('has the fixtures', () => expect(oracleCases.length).toBe(11));

  for (const { file, expected } of oracleCases) {
    it(path.basename(file), async () => {
      const tree = await walk(read(file), expected.superblock_at);
      expect(tree.skipped).toEqual([]);
      expect(asExpected(tree)).toEqual({
        groups: expected.groups,
        objects: expected.objects,
        datasets: expected.datasets.map(({ storage_size: _, ...d }) => ({ ...d, paths: [...d.paths].sort() })),
        links: expected.links,
      });
      for (const d of expected.datasets) if (d.storage_size !== undefined) expect(d.declared_bytes, d.path).toBe(d.storage_size);
    });
  }

  it('the Dense kernel of the crafted real save is stored in /etc/passwd', async () => {
    const tree = await walk(read(path.join(fixtures, 'crafted/external_kernel_passwd.h5')));
    const external = tree.datasets.filter((d) => d.external.length > 0);
    expect(external.map((d) => ({ path: d.path, external: d.external }))).toEqual([
      { path: '/model_weights/d1/no_lambda/d1/kernel', external: [{ file: '/etc/passwd', offset: 0, size: null }] },
    ]);
  });

  it('a user block prepended to a file: the same tree from the superblock after it', async () => {
    const bytes = read(path.join(treeDir, 'tree-latest.h5'));
    const shifted = new Uint8Array(512 + bytes.length);
    shifted.set(bytes, 512);
    const [plain, moved] = [await walk(bytes, 0), await walk(shifted, 512)];
    expect(moved.skipped).toEqual([]);
    expect(moved.datasets.map((d) => ({ ...d, header: d.header - 512 }))).toEqual(plain.datasets);
    expect(moved.links).toEqual(plain.links);
  });

  it('a file without a superblock where it is said to be: a clean error', async () => {
    const bytes = read(path.join(treeDir, 'tree-earliest.h5'));
    await expect(walk(bytes, 512)).rejects.toThrow(/superblock|field/);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Second oracle: h5wasm on every real Keras save (and its rewrites by h5wasm)

const keras = ['', 'crafted', 'hdf5-layouts'].flatMap((sub) =>
  readdirSync(path.join(fixtures, sub))
    .filter((n) => n.endsWith('.h5'))
    .map((n) => path.join(fixtures, sub, n)),
);

/** Every dataset path h5wasm lists, walking groups by name (soft and external links are not followed). */
function h5wasmDatasets(file: string): string[] {
  const f = new h5.File(file, 'r');
  const out: string[] = [];
  const visit = (group: h5.Group, prefix: string, depth: number) => {
    if (depth > 64) throw new Error('deeper than any fixture');
    for (const name of group.keys()) {
      const full = `${prefix}/${name}`;
      if (typeof group.get_link(full) === 'string') continue; // a soft link
      const entity = group.get(name);
      if (entity instanceof h5.Dataset) out.push(full);
      else if (entity instanceof h5.Group) visit(entity, full, depth + 1);
    }
  };
  try {
    visit(f, '', 0);
  } finally {
    f.close();
  }
  return out.sort();
}

describe('HDF5 tree walk: h5wasm oracle on the Keras fixtures', () => {
  beforeAll(async () => {
    await h5.ready;
  });
  it('has the fixtures', () => expect(keras.length).toBeGreaterThanOrEqual(27));

  for (const file of keras) {
    it(path.relative(fixtures, file), async () => {
      const bytes = read(file);
      const tree = await walk(bytes);
      expect(tree.skipped).toEqual([]);
      expect(tree.datasets.flatMap((d) => [d.path, ...d.aliases]).sort()).toEqual(h5wasmDatasets(file));
      expect([...tree.rootMembers].sort()).toEqual(h5wasmRootMembers(file));
    });
  }
});

/** The root group's member names as the HDF5 library lists them. */
function h5wasmRootMembers(file: string): string[] {
  const f = new h5.File(file, 'r');
  try {
    return f.keys().sort();
  } finally {
    f.close();
  }
}

describe('HDF5 tree walk: model.weights.h5 inside every .keras fixture (a slice of the zip, as the scan reads it)', () => {
  const archives = readdirSync(fixtures).filter((n) => n.endsWith('.keras'));
  const dir = mkdtempSync(path.join(tmpdir(), 'lambdalens-tree-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeAll(async () => {
    await h5.ready;
  });
  it('has the fixtures', () => expect(archives.length).toBeGreaterThanOrEqual(17));

  for (const name of archives) {
    it(name, async () => {
      const zip = await openZip(new MemorySource(read(path.join(fixtures, name))));
      const slice = await zip.storedSlice('model.weights.h5'); // Keras stores it uncompressed: read in place
      expect(slice).not.toBeNull();
      const tree = await walkHdf5Tree(slice!, 0);
      expect(tree.skipped).toEqual([]);
      const copy = path.join(dir, `${name}.weights.h5`);
      writeFileSync(copy, await zip.read('model.weights.h5'));
      await zip.close();
      expect(tree.datasets.flatMap((d) => [d.path, ...d.aliases]).sort()).toEqual(h5wasmDatasets(copy));
    });
  }
});
