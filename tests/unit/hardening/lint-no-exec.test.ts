/** scripts/lint-no-exec.mjs: src/ is clean, and every forbidden form is reported with file:line. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers';

const SCRIPT = path.join(ROOT, 'scripts/lint-no-exec.mjs');
const tree = mkdtempSync(path.join(tmpdir(), 'lint-no-exec-'));
afterAll(() => rmSync(tree, { recursive: true, force: true }));

function write(rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(tree, rel)), { recursive: true });
  writeFileSync(path.join(tree, rel), text);
}

const BAD: [string, string][] = [
  ['eval', 'const x = eval(text);'],
  ['eval', 'const y = (0, eval)(text);'],
  ['new Function', 'const f = new Function("a", body);'],
  ['Function(string)', 'const g = Function(body);'],
  ['dangerouslySetInnerHTML', 'const el = <div dangerouslySetInnerHTML={{ __html: s }} />;'],
  ['innerHTML =', 'node.innerHTML = html;'],
  ['outerHTML', 'node.outerHTML = html;'],
  ['insertAdjacentHTML', 'node.insertAdjacentHTML("beforeend", html);'],
  ['document.write', 'document.write(html);'],
  ['setTimeout/setInterval with a string', 'setTimeout("alert(1)", 10);'],
  ['setTimeout/setInterval with a string', 'setInterval(`tick()`, 10);'],
  ['import() of a non-literal', 'const m = await import(name);'],
  ['import() of a non-literal', 'const m2 = await import(`./x/${name}`);'],
  ['import() of a non-literal', 'const m3 = await import(new URL(name, import.meta.url).href);'],
  ['importScripts() of a non-literal', 'importScripts(url);'],
];

describe('lint-no-exec', () => {
  it('passes on the real src/', () => {
    const out = execFileSync(process.execPath, [SCRIPT], { encoding: 'utf8' });
    console.log(`[lint-no-exec] ${out.trim()}`);
    expect(out).toMatch(/no string-to-code/);
  });

  it('reports every forbidden form with file:line, and leaves comments, strings and literal imports alone', () => {
    const lines = BAD.map(([, code]) => code);
    write('src/ui/bad.tsx', ['// eval(x) in a comment is fine', ...lines, "const s = 'eval(x) and new Function in a string';"].join('\n'));
    write(
      'src/core/ok.ts',
      [
        "import { a } from './a';",
        "const m = await import('./literal');",
        "const beside = await import(/* @vite-ignore */ new URL('./beside.js', import.meta.url).href);",
        'const re = /eval\\(/;',
        'model.eval();',
        'setTimeout(() => tick(), 10);',
        '/* new Function(x) */',
        "const text = `innerHTML = ${'x'}`;",
      ].join('\n'),
    );
    write('src/worker/proc.ts', "import { spawn } from 'node:child_process';\nimport vm from 'vm';\n");
    write('src/node/proc.ts', "import { spawn } from 'node:child_process';\n");
    const r = spawnSync(process.execPath, [SCRIPT, '--root', tree], { encoding: 'utf8' });
    console.log(`[lint-no-exec] seeded tree:\n${r.stdout}`);
    expect(r.status).toBe(1);
    const reported = r.stdout.trim().split('\n').filter((l) => /^src\//.test(l));
    BAD.forEach(([rule], i) => {
      expect(reported).toContainEqual(expect.stringContaining(`src/ui/bad.tsx:${i + 2}: ${rule}:`));
    });
    expect(reported).toContainEqual(expect.stringContaining('src/worker/proc.ts:1: child_process/vm import'));
    expect(reported).toContainEqual(expect.stringContaining('src/worker/proc.ts:2: child_process/vm import'));
    // Nothing else: no false positive in comments, strings, regexes, literal imports, or src/node.
    expect(reported.filter((l) => l.startsWith('src/core/ok.ts') || l.startsWith('src/node/'))).toEqual([]);
    expect(reported.filter((l) => l.includes('bad.tsx:1:') || l.includes(`bad.tsx:${BAD.length + 2}:`))).toEqual([]);
    expect(reported).toHaveLength(BAD.length + 2);
  });
});
