// Runs a Python script under Pyodide (the `py314` package = pyodide 314.x, CPython 3.14) and prints its stdout.
// Usage: node scripts/golden/pyodide-run.mjs <script.py> [args...]   (data generation only)
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const pkgDir = dirname(require.resolve('py314/package.json'));
const { loadPyodide } = await import(pathToFileURL(join(pkgDir, 'pyodide.mjs')).href);

const [script, ...args] = process.argv.slice(2);
if (!script) {
  console.error('usage: pyodide-run.mjs <script.py> [args...]');
  process.exit(2);
}
const started = Date.now();
// PYTHONHASHSEED=0 like the native runs: frozenset-of-str constants are written in hash order.
const py = await loadPyodide({ indexURL: pkgDir + '/', env: { PYTHONHASHSEED: '0', HOME: '/home/pyodide' } });
// Raw byte writers: no line batching, so output without a final newline is not lost.
py.setStdout({ write: (buf) => { process.stdout.write(buf); return buf.length; } });
py.setStderr({ write: (buf) => { process.stderr.write(buf); return buf.length; } });
// The script's folder is mounted at the same path so it can read its data files (e.g. cases.json).
// So are the folders of arguments that name existing host files (e.g. --cases-file /tmp/x/cases.json).
const scriptPath = resolve(script);
const mounted = new Set();
for (const p of [scriptPath, ...args.filter((a) => a.startsWith('/') && existsSync(a))]) {
  const dir = dirname(p);
  if (mounted.has(dir)) continue;
  mounted.add(dir);
  py.FS.mkdirTree(dir);
  py.mountNodeFS(dir, dir);
}
py.globals.set('__file__', scriptPath);
py.globals.get('__import__')('sys').argv = py.toPy([scriptPath, ...args]);
py.runPython(`import os; os.environ['PYODIDE_LOAD_MS'] = '${Date.now() - started}'`);
try {
  py.runPython(readFileSync(scriptPath, 'utf8'), { filename: scriptPath });
  py.runPython('import sys; sys.stdout.flush(); sys.stderr.flush()');
} catch (e) {
  console.error(String(e));
  process.exit(1);
}
