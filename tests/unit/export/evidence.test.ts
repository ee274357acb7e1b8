import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildEvidenceBundle, evidenceDocuments, safeSlug } from '../../../src/core/export/evidence';
import { PYC_MAGIC, pycHeaderLength } from '../../../src/core/export/pyc';
import { sha256Hex } from '../../../src/core/io/sha256';
import { scanPath } from '../../../src/node/scan-path';
import { FIXTURES, scanFixture, writeHostileKeras, zipMembers, zipTexts } from './helpers';

async function configDocuments(file: string) {
  const texts = await zipTexts(new Uint8Array(readFileSync(file)));
  return [{ name: 'config.json', text: texts.get('config.json')! }];
}

describe('evidence bundle', () => {
  it('holds the report, the config and every payload as .pyc/.marshal/.b64/.py, readable back with zip.js', async () => {
    const file = path.join(FIXTURES, 'lambda_output_shape_fn.keras');
    const report = await scanFixture('lambda_output_shape_fn.keras');
    const payloads = report.findings.filter((f) => f.payload);
    expect(payloads.length).toBe(3);
    const documents = await configDocuments(file);
    const bundle = await buildEvidenceBundle({ report, documents }, { date: new Date('2026-01-02T03:04:06Z') });
    expect(bundle.fileName).toMatch(/^lambda_output_shape_fn\.keras\.[0-9a-f]{8}\.evidence\.zip$/);

    const members = await zipMembers(bundle.bytes);
    expect([...members.keys()]).toEqual(bundle.members);
    expect(bundle.members.slice(0, 3)).toEqual(['README.txt', 'report.json', 'documents/config.json']);
    expect(JSON.parse(new TextDecoder().decode(members.get('report.json')))).toEqual(JSON.parse(JSON.stringify(report)));
    expect(new TextDecoder().decode(members.get('documents/config.json'))).toBe(documents[0].text);

    payloads.forEach((f, i) => {
      const p = f.payload!;
      const stems = bundle.members.filter((m) => m.startsWith(`payloads/${String(i + 1).padStart(2, '0')}-`));
      const pyc = members.get(stems.find((m) => m.endsWith('.pyc'))!)!;
      const version = p.decoded.pythonVersions[0].version;
      expect(new DataView(pyc.buffer, pyc.byteOffset).getUint16(0, true)).toBe(PYC_MAGIC[version]);
      expect(sha256Hex(pyc.subarray(pycHeaderLength(version)))).toBe(p.sha256);
      expect(sha256Hex(members.get(stems.find((m) => m.endsWith('.marshal'))!)!)).toBe(p.sha256);
      expect(new TextDecoder().decode(members.get(stems.find((m) => m.endsWith('.b64'))!)).trim()).toBe(p.base64);
      if (p.decoded.source) {
        expect(new TextDecoder().decode(members.get(stems.find((m) => m.endsWith('.py'))!))).toContain(p.decoded.source);
      }
      // Slot in the name: three payloads of one layer must not collide.
      expect(stems.some((m) => m.includes(f.slot!))).toBe(true);
    });

    // SHA256SUMS covers every member but README.txt and itself, and matches.
    const sums = new TextDecoder().decode(members.get('SHA256SUMS')).trim().split('\n');
    expect(sums.length).toBe(bundle.members.length - 2);
    for (const line of sums) {
      const [hash, name] = line.split('  ');
      expect(sha256Hex(members.get(name)!)).toBe(hash);
    }
  });

  it('never takes a member path from the file: hostile layer names become slugs', async () => {
    const report = await scanPath(await writeHostileKeras());
    const bundle = await buildEvidenceBundle({ report, documents: [{ name: '../../evil/config.json', text: '{}' }] });
    for (const name of bundle.members) {
      expect(name).toMatch(/^[A-Za-z0-9._/-]+$/);
      expect(name.split('/').every((seg) => seg !== '..' && seg !== '.' && seg !== '')).toBe(true);
    }
    expect(bundle.members).toContain('documents/evil_config.json');
    expect(bundle.members.some((m) => m.startsWith('payloads/01-') && m.endsWith('.pyc'))).toBe(true);
    expect(bundle.fileName).toMatch(/^[A-Za-z0-9._-]+\.evidence\.zip$/);
  });

  it('takes parsed config documents (as the scan holds them) and names them .json', async () => {
    const report = await scanFixture('mal_os_system.h5');
    const file = path.join(FIXTURES, 'mal_os_system.keras');
    const config = JSON.parse((await zipTexts(new Uint8Array(readFileSync(file)))).get('config.json')!);
    const bundle = await buildEvidenceBundle({ report, documents: evidenceDocuments([{ name: 'model_config', value: config }]) });
    const members = await zipMembers(bundle.bytes);
    expect(JSON.parse(new TextDecoder().decode(members.get('documents/model_config.json')))).toEqual(config);
  });

  it('safeSlug keeps names short and inert', () => {
    expect(safeSlug('../../etc/passwd')).toBe('etc_passwd');
    expect(safeSlug('a..b/../c')).toBe('a.b_._c');
    expect(safeSlug('model/inner/layer')).toBe('model_inner_layer');
    expect(safeSlug('')).toBe('unnamed');
    expect(safeSlug('...')).toBe('unnamed');
    expect(safeSlug('x'.repeat(100)).length).toBe(60);
  });
});
