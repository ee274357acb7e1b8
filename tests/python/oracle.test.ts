/**
 * Live oracle: fresh sources (fixed ones plus constants drawn by fast-check with a fixed seed) compiled — never
 * called — by every real interpreter present (~/.pyenv/versions/X/bin/python; Pyodide 3.14 from node_modules),
 * through scripts/golden/generate.py. Our reader must give the same code fields, version candidates that
 * contain the interpreter's version, and byte-identical dis text. Skips with a message when no interpreter.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { b64bytes, type GoldenFile } from './golden-data';
import { compareCode } from './golden-compare';
import { readMarshal } from '../../src/core/python/marshal';
import { inferPythonVersions } from '../../src/core/python/versions';
import { formatDis } from '../../src/core/python/format-dis';
import { CodeAnalysis } from '../../src/core/python/analysis';

const ROOT = join(import.meta.dirname, '..', '..');
const GEN = join(ROOT, 'scripts', 'golden', 'generate.py');
const PYENV = join(homedir(), '.pyenv', 'versions');

const interpreters: { minor: string; cmd: string[] }[] = existsSync(PYENV)
  ? readdirSync(PYENV)
      .filter((v) => /^\d+\.\d+\.\d+$/.test(v) && existsSync(join(PYENV, v, 'bin', 'python')))
      .map((v) => ({ minor: v.split('.').slice(0, 2).join('.'), cmd: [join(PYENV, v, 'bin', 'python'), GEN] }))
  : [];
const pyodideDir = join(ROOT, 'node_modules', 'py314');
if (existsSync(join(pyodideDir, 'pyodide.mjs'))) {
  interpreters.push({ minor: '3.14', cmd: ['node', join(ROOT, 'scripts', 'golden', 'pyodide-run.mjs'), GEN] });
}

/** Python literal for a JS string: JSON escapes are valid Python escapes; the u prefix keeps 2.7 on unicode. */
const pyStr = (s: string): string => 'u' + JSON.stringify(s);

function buildCases(): { id: string; tags: string[]; target: string; source: string }[] {
  const floats = fc.sample(fc.double({ noNaN: true, noDefaultInfinity: true }), { seed: 42, numRuns: 12 });
  const ints = fc.sample(fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }), { seed: 7, numRuns: 8 });
  // Characters whose printability is the same in every Unicode version these interpreters ship (repr()
  // escapes unassigned code points, and newer Pythons know more of them: see the report's limitations).
  const alphabet = fc.constantFrom(
    ...'aZ09 ~\'"\\é λ☃😀\u0000\u0007\t\n\r\u007f\u0085\u00a0\u00ad\u200b\u2028\u3000\ud800\uffff'.split(''),
    '😀',
  );
  const strs = fc.sample(fc.string({ unit: alphabet, maxLength: 12 }), { seed: 3, numRuns: 8 });
  const lit = (x: number): string => (Object.is(x, -0) ? '-0.0' : String(x).includes('e') || String(x).includes('.') ? String(x) : `${x}.0`);
  return [
    { id: 'o_floats', tags: [], target: '<lambda>', source: `f = lambda x: (x, ${floats.map(lit).join(', ')})\n` },
    { id: 'o_ints', tags: [], target: '<lambda>', source: `f = lambda x: (x, ${ints.map(String).join(', ')})\n` },
    { id: 'o_strs', tags: [], target: '<lambda>', source: `f = lambda x: (x, ${strs.map(pyStr).join(', ')})\n` },
    { id: 'o_complex', tags: [], target: '<lambda>', source: 'f = lambda x: (x, 1.5j, -2j, 3+0.5j, 1e20j)\n' },
    {
      id: 'o_mixed',
      tags: [],
      target: 'g',
      source:
        'def g(a, b=2, *c, **d):\n    t = [i * b for i in a if i]\n    while t:\n        try:\n            t.pop()\n' +
        '        except IndexError:\n            break\n    return {k: v for k, v in d.items()}, (lambda y: y + b)(1)\n',
    },
    { id: 'o_payload', tags: [], target: '<lambda>', source: "f = lambda x: getattr(__import__('o' + 's'), 'sys' + 'tem')('id') or x\n" },
  ];
}

describe.skipIf(interpreters.length === 0)('live oracle against real interpreters', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lambdalens-oracle-'));
  const casesFile = join(dir, 'cases.json');
  writeFileSync(casesFile, JSON.stringify({ cases: buildCases() }));

  for (const interp of interpreters) {
    it(`Python ${interp.minor} (${interp.cmd[0].includes('node') ? 'Pyodide' : interp.cmd[0]})`, () => {
      const [exe, ...args] = interp.cmd;
      const out = execFileSync(exe, [...args, '--cases-file', casesFile], {
        cwd: ROOT,
        env: { ...process.env, PYTHONHASHSEED: '0' },
        maxBuffer: 64 * 1024 * 1024,
      });
      const g = JSON.parse(out.toString('utf8')) as GoldenFile;
      expect(g.cases.length).toBeGreaterThanOrEqual(5);
      for (const c of g.cases) {
        const r = readMarshal(b64bytes(c.marshal_b64));
        expect(r.value.type).toBe('code');
        if (r.value.type !== 'code') continue;
        expect(compareCode(r.value.code, c.code, interp.minor, c.id)).toEqual([]);
        expect(inferPythonVersions(r.value.code, undefined, r.features).map((v) => v.version)).toContain(interp.minor);
        expect(formatDis(new CodeAnalysis(r.value.code, interp.minor)).split('\n'), c.id).toEqual(c.dis.split('\n'));
      }
    });
  }
});

if (interpreters.length === 0) {
  console.log('live oracle skipped: no ~/.pyenv/versions/*/bin/python and no Pyodide (node_modules/py314) here');
}
