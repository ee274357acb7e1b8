/**
 * Where CI users already are (issue 14): the pre-commit hook run by Debian's real `pre-commit` (try-repo
 * installs it the way a user's config would: npm install, npm pack, npm install -g), the GitHub Action's shell
 * steps as action.yml declares them (parsed with PyYAML, the YAML pre-commit itself uses), and `npm pack`
 * installed into an empty folder. .ci/run installs Debian's pre-commit; without it this suite fails, by design.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../../..');
const fx = (name: string) => path.join(root, 'tests/fixtures', name);
const tmp = mkdtempSync(path.join(tmpdir(), 'lambdalens-ci-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const PRE_COMMIT = '/usr/bin/pre-commit';
const PYTHON = '/usr/bin/python3'; // Debian's, with PyYAML (a dependency of its pre-commit package)

describe('pre-commit hook (.pre-commit-hooks.yaml) with the real pre-commit', () => {
  it('is installed from this repository and fails a commit that stages a malicious model under any name', () => {
    expect(existsSync(PRE_COMMIT), 'Debian package pre-commit (installed by .ci/run)').toBe(true);
    const repo = path.join(tmp, 'repo');
    mkdirSync(repo, { recursive: true });
    execFileSync('git', ['init', '-q'], { cwd: repo });
    copyFileSync(fx('mal_os_system.h5'), path.join(repo, 'evil.bin'));
    copyFileSync(fx('no_lambda.keras'), path.join(repo, 'model.keras'));
    writeFileSync(path.join(repo, 'notes.txt'), 'not a model\n');
    execFileSync('git', ['add', '.'], { cwd: repo });
    const env = { ...process.env, PRE_COMMIT_HOME: path.join(tmp, 'pre-commit-home'), PRE_COMMIT_COLOR: 'never' };
    const run = (...files: string[]) => spawnSync(PRE_COMMIT, ['try-repo', root, 'lambdalens', '--files', ...files], { cwd: repo, env, encoding: 'utf8', timeout: 300_000 });

    const bad = run('evil.bin', 'model.keras', 'notes.txt');
    const log = `${bad.stdout}\n${bad.stderr}`;
    console.log(`[pre-commit] ${log.split('\n').filter((l) => /Lambda Lens|DANGEROUS|CLEAN|skipped/.test(l)).join('\n')}`);
    expect(bad.status, log).toBe(1);
    expect(log).toMatch(/Lambda Lens \(code in ML model files\)\.+Failed/);
    expect(log).toMatch(/evil\.bin\s+DANGEROUS/);
    expect(log).toMatch(/model\.keras\s+CLEAN/);
    expect(log).toMatch(/skipped notes\.txt: not a recognised model format/);

    const good = run('model.keras', 'notes.txt');
    expect(good.status, `${good.stdout}\n${good.stderr}`).toBe(0);
    expect(good.stdout).toMatch(/Lambda Lens \(code in ML model files\)\.+Passed/);
    const none = run('notes.txt');
    expect(none.status, `${none.stdout}\n${none.stderr}`).toBe(0);
  }, 600_000);
});

describe('GitHub Action (action.yml)', () => {
  const action = JSON.parse(execFileSync(PYTHON, ['-c', 'import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))', path.join(root, 'action.yml')], { encoding: 'utf8' })) as {
    inputs: Record<string, { default?: string }>;
    runs: { using: string; steps: { id?: string; run?: string; uses?: string; if?: string; env?: Record<string, string>; with?: Record<string, string> }[] };
  };
  const steps = action.runs.steps;

  it('is a composite action: scan, upload the SARIF with upload-sarif even when findings fail the job, then fail', () => {
    expect(action.runs.using).toBe('composite');
    expect(steps.map((s) => s.uses ?? s.run)).toEqual(['bash "$GITHUB_ACTION_PATH/scripts/ci/action-scan.sh"', 'github/codeql-action/upload-sarif@v3', 'bash "$GITHUB_ACTION_PATH/scripts/ci/action-result.sh"']);
    expect(steps[1].if).toMatch(/^always\(\)/);
    expect(steps[1].with?.sarif_file).toBe('${{ inputs.sarif }}');
    expect(action.inputs['fail-on'].default).toBe('high');
  });

  /** Runs a `run:` step as the runner would: bash, GITHUB_ACTION_PATH = the action's checkout, env from `env:`. */
  function runStep(step: (typeof steps)[number], env: Record<string, string>) {
    return spawnSync('bash', ['-c', step.run!], { cwd: path.join(tmp, 'workspace'), env: { ...process.env, GITHUB_ACTION_PATH: root, ...env }, encoding: 'utf8', timeout: 120_000 });
  }

  it('its shell steps: SARIF written, exit-code output 1 for a malicious model, the job failed after the upload', () => {
    const ws = path.join(tmp, 'workspace');
    mkdirSync(path.join(ws, 'models'), { recursive: true });
    copyFileSync(fx('two_lambdas.keras'), path.join(ws, 'models/a.keras'));
    copyFileSync(fx('no_lambda.h5'), path.join(ws, 'models/b.h5'));
    writeFileSync(path.join(ws, 'models/readme.txt'), 'x');
    const output = path.join(tmp, 'github-output');
    writeFileSync(output, '');
    const scan = runStep(steps[0], {
      LAMBDALENS_PATHS: 'models',
      LAMBDALENS_FAIL_ON: 'high',
      LAMBDALENS_SARIF: 'lambdalens.sarif',
      LAMBDALENS_CMD: `${process.execPath} ${path.join(root, 'bin/lambdalens.mjs')}`,
      GITHUB_OUTPUT: output,
    });
    expect(scan.status, scan.stderr).toBe(0); // the upload must still run
    expect(readFileSync(output, 'utf8')).toBe('exit-code=1\n');
    const sarif = JSON.parse(readFileSync(path.join(ws, 'lambdalens.sarif'), 'utf8')) as { version: string; runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
    expect(sarif.version).toBe('2.1.0');
    const k3 = sarif.runs[0].results.filter((r) => r.ruleId === 'R-K3-LAMBDA');
    expect(k3).toHaveLength(2);
    expect(k3[0].locations[0].physicalLocation.artifactLocation.uri).toMatch(/models\/a\.keras$/);

    const fail = runStep(steps[2], { LAMBDALENS_EXIT: '1' });
    expect(fail.status).toBe(1);
    expect(fail.stdout).toMatch(/^::error title=Lambda Lens::/m);
    expect(runStep(steps[2], { LAMBDALENS_EXIT: '0' }).status).toBe(0);
    expect(runStep(steps[2], { LAMBDALENS_EXIT: '2' }).status).toBe(2);
  }, 180_000);
});

describe('npm pack', () => {
  it('installs into an empty folder with no dependencies and `lambdalens` scans a model there', () => {
    const packDir = path.join(tmp, 'pack');
    mkdirSync(packDir, { recursive: true });
    const name = execFileSync('npm', ['pack', '--pack-destination', packDir], { cwd: root, encoding: 'utf8' }).trim().split('\n').pop()!;
    const tarball = path.join(packDir, name);
    const listing = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n');
    for (const f of ['package/bin/lambdalens.mjs', 'package/dist-cli/lambdalens.mjs', 'package/dist-cli/h5wasm/h5wasm.wasm', 'package/schemas/scan.schema.json']) expect(listing).toContain(f);
    expect(listing.some((f) => f.startsWith('package/src/') || f.startsWith('package/tests/'))).toBe(false);
    const app = path.join(tmp, 'app');
    mkdirSync(app, { recursive: true });
    writeFileSync(path.join(app, 'package.json'), '{ "name": "app", "private": true }\n');
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], { cwd: app, encoding: 'utf8' });
    const bin = path.join(app, 'node_modules/.bin/lambdalens');
    for (const fixture of ['mal_os_system.h5', 'mal_os_system.keras']) {
      const r = spawnSync(bin, ['scan', fx(fixture), '--json', '--no-hash'], { cwd: app, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toBe('');
      const e = JSON.parse(r.stdout) as { schema: string; files: { verdict: string }[] };
      expect(e.schema).toBe('lambdalens/scan@1');
      expect(e.files[0].verdict).toBe('dangerous');
    }
  }, 300_000);
});
