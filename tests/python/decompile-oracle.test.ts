/**
 * Round-trip oracle: the decompiled source of every golden case, recompiled by the same CPython
 * (compile() only; nothing is run), must give the same co_code, co_consts and co_names as the original.
 * One interpreter process per version (scripts/oracle/roundtrip.py): native pyenv CPython, and Pyodide
 * (node_modules/py314) for the 3.14 goldens. Skips when no interpreter exists.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCodeObject } from '../../src/core/python/marshal';
import { decompile } from '../../src/core/python/decompile';
import { b64bytes, loadGoldens } from './golden-data';
import { EXTRA_CASES } from './decompile-extra-cases';
import { CodeAnalysis } from '../../src/core/python/analysis';

const ROOT = join(import.meta.dirname, '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'oracle', 'roundtrip.py');
const PYODIDE_RUN = join(ROOT, 'scripts', 'golden', 'pyodide-run.mjs');
const PYODIDE_314 = existsSync(join(ROOT, 'node_modules', 'py314', 'pyodide.mjs'));

/** How to run the oracle for a golden file: a native pyenv CPython, or Pyodide for 3.14. */
function interpreter(pythonVersion: string, minor: string): string[] | null {
  const p = join(homedir(), '.pyenv', 'versions', pythonVersion, 'bin', 'python');
  if (existsSync(p)) return [p, SCRIPT];
  if (minor === '3.14' && PYODIDE_314) return ['node', PYODIDE_RUN, SCRIPT];
  return null;
}

function runOracle(cmd: string[], batch: unknown): { status: number | null; stdout: string; stderr: string } {
  // The batch goes through a file (Pyodide has no stdin here).
  const dir = mkdtempSync(join(tmpdir(), 'decompile-oracle-'));
  try {
    const file = join(dir, 'batch.json');
    writeFileSync(file, JSON.stringify(batch));
    const out = spawnSync(cmd[0], [...cmd.slice(1), file], { encoding: 'utf8', timeout: 60_000, cwd: ROOT });
    return { status: out.status, stdout: out.stdout, stderr: out.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Outcome {
  id: string;
  lambda: boolean;
  ok: boolean;
  reason: string;
}

const runs = loadGoldens()
  .map((g) => ({ g, py: interpreter(g.python_version, g.minor) }))
  .filter((r): r is { g: (typeof r)['g']; py: string[] } => r.py !== null);

describe('decompile round-trip through CPython', () => {
  if (runs.length === 0) {
    it.skip('no ~/.pyenv/versions/X/bin/python (nor Pyodide 3.14) matching a golden file: round-trip oracle not run', () => {});
    return;
  }

  it(`recompiles to identical bytecode for >= 95% of golden lambdas (${runs.map((r) => r.g.minor).join(', ')})`, () => {
    const perVersion: { version: string; lambdas: [number, number]; all: [number, number] }[] = [];
    const failures: string[] = [];
    for (const { g, py } of runs) {
      const outcomes: Outcome[] = [];
      const batch: { id: string; original: string; decompiled: string; target: string; freevars: string[] }[] = [];
      for (const c of g.cases) {
        const code = readCodeObject(b64bytes(c.marshal_b64)).code;
        const r = decompile(new CodeAnalysis(code, g.minor));
        if (!r.complete) outcomes.push({ id: c.id, lambda: c.target === '<lambda>', ok: false, reason: 'incomplete' });
        else batch.push({ id: c.id, original: c.source, decompiled: r.source, target: c.target, freevars: code.freevars });
      }
      const out = runOracle(py, { cases: batch });
      expect(out.status, out.stderr).toBe(0);
      const res = JSON.parse(out.stdout) as { version: string; results: { id: string; ok: boolean; reason: string }[] };
      expect(res.version).toBe(g.minor);
      for (const x of res.results) {
        const c = g.cases.find((k) => k.id === x.id)!;
        outcomes.push({ id: x.id, lambda: c.target === '<lambda>', ok: x.ok, reason: x.reason });
      }
      const lam = outcomes.filter((o) => o.lambda);
      perVersion.push({
        version: g.minor,
        lambdas: [lam.filter((o) => o.ok).length, lam.length],
        all: [outcomes.filter((o) => o.ok).length, outcomes.length],
      });
      for (const o of outcomes) if (!o.ok && o.lambda) failures.push(`${g.minor} ${o.id}: ${o.reason}`);
    }
    const lamOk = perVersion.reduce((s, v) => s + v.lambdas[0], 0);
    const lamN = perVersion.reduce((s, v) => s + v.lambdas[1], 0);
    const allOk = perVersion.reduce((s, v) => s + v.all[0], 0);
    const allN = perVersion.reduce((s, v) => s + v.all[1], 0);
    const pct = (a: number, b: number): string => `${((100 * a) / b).toFixed(1)}%`;
    console.log(
      [
        'decompiler round-trip (identical co_code/co_consts/co_names after recompiling):',
        ...perVersion.map((v) => `  ${v.version.padEnd(5)} lambdas ${v.lambdas[0]}/${v.lambdas[1]} (${pct(...v.lambdas)})   all cases ${v.all[0]}/${v.all[1]} (${pct(...v.all)})`),
        `  overall lambdas ${lamOk}/${lamN} (${pct(lamOk, lamN)})   all cases ${allOk}/${allN} (${pct(allOk, allN)})`,
        ...(failures.length ? ['  lambda failures:', ...failures.map((f) => '    ' + f)] : []),
      ].join('\n'),
    );
    expect(lamOk / lamN).toBeGreaterThanOrEqual(0.95);
  });

  it('extra lambda and small-def shapes: complete results recompile identically; unmodelled ones say so', () => {
    const lines: string[] = ['decompiler round-trip, extra shapes (tests/python/decompile-extra-cases.ts):'];
    let ok = 0;
    let completeN = 0;
    const wrong: string[] = [];
    // Native interpreters only: Pyodide start-up is too slow for two more runs here.
    for (const { g, py } of runs.filter((r) => r.py[0] !== 'node')) {
      const compiled = runOracle(py, { compile: EXTRA_CASES });
      expect(compiled.status, compiled.stderr).toBe(0);
      const list = (JSON.parse(compiled.stdout) as { compiled: { id: string; marshal_b64?: string }[] }).compiled;
      const batch: { id: string; original: string; decompiled: string; target: string; freevars: string[] }[] = [];
      const incomplete: string[] = [];
      for (const c of list) {
        if (!c.marshal_b64) continue; // not valid syntax for this version
        const ec = EXTRA_CASES.find((x) => x.id === c.id)!;
        const code = readCodeObject(b64bytes(c.marshal_b64)).code;
        const r = decompile(new CodeAnalysis(code, g.minor));
        if (!r.complete) {
          expect(r.source, c.id).toMatch(/# decompiler: /);
          incomplete.push(c.id);
        } else batch.push({ id: c.id, original: ec.source, decompiled: r.source, target: ec.target, freevars: code.freevars });
      }
      // Loops other than `for`, and try/except, are not modelled: they must be reported as incomplete.
      for (const id of ['d_while', 'd_try']) if (list.some((c) => c.id === id && c.marshal_b64)) expect(incomplete, `${g.minor}`).toContain(id);
      const out = runOracle(py, { cases: batch });
      expect(out.status, out.stderr).toBe(0);
      const res = (JSON.parse(out.stdout) as { results: { id: string; ok: boolean; reason: string }[] }).results;
      const good = res.filter((r) => r.ok).length;
      ok += good;
      completeN += res.length;
      for (const r of res) if (!r.ok) wrong.push(`${g.minor} ${r.id}: ${r.reason}`);
      lines.push(`  ${g.minor.padEnd(5)} identical ${good}/${res.length} complete; incomplete: ${incomplete.join(', ') || 'none'}`);
    }
    lines.push(`  overall identical ${ok}/${completeN} of the complete results`, ...wrong.map((w) => '    ' + w));
    console.log(lines.join('\n'));
    expect(ok / completeN).toBeGreaterThanOrEqual(0.95);
  });
});
