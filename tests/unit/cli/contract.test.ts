/**
 * The CLI as a contract (issue 14): one envelope for any number of files, --jsonl lines, one output on stdout,
 * decode@1 with scan's exit rule, nothing from a file reaching the terminal raw, one evidence bundle per input,
 * structured evidence. Every JSON output is validated against the schemas shipped in schemas/.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, symlinkSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main';
import type { DecodeEnvelope, ScanEnvelope } from '../../../src/core/export/envelope';
import type { FileReport } from '../../../src/core/report';

const root = path.resolve(__dirname, '../../..');
const fx = (name: string) => path.join(root, 'tests/fixtures', name);
const ajv = new Ajv2020({ allErrors: true, strict: false });
const schema = (name: string) => ajv.compile(JSON.parse(readFileSync(path.join(root, 'schemas', name), 'utf8')));
const validScan = schema('scan.schema.json');
const validReport = schema('report.schema.json');
const validDecode = schema('decode.schema.json');

function expectValid(validate: ReturnType<typeof schema>, value: unknown): void {
  const ok = validate(value);
  expect(ok, JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, (s) => (out += s), (s) => (err += s));
  return { code, out, err };
}

const tmp = mkdtempSync(path.join(tmpdir(), 'lambdalens-contract-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const golden = JSON.parse(readFileSync(fx('golden/py311.json'), 'utf8')) as { cases: { id: string; keras_b64: string }[] };
const payload = (id: string) => golden.cases.find((c) => c.id === id)!.keras_b64;

describe('scan --json: one envelope (lambdalens/scan@1)', () => {
  it('one file: an envelope with one report, valid against schemas/scan.schema.json', async () => {
    const { code, out } = await run(['scan', fx('mal_os_system.h5'), '--json', '--no-hash']);
    expect(code).toBe(1);
    const e = JSON.parse(out) as ScanEnvelope;
    expectValid(validScan, e);
    expect(e.schema).toBe('lambdalens/scan@1');
    expect(e.files).toHaveLength(1);
    expect(e.summary.verdicts).toEqual({ dangerous: 1, suspicious: 0, clean: 0, error: 0 });
    expect(e.summary.severities.critical + e.summary.severities.high).toBeGreaterThan(0);
  });

  it('a folder with one model and one text file: one report, the text file in skipped with why', async () => {
    const dir = path.join(tmp, 'mixed');
    mkdirSync(dir, { recursive: true });
    copyFileSync(fx('no_lambda.keras'), path.join(dir, 'model.keras'));
    writeFileSync(path.join(dir, 'notes.txt'), 'not a model\n');
    const { code, out } = await run(['scan', dir, '--json', '--no-hash']);
    expect(code).toBe(0);
    const e = JSON.parse(out) as ScanEnvelope;
    expectValid(validScan, e);
    expect(e.files.map((r) => path.basename(r.path))).toEqual(['model.keras']);
    expect(e.skipped).toEqual([{ path: path.join(dir, 'notes.txt'), reason: expect.stringMatching(/not a recognised model format/) }]);
    expect(e.summary.files).toBe(1);
  });

  it('--jsonl: one valid FileReport per line, in order', async () => {
    const { out } = await run(['scan', fx('mal_os_system.h5'), fx('no_lambda.keras'), '--jsonl', '--no-hash']);
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const reports = lines.map((l) => JSON.parse(l) as FileReport);
    for (const r of reports) expectValid(validReport, r);
    expect(reports.map((r) => r.verdict)).toEqual(['dangerous', 'clean']);
  });

  it('--jsonl --concurrency 4: lines in input order although the big first file finishes last', async () => {
    const names = ['resnet_like_graph.keras', 'mal_os_system.h5', 'no_lambda.keras', 'mal_eval.keras'];
    const { out } = await run(['scan', ...names.map(fx), '--jsonl', '--no-hash', '--concurrency', '4']);
    const reports = out.trimEnd().split('\n').map((l) => JSON.parse(l) as FileReport);
    expect(reports.map((r) => path.basename(r.path))).toEqual(names);
    // the ordering is not by luck: the first file takes longest to scan
    const scanMs = (r: FileReport) => r.timings.totalMs;
    expect(scanMs(reports[0])).toBeGreaterThan(Math.max(...reports.slice(1).map(scanMs)));
  });

  it('two outputs on stdout are a usage error (exit 2) with a message, and nothing is printed', async () => {
    for (const args of [
      ['--json', '--sarif', '-'],
      ['--jsonl', '--markdown', '-'],
      ['--json', '--jsonl'],
    ]) {
      const { code, out, err } = await run(['scan', fx('mal_os_system.h5'), ...args]);
      expect(code).toBe(2);
      expect(out).toBe('');
      expect(err).toMatch(/only one output can go to stdout/);
    }
  });

  it('every finding of every fixture has a location (JSON pointer, HDF5 path or @byte offset)', async () => {
    // In process (no per-file time limit), so regressions/ (files that hang the HDF5 library) stay out.
    const dir = path.join(root, 'tests/fixtures');
    const inputs = readdirSync(dir).filter((n) => n !== 'regressions' && n !== 'golden').map((n) => path.join(dir, n));
    const { out } = await run(['scan', ...inputs, '--json', '--no-hash']);
    const e = JSON.parse(out) as ScanEnvelope;
    expectValid(validScan, e);
    expect(e.files.length).toBeGreaterThan(50);
    const bad = e.files.flatMap((r) => r.findings.filter((f) => !/^(\/|@\d+$)/.test(f.location)).map((f) => `${r.path} ${f.rule} ${JSON.stringify(f.location)}`));
    expect(bad).toEqual([]);
  }, 120_000);
});

describe('structured pickle evidence', () => {
  it('globals (safe ones marked), the calls with their arguments and the strings, at a byte offset', async () => {
    const { out } = await run(['scan', fx('pickle/ml/sklearn_pipeline_with_system.pkl'), '--json', '--no-hash']);
    const [r] = (JSON.parse(out) as ScanEnvelope).files;
    const f = r.findings.find((x) => x.rule === 'R-PICKLE-GLOBALS' && x.evidence.global === 'posix.system')!;
    expect(f.location).toMatch(/^@\d+$/);
    const ev = f.evidence as { globals: { module: string; name: string; safe: boolean }[]; calls: { callable: string | null; args: string[] }[]; strings: string[] };
    expect(ev.globals).toContainEqual(expect.objectContaining({ module: 'posix', name: 'system', safe: false }));
    expect(ev.globals.some((g) => g.safe && g.module.startsWith('sklearn'))).toBe(true);
    expect(ev.calls).toContainEqual(expect.objectContaining({ callable: 'posix.system', args: ['echo fixture'] }));
    expect(ev.strings).toContain('echo fixture');
  });

  it('the opcode listing matches CPython pickletools (offsets and opcode names)', async () => {
    const file = fx('pickle/ml/sklearn_pipeline_with_system.pkl');
    const { out } = await run(['scan', file, '--json', '--no-hash']);
    const [r] = (JSON.parse(out) as ScanEnvelope).files;
    const listing = (r.findings.find((x) => x.rule === 'R-PICKLE-GLOBALS')!.evidence as { listing: { offset: number; opcode: string }[] }).listing;
    expect(listing.length).toBe(200);
    const oracle = execFileSync('/usr/bin/python3', ['-c', 'import pickletools, sys\nfor op, arg, pos in pickletools.genops(open(sys.argv[1], "rb")):\n    print(pos, op.name)', file], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .slice(0, 200)
      .map((l) => ({ offset: Number(l.split(' ')[0]), opcode: l.split(' ')[1] }));
    expect(listing.map((l) => ({ offset: l.offset, opcode: l.opcode }))).toEqual(oracle);
  });
});

describe('decode: lambdalens/decode@1 and the scan exit rule', () => {
  it('os.system: critical, exit 1 (--fail-on high); exit 0 only when the threshold is above it', async () => {
    const bad = await run(['decode', payload('mal_os_system'), '--json']);
    expect(bad.code).toBe(1);
    const d = JSON.parse(bad.out) as DecodeEnvelope;
    expectValid(validDecode, d);
    expect(d.schema).toBe('lambdalens/decode@1');
    expect(d.severity).toBe('critical');
    expect((await run(['decode', payload('mal_os_system'), '--fail-on', 'info'])).code).toBe(1);
  });
  it('an arithmetic lambda: info, exit 0', async () => {
    const ok = await run(['decode', payload('lam_add'), '--json']);
    const d = JSON.parse(ok.out) as DecodeEnvelope;
    expectValid(validDecode, d);
    expect(d.severity).toBe('info');
    expect(ok.code).toBe(0);
  });
  it('not a payload: exit 2', async () => {
    expect((await run(['decode', '%%%'])).code).toBe(2);
  });
});

describe('text from the file never reaches the terminal raw', () => {
  // tests/fixtures/terminal/escapes.keras (scripts/fixtures/terminal-escapes.py): OSC 8 and colour codes in the
  // layer name, ESC[2J as the code object's name, a bidi override in keras_version.
  const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
  it('scan text, --json, --jsonl, --sarif -, --markdown -: escaped everywhere', async () => {
    for (const args of [[], ['--json'], ['--jsonl'], ['--sarif', '-'], ['--markdown', '-']]) {
      const { out, err } = await run(['scan', fx('terminal/escapes.keras'), '--no-hash', ...args]);
      expect(out.length).toBeGreaterThan(100);
      expect(CONTROL.test(out), `${args.join(' ') || 'text'}: ${JSON.stringify(out.match(CONTROL))}`).toBe(false);
      expect(CONTROL.test(err)).toBe(false);
      if (args.length === 0) {
        expect(out).toContain('payload\\u001b]8;;https://example.invalid/\\u0007click');
        expect(out).toContain('def \\u001b[2J\\u001b[0m(x)');
        expect(out).toContain('3.15.1\\u202e\\u2066evil');
      }
    }
    // JSON stays the same data once parsed.
    const { out } = await run(['scan', fx('terminal/escapes.keras'), '--no-hash', '--json']);
    const [r] = (JSON.parse(out) as ScanEnvelope).files;
    expect(r.model?.kerasVersion).toBe('3.15.1\u202e\u2066evil');
  });
  it('decode text of a code object named ESC[2J', async () => {
    const config = JSON.parse(execFileSync('unzip', ['-p', fx('terminal/escapes.keras'), 'config.json'], { encoding: 'utf8' })) as { config: { layers: { class_name: string; config: { function: { config: { code: string } } } }[] } };
    const code = config.config.layers.find((l) => l.class_name === 'Lambda')!.config.function.config.code;
    const { out } = await run(['decode', code]);
    expect(CONTROL.test(out)).toBe(false);
    expect(out).toMatch(/^code: build_all\.<locals>\.\\u001b\[2J\\u001b\[0m in /m);
  });
});

describe('--evidence: one bundle per input, named by its full path', () => {
  it('two m.h5 in different folders and a clean model: three bundles, none overwritten', async () => {
    for (const d of ['a', 'b']) {
      mkdirSync(path.join(tmp, 'ev', d), { recursive: true });
      copyFileSync(fx(d === 'a' ? 'mal_os_system.h5' : 'two_lambdas.h5'), path.join(tmp, 'ev', d, 'm.h5'));
    }
    const out = path.join(tmp, 'bundles');
    const { code } = await run(['scan', path.join(tmp, 'ev/a/m.h5'), path.join(tmp, 'ev/b/m.h5'), fx('no_lambda.keras'), '--evidence', out, '--no-hash']);
    expect(code).toBe(1);
    const names = readdirSync(out).sort();
    expect(names).toHaveLength(3);
    expect(names.filter((n) => /^m\.h5\.[0-9a-f]{8}\.evidence\.zip$/.test(n))).toHaveLength(2);
    expect(names.some((n) => n.startsWith('no_lambda.keras.'))).toBe(true);
    const reportOf = (n: string) => JSON.parse(execFileSync('unzip', ['-p', path.join(out, n), 'report.json'], { encoding: 'utf8' })) as FileReport;
    const paths = names.filter((n) => n.startsWith('m.h5')).map((n) => reportOf(n).path).sort();
    expect(paths).toEqual([path.join(tmp, 'ev/a/m.h5'), path.join(tmp, 'ev/b/m.h5')]);
  });
});

describe('schemas/ and the bin', () => {
  it('the committed schemas are the ones the shapes in src/core/export write', () => {
    const r = spawnSync(process.execPath, [path.join(root, 'scripts/schemas.mjs'), '--check'], { encoding: 'utf8' });
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });
  it('bin/lambdalens.mjs rebuilds a bundle older than the sources before running it', () => {
    // In a copy of the checkout: other test files run the shared dist-cli bundle meanwhile.
    const copy = path.join(tmp, 'checkout');
    for (const p of ['bin', 'src', 'scripts/build-cli.mjs', 'scripts/bundle-node.mjs', 'scripts/h5wasm-split.mjs', 'package.json', 'package-lock.json', 'tsconfig.json']) {
      cpSync(path.join(root, p), path.join(copy, p), { recursive: true });
    }
    symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
    const bin = path.join(copy, 'bin/lambdalens.mjs');
    const bundle = path.join(copy, 'dist-cli/lambdalens.mjs');
    execFileSync(process.execPath, [bin, '--version']); // make sure it exists and is current
    utimesSync(bundle, new Date(2000, 0, 1), new Date(2000, 0, 1));
    const r = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
    expect(r.stderr).toMatch(/sources changed since the last build; building the CLI bundle/);
    expect(r.status).toBe(0);
    expect(statSync(bundle).mtimeMs).toBeGreaterThan(new Date(2020, 0, 1).getTime());
    const again = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
    expect(again.stderr).toBe('');
  }, 120_000);
});

describe('review fixes: one-line fields, end of options, crashes', () => {
  it('a newline or an invisible mark in a one-line field cannot fake a report line', async () => {
    const { inert, inertBlock } = await import('../../../src/cli/terminal-text');
    expect(inert('a\nfake.h5  CLEAN\u061c\u00ad\u2060')).toBe('a\\u000afake.h5  CLEAN\\u061c\\u00ad\\u2060');
    expect(inertBlock('line 1\n\tline 2\u001b[2J')).toBe('line 1\n\tline 2\\u001b[2J');
  });
  it('`--` ends the options: a file named like an option is a path', async () => {
    const dir = path.join(tmp, 'dashes');
    mkdirSync(dir, { recursive: true });
    copyFileSync(fx('mal_os_system.h5'), path.join(dir, '--sarif'));
    const r = spawnSync(process.execPath, [path.join(root, 'bin/lambdalens.mjs'), 'scan', '--no-hash', '--json', '--', '--sarif'], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect((JSON.parse(r.stdout) as ScanEnvelope).files[0].verdict).toBe('dangerous');
  });
  it('an unexpected failure (an unwritable --sarif path) exits 2, not 1, with a one-line message', () => {
    const r = spawnSync(process.execPath, [path.join(root, 'bin/lambdalens.mjs'), 'scan', fx('mal_os_system.h5'), '--no-hash', '--sarif', '/proc/nope/x.sarif'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^lambdalens: .*nope/m);
  });
});
