import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/core/io/sha256';
import type { FileReport } from '../../../src/core/report';
import { pathToUri, sarifLevel, toSarif, type SarifLog } from '../../../src/core/export/sarif';
import { scanPath } from '../../../src/node/scan-path';
import { FIXTURES, scanFixture, writeHostileKeras } from './helpers';

const SCHEMA_FILE = path.join(FIXTURES, 'sarif-schema-2.1.0.json');
/** sha256 of the OASIS errata01 schema (oasis-tcs/sarif-spec sarif-2.1/schema/sarif-schema-2.1.0.json). */
const SCHEMA_SHA256 = 'c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e';

let reports: FileReport[];
let log: SarifLog;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lambdalens-sarif-'));
  const garbage = path.join(dir, 'not-a-model.bin');
  writeFileSync(garbage, new Uint8Array([0xde, 0xad, 0xbe, 0xef, 1, 2, 3]));
  reports = [
    await scanFixture('mal_os_system.keras'),
    await scanFixture('lambda_output_shape_fn.h5'),
    await scanFixture('no_lambda.keras'),
    await scanFixture('crafted/crafted_tfkeras2_mal_os_system.h5'),
    await scanPath(await writeHostileKeras()),
    await scanPath(garbage),
  ];
  log = toSarif(reports);
});

describe('SARIF log shape', () => {
  it('has one run of lambdalens with the report version', () => {
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    expect(log.runs[0].tool.driver.name).toBe('lambdalens');
    expect(log.runs[0].tool.driver.version).toBe(reports[0].tool.version);
  });

  it('has one result per finding, each pointing at a rule of the driver', () => {
    const run = log.runs[0];
    const findings = reports.flatMap((r) => r.findings);
    expect(findings.length).toBeGreaterThanOrEqual(5);
    expect(run.results).toHaveLength(findings.length);
    const ids = run.tool.driver.rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    run.results.forEach((res, i) => {
      const f = findings[i];
      expect(res.ruleId).toBe(f.rule);
      expect(ids[res.ruleIndex]).toBe(f.rule);
      expect(res.level).toBe(sarifLevel(f.severity));
      expect(res.message.text.startsWith(f.title)).toBe(true);
    });
    for (const rule of run.tool.driver.rules) expect(['error', 'warning', 'note']).toContain(rule.defaultConfiguration?.level);
  });

  it('locates each result in its file and its config document', () => {
    const run = log.runs[0];
    let i = 0;
    reports.forEach((r, index) => {
      for (const f of r.findings) {
        const loc = run.results[i++].locations[0];
        expect(loc.physicalLocation?.artifactLocation).toEqual({ uri: pathToUri(r.path), index });
        expect(loc.logicalLocations?.[0].fullyQualifiedName).toBe(`${f.document}${f.location}`);
        expect(loc.logicalLocations?.[0].kind).toBe('member');
      }
    });
    expect(run.artifacts.map((a) => a.location.uri)).toEqual(reports.map((r) => pathToUri(r.path)));
  });

  it('fingerprints payload results by finding id and marshal sha256, and hashes artifacts', () => {
    const run = log.runs[0];
    const withPayload = run.results.filter((r) => (r.properties.payload as { sha256?: string } | undefined)?.sha256);
    expect(withPayload.length).toBeGreaterThanOrEqual(5);
    for (const r of withPayload) {
      const payload = r.properties.payload as { sha256: string };
      expect(r.partialFingerprints['lambdalensPayloadSha256/v1']).toBe(payload.sha256);
      expect(r.partialFingerprints['lambdalensFinding/v1']).toMatch(/^R-/);
    }
    reports.forEach((rep, i) => {
      if (rep.sha256) expect(run.artifacts[i].hashes).toEqual({ 'sha-256': rep.sha256 });
    });
    const h5 = run.results.filter((r) => r.properties.layer && String(r.properties.layer).includes('/'));
    expect(h5.length).toBeGreaterThan(0);
  });

  it('reports an unreadable file as a failed execution with an error notification', () => {
    const inv = log.runs[0].invocations[0];
    expect(inv.executionSuccessful).toBe(false);
    expect(inv.toolExecutionNotifications).toHaveLength(1);
    expect(inv.toolExecutionNotifications[0].level).toBe('error');
    expect(inv.toolExecutionNotifications[0].message.text).toContain('not-a-model.bin');
  });

  it('turns paths into URI references', () => {
    expect(pathToUri('models/a b#c.keras')).toBe('models/a%20b%23c.keras');
    expect(pathToUri('/tmp/x y.h5')).toBe('file:///tmp/x%20y.h5');
    expect(pathToUri('C:\\Users\\me\\m.h5')).toBe('file:///C:/Users/me/m.h5');
    expect(pathToUri('c:odd.h5')).toBe('c%3Aodd.h5');
  });
});

/**
 * Validation against the official schema. The schema is draft-04 (OASIS errata01); validators, in order of
 * preference: ajv-draft-04 (+ ajv-formats) when installed in node_modules, else Python's `jsonschema`
 * (Draft4Validator with its format checker) when the system python3 has it.
 */
describe('SARIF 2.1.0 schema', () => {
  it('is the official OASIS schema file', () => {
    expect(sha256Hex(new Uint8Array(readFileSync(SCHEMA_FILE)))).toBe(SCHEMA_SHA256);
  });

  it('validates the log', async () => {
    const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'));
    const errors = await validate(schema, log);
    if (errors === null) {
      console.warn('SARIF schema validation not run: neither ajv-draft-04 nor python3 jsonschema is available');
      return;
    }
    expect(errors).toEqual([]);
  });

  it('the validator does reject a broken log', async () => {
    const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'));
    const broken = JSON.parse(JSON.stringify(log));
    broken.runs[0].results[0].level = 'fatal';
    delete broken.runs[0].tool.driver.name;
    const errors = await validate(schema, broken);
    if (errors === null) return;
    expect(errors.length).toBeGreaterThanOrEqual(2);
  });
});

type Validator = (schema: object, data: unknown) => string[];

async function ajvValidator(): Promise<Validator | null> {
  const names = ['ajv-draft-04', 'ajv-formats'];
  try {
    const [ajvMod, formatsMod] = await Promise.all(names.map((n) => import(/* @vite-ignore */ n)));
    const Ajv = ajvMod.default as new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown[] } };
    const addFormats = formatsMod.default as (a: unknown) => void;
    return (schema, data) => {
      const ajv = new Ajv({ allErrors: true, strict: false });
      addFormats(ajv);
      const check = ajv.compile(schema);
      return check(data) ? [] : (check.errors ?? []).map((e) => JSON.stringify(e));
    };
  } catch {
    return null;
  }
}

const PYTHON_VALIDATE = `
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
data = json.load(sys.stdin)
v = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
for e in v.iter_errors(data):
    print(json.dumps({"path": "/".join(map(str, e.absolute_path)), "message": e.message[:300]}))
`;

function pythonValidator(): Validator | null {
  const probe = spawnSync('python3', ['-c', 'import jsonschema'], { encoding: 'utf8' });
  if (probe.status !== 0) return null;
  return (schema, data) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lambdalens-schema-'));
    const schemaFile = path.join(dir, 'schema.json');
    writeFileSync(schemaFile, JSON.stringify(schema));
    const run = spawnSync('python3', ['-c', PYTHON_VALIDATE, schemaFile], { input: JSON.stringify(data), encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`python jsonschema failed: ${run.stderr}`);
    return run.stdout.split('\n').filter(Boolean);
  };
}

let validator: Validator | null | undefined;
async function validate(schema: object, data: unknown): Promise<string[] | null> {
  if (validator === undefined) validator = (await ajvValidator()) ?? pythonValidator();
  return validator ? validator(schema, data) : null;
}
