#!/usr/bin/env node
// Fails when src/ contains a way to turn data into code or markup: eval, new Function / Function(string),
// dangerouslySetInnerHTML, innerHTML =, outerHTML, insertAdjacentHTML, document.write, setTimeout/setInterval
// with a string, import()/importScripts() of a non-literal, and child_process / vm imports in the parts that
// run on user files (src/core, src/ui, src/worker). scripts/ and tests/ are not checked.
// Usage: node scripts/lint-no-exec.mjs [--root DIR]   (DIR defaults to the repository; its src/ is linted)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const EXTENSIONS = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;
const NO_PROCESS_DIRS = ['src/core/', 'src/ui/', 'src/worker/'];

/**
 * Two views of the source with the same line structure: `code` has comments removed and the contents of
 * string/template/regex literals blanked (quotes kept); `specifiers` has only comments removed.
 */
export function views(text) {
  const code = text.split('');
  const specifiers = text.split('');
  const blank = (arr, from, to) => {
    for (let k = from; k < to; k++) if (arr[k] !== '\n') arr[k] = ' ';
  };
  let i = 0;
  let lastSignificant = '';
  const n = text.length;
  while (i < n) {
    const c = text[i];
    const d = text[i + 1];
    if (c === '/' && d === '/') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? n : end;
      blank(code, i, stop);
      blank(specifiers, i, stop);
      i = stop;
      continue;
    }
    if (c === '/' && d === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      blank(code, i, stop);
      blank(specifiers, i, stop);
      i = stop;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && text[j] !== c && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      blank(code, i + 1, j);
      i = j + 1;
      lastSignificant = c;
      continue;
    }
    if (c === '`') {
      // Template: blank the text parts, keep `${` markers so non-literal templates stay visible.
      let j = i + 1;
      while (j < n && text[j] !== '`') {
        if (text[j] === '\\') {
          code[j] = ' ';
          if (text[j + 1] !== '\n') code[j + 1] = ' ';
          j += 2;
          continue;
        }
        if (text[j] === '$' && text[j + 1] === '{') {
          let depth = 1;
          j += 2;
          while (j < n && depth > 0) {
            if (text[j] === '{') depth++;
            else if (text[j] === '}') depth--;
            j++;
          }
          continue;
        }
        if (text[j] !== '\n') code[j] = ' ';
        j++;
      }
      i = j + 1;
      lastSignificant = '`';
      continue;
    }
    if (c === '/' && (lastSignificant === '' || /[(,=:[!&|?{};+\-*%<>~^]/.test(lastSignificant) || /\breturn\s*$/.test(text.slice(Math.max(0, i - 8), i)))) {
      // A regex literal.
      let j = i + 1;
      let inClass = false;
      while (j < n && text[j] !== '\n') {
        if (text[j] === '\\') j += 2;
        else if (text[j] === '[') (inClass = true), j++;
        else if (text[j] === ']') (inClass = false), j++;
        else if (text[j] === '/' && !inClass) break;
        else j++;
      }
      blank(code, i + 1, j);
      i = j + 1;
      lastSignificant = '/';
      continue;
    }
    if (!/\s/.test(c)) lastSignificant = c;
    i++;
  }
  return { code: code.join(''), specifiers: specifiers.join('') };
}

const QUOTED = String.raw`(?:'[^'\n]*'|"[^"\n]*"|\x60[^\x60$]*\x60)`;
// A literal, or a literal resolved against the module's own URL (a file shipped beside the bundle).
const LITERAL_ARG = String.raw`\s*(?:${QUOTED}|new\s+URL\(\s*${QUOTED}\s*,\s*import\.meta\.url\s*\)\.href)\s*[,)]`;

/** Rules over the `code` view (literal contents blanked). */
const CODE_RULES = [
  ['eval', /(?<![.\w$])eval\s*\(|\b(?:globalThis|window|self|global)\s*\.\s*eval\b|\(\s*0\s*,\s*eval\s*\)/],
  ['new Function', /\bnew\s+Function\b/],
  ['Function(string)', /(?<![.\w$])(?<!\bnew\s+)Function\s*\(/],
  ['dangerouslySetInnerHTML', /\bdangerouslySetInnerHTML\b/],
  ['innerHTML =', /\.\s*innerHTML\s*(?:\+?=)(?!=)/],
  ['outerHTML', /\.\s*outerHTML\b/],
  ['insertAdjacentHTML', /\binsertAdjacentHTML\b/],
  ['document.write', /\bdocument\s*\.\s*write(?:ln)?\b/],
  ['setTimeout/setInterval with a string', /\bset(?:Timeout|Interval)\s*\(\s*['"`]/],
  ['import() of a non-literal', new RegExp(String.raw`(?<![.\w$])import\s*\((?!${LITERAL_ARG})`)],
  ['importScripts() of a non-literal', new RegExp(String.raw`\bimportScripts\s*\((?!${LITERAL_ARG})`)],
];

/** Rules over the `specifiers` view (strings kept), only in src/core, src/ui, src/worker. */
const PROCESS_RULE = [
  'child_process/vm import',
  /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"](?:node:)?(?:child_process|vm)['"]/m,
];

function walk(dir, out) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names.sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = path.join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, out);
    else if (EXTENSIONS.test(name)) out.push(p);
  }
  return out;
}

/** Lints `<root>/src`; returns violations as records (file relative to root, 1-based line). */
export function lintNoExec(root) {
  const violations = [];
  for (const file of walk(path.join(root, 'src'), [])) {
    const rel = path.relative(root, file).split(path.sep).join('/');
    const text = readFileSync(file, 'utf8');
    const { code, specifiers } = views(text);
    const codeLines = code.split('\n');
    const specLines = specifiers.split('\n');
    const sourceLines = text.split('\n');
    const checkProcess = NO_PROCESS_DIRS.some((d) => rel.startsWith(d));
    for (let i = 0; i < codeLines.length; i++) {
      for (const [rule, re] of CODE_RULES) {
        if (re.test(codeLines[i])) violations.push({ file: rel, line: i + 1, rule, text: sourceLines[i].trim() });
      }
      if (checkProcess && PROCESS_RULE[1].test(specLines[i])) {
        violations.push({ file: rel, line: i + 1, rule: PROCESS_RULE[0], text: sourceLines[i].trim() });
      }
    }
  }
  return violations;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--root');
  const root = at >= 0 ? path.resolve(args[at + 1]) : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const violations = lintNoExec(root);
  for (const v of violations) console.log(`${v.file}:${v.line}: ${v.rule}: ${v.text}`);
  if (violations.length) {
    console.log(`lint-no-exec: ${violations.length} violation(s) in ${path.join(root, 'src')}`);
    process.exit(1);
  }
  console.log(`lint-no-exec: no string-to-code, markup injection or process/vm imports in ${path.join(root, 'src')}`);
}
