/**
 * Which reader reads the root attributes of a file on this machine (keras-h5.ts): our own parser when it reads
 * every one of them, else the HDF5 library. Files in the crafted fixtures the parser does not read completely go
 * to the library (locally) or end as an error (remote, no library); a name repeated in several attribute messages
 * reads as h5py reads it (the first), with the later values inspected too.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import * as h5 from 'h5wasm/node';
import { describe, expect, it } from 'vitest';
import type { Hdf5Mounter } from '../../../src/core/formats/hdf5/mount';
import { MemorySource } from '../../../src/core/io/byte-source';
import { scanSource } from '../../../src/core/scan';
import { mountHdf5Node } from '../../../src/node/hdf5-mount';

const fixtures = path.join(__dirname, '../../fixtures');
const crafted = path.join(fixtures, 'crafted');
const files = ['', 'crafted', 'hdf5-layouts', 'hdf5-tree'].flatMap((sub) =>
  readdirSync(path.join(fixtures, sub))
    .filter((n) => n.endsWith('.h5'))
    .map((n) => path.join(fixtures, sub, n)),
);

/** Scans a file on this machine, counting how often the HDF5 library was mounted. */
async function scanLocal(file: string) {
  let mounts = 0;
  const counting: Hdf5Mounter = (source) => {
    mounts++;
    return mountHdf5Node(source);
  };
  const report = await scanSource(new MemorySource(readFileSync(file), path.basename(file)), { mountHdf5: counting });
  return { report, mounts };
}

function libraryAttributeNames(file: string): string[] {
  const f = new h5.File(file, 'r');
  try {
    return Object.keys(f.attrs);
  } finally {
    f.close();
  }
}

const sidecar = (name: string) => JSON.parse(readFileSync(path.join(crafted, `${name}.crafted.json`), 'utf8')) as Record<string, unknown>;

describe('the HDF5 library is started only for files our parser cannot read completely', () => {
  it('has the files', () => expect(files.length).toBeGreaterThanOrEqual(40));

  it('every .h5 fixture with a config is read without the library, but the committed-datatype one', async () => {
    await h5.ready;
    const mounted: string[] = [];
    const expected: string[] = [];
    for (const file of files) {
      if ((await scanLocal(file)).mounts > 0) mounted.push(path.basename(file));
      // without a model or training config (weights only, plain HDF5) the library still says whether the file opens
      const name = path.basename(file);
      // h5wasm cannot list a name twice (it throws): for those crafted files h5py's listing is in the sidecar
      const listed = name.startsWith('root_attr_duplicate') ? (sidecar(name).h5py_lists as string[]) : libraryAttributeNames(file);
      const hasConfig = ['model_config', 'training_config'].some((n) => listed.includes(n));
      if (!hasConfig || name === 'root_attr_committed_type.h5') expected.push(name);
    }
    expect(expected.length).toBeGreaterThanOrEqual(10);
    expect(mounted).toEqual(expected);
  });

  it('a model_config with a committed (shared) datatype: the library reads it locally, dangerous; remote: an error', async () => {
    const file = path.join(crafted, 'root_attr_committed_type.h5');
    expect(sidecar('root_attr_committed_type.h5').expected_verdict).toBe('dangerous');
    const { report, mounts } = await scanLocal(file);
    expect(mounts).toBe(1);
    expect(report.verdict).toBe('dangerous');
    expect(report.findings.some((f) => f.rule === 'R-H5-LAMBDA' && f.severity === 'critical')).toBe(true);
    const remote = await scanSource(new MemorySource(readFileSync(file), 'remote.h5'), { mountHdf5: null });
    expect(remote.verdict).toBe('error');
    expect(remote.error?.code).toBe('unreadable');
  });
});

describe('a name repeated in two root attribute messages (HDF5 never writes one)', () => {
  for (const [name, payloadFirst] of [
    ['root_attr_duplicate_name.h5', true],
    ['root_attr_duplicate_name_second.h5', false],
  ] as const) {
    it(`${name}: the config h5py returns is the model's; the other is inspected too`, async () => {
      const oracle = sidecar(name);
      expect(oracle.h5py_returns).toBe(payloadFirst ? 'os.system' : 'without the Lambda');
      const file = path.join(crafted, name);
      for (const report of [(await scanLocal(file)).report, await scanSource(new MemorySource(readFileSync(file), name), { mountHdf5: null })]) {
        const lambda = report.findings.filter((f) => f.rule === 'R-H5-LAMBDA');
        expect(lambda).toHaveLength(1);
        if (payloadFirst) {
          expect(report.verdict).toBe('dangerous');
          expect(lambda[0].severity).toBe('critical');
        } else {
          // no Keras loader reads the second message: found and shown, not a default-load verdict
          expect(report.verdict).toBe('suspicious');
          expect(lambda[0].document).toBe('model_config (repeated)');
        }
      }
    });
  }
});
