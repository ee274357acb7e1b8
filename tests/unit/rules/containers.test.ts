/**
 * The containers the rules read: SavedModel folders (scanFolder, the CLI's directory handling), zipped SavedModels,
 * lone .pb files, pickle files / PyTorch zips / legacy torch streams from the picklescan corpus (expected outcome
 * from the corpus MANIFEST.tsv), and the bounded check of model.weights.h5 inside a .keras.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main';
import type { FileReport } from '../../../src/core/report';
import { scanDirectory, scanPath } from '../../../src/node/scan-path';
import { constString, nodeDef, savedModel } from '../../fixtures/savedmodel/encode';
import { CORPUS, byRule, fixtureBytes, k3Functional, k3Layer, makeH5, makeKeras, makeZip, scanBytes } from './helpers';

const work = mkdtempSync(path.join(tmpdir(), 'lambdalens-containers-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const smBytes = () =>
  savedModel({ tfVersion: '2.15.0', nodes: [constString('p', '/tmp/x'), nodeDef('w', 'WriteFile', ['p', 'p'])] });

describe('SavedModel folders', () => {
  it('the CLI scans a folder holding saved_model.pb as ONE model, next to ordinary files', async () => {
    const root = path.join(work, 'cli');
    mkdirSync(path.join(root, 'exported/variables'), { recursive: true });
    writeFileSync(path.join(root, 'exported/saved_model.pb'), smBytes());
    writeFileSync(path.join(root, 'exported/variables/variables.index'), new Uint8Array(16));
    writeFileSync(path.join(root, 'model.h5'), fixtureBytes('mal_os_system.h5'));
    let out = '';
    const code = await main(['scan', '--json', '--no-hash', root], (s) => (out += s), () => {});
    const reports = (JSON.parse(out) as { files: FileReport[] }).files;
    expect(reports.map((r) => [path.basename(r.path), r.format, r.verdict])).toEqual([
      ['exported', 'savedmodel', 'dangerous'],
      ['model.h5', 'keras-h5', 'dangerous'],
    ]);
    expect(reports[0].members!.map((m) => m.name)).toEqual(['saved_model.pb', 'variables/variables.index']);
    expect(byRule(reports[0], 'R-TF-FILEOPS')[0].evidence).toMatchObject({ op: 'WriteFile', strings: ['/tmp/x'] });
    expect(code).toBe(1);
  });

  it('scanDirectory reports a folder without saved_model.pb as an error that says so', async () => {
    const dir = path.join(work, 'empty-folder');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'notes.txt'), 'x');
    const r = await scanDirectory(dir);
    expect(r.verdict).toBe('error');
    expect(r.error!.message).toMatch(/no saved_model\.pb/);
  });

  it('a zipped SavedModel (folder inside the zip) is opened as a SavedModel', async () => {
    const r = await scanBytes(makeZip([{ name: 'sm/saved_model.pb', data: smBytes() }, { name: 'sm/variables/variables.index', data: new Uint8Array(4) }]), 'upload.zip');
    expect(r.format).toBe('savedmodel');
    expect(r.formatDetail).toMatch(/zipped folder sm/);
    expect(byRule(r, 'R-TF-FILEOPS')).toHaveLength(1);
  });

  const sm = path.join(CORPUS, 'sm-ionut-siamese');
  it.skipIf(!existsSync(sm))('the real saved_model.pb and keras_metadata.pb dropped alone are recognised by parsing, not by name', async () => {
    for (const name of ['saved_model.pb', 'keras_metadata.pb']) {
      const r = await scanBytes(new Uint8Array(readFileSync(path.join(sm, name))), 'renamed.dat');
      expect(r.format).toBe('savedmodel');
      expect(r.verdict).toBe('clean');
    }
  });
});

describe('pickle corpus (picklescan test files, expected outcome from MANIFEST.tsv)', () => {
  const manifest = path.join(CORPUS, '../MANIFEST.tsv');
  const present = existsSync(manifest);
  if (!present) console.warn(`pickle corpus tests skipped: ${manifest} is absent`);
  const rows = present
    ? readFileSync(manifest, 'utf8')
        .split('\n')
        .slice(1)
        .map((l) => l.split('\t'))
        .filter((c) => c[0]?.startsWith('files/ps-'))
    : [];
  it.skipIf(!present)('has the pickle rows', () => expect(rows.length).toBeGreaterThanOrEqual(25));
  for (const row of rows) {
    const file = row[0].slice('files/'.length);
    const expected = row[8].replace(/^"/, '');
    it(`${file}: ${expected.slice(0, 70)}`, async () => {
      const r = await scanPath(path.join(CORPUS, file), { hash: false });
      expect(r.error).toBeUndefined();
      expect(r.format).toBe('pickle');
      if (expected.startsWith('BENIGN')) {
        expect(r.verdict).toBe('clean');
      } else {
        expect(r.verdict).toBe('dangerous');
        const worst = byRule(r, 'R-PICKLE-GLOBALS')[0];
        expect(worst.evidence.offset).toEqual(expect.any(Number));
      }
    });
  }
});

describe('archive bombs', () => {
  it('a .keras member inflating far beyond its stored size is R-BOMBS (only the directory is read)', async () => {
    const zeros = new Uint8Array(80 * 1024 * 1024);
    const r = await scanBytes(makeKeras(k3Functional('m', []), [{ name: 'assets/blob.bin', data: zeros, deflate: true }]));
    const f = byRule(r, 'R-BOMBS');
    expect(f.map((x) => [x.document, x.severity, x.evidence.size])).toEqual([['assets/blob.bin', 'medium', zeros.length]]);
    expect(r.verdict).toBe('suspicious');
  });
});

describe('model.weights.h5 inside a .keras', () => {
  for (const deflate of [false, true]) {
    it(`a ${deflate ? 'deflated weights member is inflated (bounded) and' : 'stored weights member is sliced without copying and'} checked`, async () => {
      const h5 = await makeH5({ externalLink: { file: 'secrets.h5', target: '/k' } });
      const keras = makeKeras(k3Functional('m', [k3Layer('Dense', 'd')]), [{ name: 'model.weights.h5', data: h5, deflate }]);
      const r = await scanBytes(keras);
      expect(r.members!.find((m) => m.name === 'model.weights.h5')!.method).toBe(deflate ? 'deflate' : 'stored');
      const f = byRule(r, 'R-HDF5-EXTLINK')[0];
      expect(f.evidence).toMatchObject({ member: 'model.weights.h5', file: 'secrets.h5', target: '/k' });
      expect(r.verdict).toBe('dangerous');
      expect(r.timings.totalMs).toBeLessThan(10_000);
    });
  }

  it('a real 200-layer save is checked in well under a second once h5wasm is loaded', async () => {
    await scanPath(path.join(__dirname, '../../fixtures/no_lambda.keras'), { hash: false });
    const r = await scanPath(path.join(__dirname, '../../fixtures/resnet_like_graph.keras'), { hash: false });
    expect(r.findings.filter((f) => f.rule === 'R-HDF5-EXTLINK' || f.rule === 'R-BOMBS')).toEqual([]);
    expect(r.timings.totalMs).toBeLessThan(5_000);
  });
});
