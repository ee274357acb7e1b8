/**
 * The fail-closed design, checked by construction rather than case by case:
 *  - every container fact kind a reader can produce is read by a rule, and every kind a rule reads is produced
 *    by some reader (a produced-but-ignored fact was how `pickle-not-inspected` turned into "clean");
 *  - a sample fact of each kind really becomes a finding of the rule that declares it;
 *  - every code carrier becomes a finding whatever family the file is labelled with.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES, runRules } from '../../../src/core/analysis/registry';
import { fact, FACT_KINDS, type FactDetails, type FactKind } from '../../../src/core/formats/facts';
import { FORMAT_MODULES, FORMAT_INFO, type Family } from '../../../src/core/formats/registry';
import type { ConfigDocument } from '../../../src/core/keras/model';
import { walkDocuments } from '../../../src/core/keras/walker';
import { decodePayload } from '../../../src/core/python/decode';
import { scanPath } from '../../../src/node/scan-path';
import { FIXTURES } from './helpers';

const readers = new Map<FactKind, string[]>();
for (const rule of RULES) for (const kind of rule.reads ?? []) readers.set(kind, [...(readers.get(kind) ?? []), rule.id]);
const produced = new Set(FORMAT_MODULES.flatMap((m) => m.produces));

describe('container facts: produced ⇔ read', () => {
  it.each(FACT_KINDS)('%s is produced by a format module and read by a rule', (kind) => {
    expect(produced.has(kind), `no format module declares it produces ${kind}`).toBe(true);
    expect(readers.get(kind) ?? [], `no rule reads ${kind}`).not.toEqual([]);
  });

  it('no module declares a kind outside the union, and every declared reader exists', () => {
    for (const kind of produced) expect(FACT_KINDS).toContain(kind);
    for (const kind of readers.keys()) expect(FACT_KINDS).toContain(kind);
  });

  // One sample detail per kind: the mapped type makes a missing kind a compile error.
  const SAMPLES: { [K in FactKind]: FactDetails[K] } = {
    'zip-path-traversal': { name: '../evil.txt' },
    'zip-symlink': { name: 'assets/link' },
    'zip-tar-asset': { name: 'assets/a.tar', size: 10 },
    'zip-ratio': { size: 2 ** 31, compressedSize: 1000 },
    'zip-declared-size': { declaredBytes: 2 ** 40, archiveBytes: 1000 },
    'zip-size-mismatch': { member: 'config.json', declaredBytes: 4e9, actualBytes: 3021 },
    'npy-object-array': { descr: '|O', shape: [1], fortranOrder: false, inNpz: true },
    'npy-declared-size': { descr: '<f4', shape: [2 ** 30], fortranOrder: false, declaredBytes: 2 ** 32, storedBytes: 10 },
    'hdf5-soft-link': { target: '/other' },
    'hdf5-external-link': { file: 'secrets.h5', target: '/k' },
    'hdf5-virtual-dataset': { sources: [{ file: '/etc/passwd', dataset: '/x' }] },
    'hdf5-external-storage': { files: [{ file: '/etc/passwd', offset: 0, size: 100 }] },
    'hdf5-declared-size': { declaredBytes: 2 ** 40, fileBytes: 1000, shape: [2 ** 20, 2 ** 20] },
    'yaml-python-tag': { tag: '!!python/object/apply:os.system', line: 3, text: "- !!python/object/apply:os.system ['id']" },
  };

  it.each(FACT_KINDS)('a %s fact becomes a finding of the rule that reads it', (kind) => {
    const where = `sample-${kind}`;
    const findings = runRules({
      opened: { documents: [], meta: { writer: {} }, skipped: [] },
      family: 'other',
      containerFacts: [fact(kind, where, SAMPLES[kind] as never)],
      walked: { layers: [], carriers: [], objects: [] },
      decoded: new Map(),
      pickles: [],
      torchBlobs: [],
    });
    const mine = findings.filter((f) => readers.get(kind)!.includes(f.rule));
    expect(mine.map((f) => f.document + f.location + f.title).join('\n')).toContain(where);
  });
});

/** Every fixture with code, as the config documents the scan handed out. */
async function documentsOf(file: string): Promise<ConfigDocument[]> {
  let documents: ConfigDocument[] = [];
  await scanPath(file, { hash: false, onDocuments: (d) => (documents = d.map((x) => ({ ...x, role: 'model' as const }))) });
  return documents;
}

const MODEL_FILES = [
  ...readdirSync(FIXTURES).filter((f) => /\.(h5|keras)$/.test(f)).map((f) => path.join(FIXTURES, f)),
  ...readdirSync(path.join(FIXTURES, 'crafted')).filter((f) => /\.h5$/.test(f)).map((f) => path.join(FIXTURES, 'crafted', f)),
];
const FAMILIES = [...new Set(Object.values(FORMAT_INFO).map((i) => i.family))] as Family[];

describe('every code carrier is a finding, whatever the label', () => {
  it.each(MODEL_FILES.map((f) => [path.relative(FIXTURES, f), f]))('%s', async (_name, file) => {
    const report = await scanPath(file, { hash: false });
    const walked = walkDocuments(await documentsOf(file));
    const reported = new Set(report.findings.filter((f) => f.payload).map((f) => `${f.document}${f.location}`));
    for (const c of walked.carriers) expect(reported, `carrier ${c.document}${c.pointer}`).toContain(`${c.document}${c.pointer}`);
    if (walked.carriers.length === 0) return;
    // The same walked model under every family label: each carrier is still exactly one bytecode finding.
    const decoded = new Map(walked.carriers.map((c) => [c, decodePayload(c.bytes, {})]));
    for (const family of FAMILIES) {
      const findings = runRules({ opened: { documents: [], meta: { writer: {} }, skipped: [] }, family, containerFacts: [], walked, decoded, pickles: [], torchBlobs: [] });
      const payloads = findings.filter((f) => f.payload);
      const places = new Set(payloads.flatMap((f) => [`${f.document}${f.location}`, ...((f.evidence.alsoIn as string[] | undefined) ?? [])]));
      expect(places.size, `family ${family}`).toBe(new Set(walked.carriers.map((c) => `${c.document}${c.pointer}`)).size);
      expect(payloads.every((f) => f.severity === 'critical' || f.severity === 'high'), `family ${family}`).toBe(true);
    }
  });
});
