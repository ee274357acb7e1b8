/** Weights-only HDF5 files (`save_weights`) have no model config: recognised and reported as such, not as errors. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { scanPath } from '../../src/node/scan-path';

const dir = mkdtempSync(path.join(tmpdir(), 'lambdalens-weights-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function writeH5(name: string, build: (f: import('h5wasm').File) => void): Promise<string> {
  const h5 = await import('h5wasm/node');
  await h5.ready;
  const file = path.join(dir, name);
  const f = new h5.File(file, 'w');
  build(f);
  f.close();
  return file;
}

it('Keras 2 save_weights: root layer_names, no model_config', async () => {
  const file = await writeH5('k2.weights.h5', (f) => {
    f.create_attribute('layer_names', ['dense', 'dense_1']);
    f.create_attribute('backend', 'tensorflow');
    f.create_attribute('keras_version', '2.15.0');
    f.create_group('dense').create_dataset({ name: 'kernel', data: new Float32Array([1, 2, 3, 4]), shape: [2, 2] });
  });
  const r = await scanPath(file, { hash: false });
  expect(r.format).toBe('keras-h5-weights');
  expect(r.verdict).toBe('clean');
  expect(r.verdictReason).toMatch(/no model config/);
  expect(r.findings.filter((f) => f.severity !== 'info')).toHaveLength(0);
});

it('Keras 3 .weights.h5: layers/ and vars/ groups', async () => {
  const file = await writeH5('k3.weights.h5', (f) => {
    f.create_group('layers').create_group('dense').create_group('vars');
    f.create_group('vars');
  });
  const r = await scanPath(file, { hash: false });
  expect(r.format).toBe('keras-h5-weights');
  expect(r.verdict).toBe('clean');
});

it('an HDF5 file that is not Keras at all', async () => {
  const file = await writeH5('plain.h5', (f) => {
    f.create_dataset({ name: 'x', data: new Float32Array([1]) });
  });
  const r = await scanPath(file, { hash: false });
  expect(r.format).toBe('hdf5');
  expect(r.verdict).toBe('clean');
  expect(r.formatDetail).toMatch(/without a Keras model config/);
});
