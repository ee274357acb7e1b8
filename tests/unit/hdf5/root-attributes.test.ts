/**
 * Root attributes read by our own parser (formats/hdf5/root-attributes.ts, used for remote files) against the
 * HDF5 library: the same text for every attribute keras-h5.ts reads, and the same verdict for every .h5 fixture
 * when the scan runs without the library (mountHdf5: null).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import * as h5 from 'h5wasm/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { attributeText } from '../../../src/core/formats/keras-h5';
import { readRootAttributes } from '../../../src/core/formats/hdf5/root-attributes';
import { MemorySource } from '../../../src/core/io/byte-source';
import { scanSource } from '../../../src/core/scan';
import { mountHdf5Node } from '../../../src/node/hdf5-mount';

const fixtures = path.join(__dirname, '../../fixtures');
const files = ['', 'crafted', 'hdf5-layouts'].flatMap((sub) =>
  readdirSync(path.join(fixtures, sub))
    // root_attr_*: files made to differ between our parser and the library (local-reader.test.ts)
    .filter((n) => n.endsWith('.h5') && !n.startsWith('root_attr_'))
    .map((n) => path.join(fixtures, sub, n)),
);

beforeAll(async () => {
  await h5.ready;
});

function libraryText(file: string): Map<string, string | undefined> {
  const f = new h5.File(file, 'r');
  try {
    return new Map(Object.keys(f.attrs).map((n) => [n, attributeText(f.attrs[n])]));
  } finally {
    f.close();
  }
}

describe('root attribute values equal the HDF5 library', () => {
  it('has the files', () => expect(files.length).toBeGreaterThanOrEqual(26));
  for (const file of files) {
    it(path.relative(fixtures, file), async () => {
      const bytes = readFileSync(file);
      const ours = await readRootAttributes(new MemorySource(bytes), 0);
      expect(ours.unreadable.size).toBe(0);
      expect(ours.text).toEqual(libraryText(file));
    });
  }
});

describe('verdicts without the HDF5 library equal those with it', () => {
  for (const file of files) {
    it(path.relative(fixtures, file), async () => {
      const bytes = readFileSync(file);
      const withLibrary = await scanSource(new MemorySource(bytes, path.basename(file)), { mountHdf5: mountHdf5Node });
      const withParser = await scanSource(new MemorySource(bytes, path.basename(file)), { mountHdf5: null });
      expect(withParser.verdict).toBe(withLibrary.verdict);
      expect(withParser.format).toBe(withLibrary.format);
      expect(withParser.findings.map((f) => f.id)).toEqual(withLibrary.findings.map((f) => f.id));
      expect(withParser.skipped).toEqual(withLibrary.skipped);
    });
  }
});
