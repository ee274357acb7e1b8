#!/usr/bin/env python3
"""Regenerates tests/fixtures/golden/pyXY.json with every interpreter available here:
~/.pyenv/versions/*/bin/python (native CPython, PYTHONHASHSEED=0) and Pyodide 3.14 (the `py314` npm package).
py315.json (Pyodide 3.15 rc) has no runner here and is left as copied from /work/shared/reference/golden.
Usage: python3 scripts/golden/regenerate.py [--only 3.11,3.14] [--out DIR]"""
import glob
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
GEN = os.path.join(HERE, 'generate.py')


def runners():
    for exe in sorted(glob.glob(os.path.expanduser('~/.pyenv/versions/*/bin/python'))):
        ver = os.path.basename(os.path.dirname(os.path.dirname(exe)))
        yield '.'.join(ver.split('.')[:2]), [exe, GEN]
    yield '3.14', ['node', os.path.join(HERE, 'pyodide-run.mjs'), GEN, '--oracle', 'pyodide ' + pyodide_version()]


def pyodide_version():
    with open(os.path.join(ROOT, 'node_modules', 'py314', 'package.json')) as f:
        return json.load(f)['version']


def main():
    args = sys.argv[1:]
    only = None
    out = os.path.join(ROOT, 'tests', 'fixtures', 'golden')
    if '--only' in args:
        only = set(args[args.index('--only') + 1].split(','))
    if '--out' in args:
        out = args[args.index('--out') + 1]
    env = dict(os.environ, PYTHONHASHSEED='0')
    for minor, cmd in runners():
        if only and minor not in only:
            continue
        text = subprocess.check_output(cmd, env=env, cwd=ROOT)
        doc = json.loads(text)
        path = os.path.join(out, 'py%s.json' % minor.replace('.', ''))
        with open(path, 'w') as f:
            json.dump(doc, f, sort_keys=True, indent=1)
            f.write('\n')
        print('%s: %d cases, %d skipped -> %s' % (minor, len(doc['cases']), len(doc['skipped']), path))


if __name__ == '__main__':
    main()
