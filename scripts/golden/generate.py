# -*- coding: utf-8 -*-
"""Golden data generator: compiles (NEVER calls) every case of scripts/golden/cases.json with the running
interpreter and prints one golden JSON document (the shape of tests/fixtures/golden/py311.json).

Runs unchanged under CPython 2.7, 3.6+ and Pyodide (3.14). Drivers:
  python3 scripts/golden/regenerate.py            # every ~/.pyenv interpreter + Pyodide -> tests/fixtures/golden/
  ~/.pyenv/versions/3.11.7/bin/python scripts/golden/generate.py [--cases a,b] [--oracle TEXT] > out.json
  node scripts/golden/pyodide-run.mjs scripts/golden/generate.py --oracle "pyodide 314.0.7" > py314.json
Set PYTHONHASHSEED=0 for native runs: frozenset-of-str constants are written in hash order.
Test-data generation only: nothing here is part of the app.
"""
from __future__ import print_function

import base64
import codecs
import dis
import io
import json
import marshal
import os
import platform
import re
import sys
import types

PY2 = sys.version_info[0] == 2
HERE = os.path.dirname(os.path.abspath(__file__)) if '__file__' in globals() else '.'
ADDR = re.compile(r' at 0x[0-9a-fA-F]+')


def norm(text):
    return ADDR.sub(' at 0xADDR', text)


def capture(fn, *args, **kwargs):
    """stdout of fn (dis prints) as text."""
    if PY2:
        import StringIO
        buf = StringIO.StringIO()
    else:
        buf = io.StringIO()
    old = sys.stdout
    sys.stdout = buf
    try:
        fn(*args, **kwargs)
    finally:
        sys.stdout = old
    out = buf.getvalue()
    if PY2 and isinstance(out, bytes):
        out = out.decode('utf-8', 'replace')
    return out


def find_code(code, name):
    """First code object named `name`, pre-order through co_consts."""
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            if c.co_name == name:
                return c
            found = find_code(c, name)
            if found is not None:
                return found
    return None


def text(v):
    if PY2 and isinstance(v, bytes):
        return v.decode('utf-8', 'replace')
    return v


def hexs(b):
    if b is None:
        return None
    return codecs.encode(b, 'hex').decode('ascii')


def code_fields(co):
    consts = []
    for c in co.co_consts:
        if isinstance(c, types.CodeType):
            consts.append(code_fields(c))
        else:
            consts.append(text(norm(repr(c))))
    if sys.version_info >= (3, 10):
        lt_field, lt = 'co_linetable', co.co_linetable
    else:
        lt_field, lt = 'co_lnotab', co.co_lnotab
    return {
        'argcount': co.co_argcount,
        'posonlyargcount': getattr(co, 'co_posonlyargcount', None),
        'kwonlyargcount': getattr(co, 'co_kwonlyargcount', None),
        'nlocals': co.co_nlocals,
        'stacksize': co.co_stacksize,
        'flags': co.co_flags,
        'code_hex': hexs(co.co_code),
        'consts': consts,
        'const_types': [type(c).__name__ for c in co.co_consts],
        'names': [text(n) for n in co.co_names],
        'varnames': [text(n) for n in co.co_varnames],
        'freevars': [text(n) for n in co.co_freevars],
        'cellvars': [text(n) for n in co.co_cellvars],
        'filename': text(co.co_filename),
        'name': text(co.co_name),
        'qualname': getattr(co, 'co_qualname', None),
        'firstlineno': co.co_firstlineno,
        'linetable_field': lt_field,
        'linetable_hex': hexs(lt),
        'exceptiontable_hex': hexs(getattr(co, 'co_exceptiontable', None)),
    }


def instructions(co):
    if not hasattr(dis, 'get_instructions'):
        # 2.7: no get_instructions; rebuild offsets/opcodes/args the way dis.disassemble walks them.
        out = []
        code = co.co_code
        starts = dict(dis.findlinestarts(co))
        labels = set(dis.findlabels(code))
        i, ext = 0, 0
        while i < len(code):
            op = ord(code[i])
            arg = None
            start = i
            i += 1
            if op >= dis.HAVE_ARGUMENT:
                arg = ord(code[i]) + ord(code[i + 1]) * 256 + ext
                ext = 0
                i += 2
                if op == dis.EXTENDED_ARG:
                    ext = arg * 65536
            out.append([start, dis.opname[op], op, arg, None, starts.get(start), start in labels])
        return out
    out = []
    for ins in dis.get_instructions(co):
        if sys.version_info >= (3, 13):
            line = ins.line_number if ins.starts_line else None
        else:
            line = ins.starts_line
        out.append([ins.offset, ins.opname, ins.opcode, ins.arg, norm(ins.argrepr), line, ins.is_jump_target])
    return out


def keras_fields(raw):
    b64 = codecs.encode(raw, 'base64').decode('ascii')
    nt = None
    if b'\\' in raw:
        nt = codecs.encode(raw.replace(b'\\', b'/'), 'base64').decode('ascii')
    try:
        k1 = raw.decode('raw_unicode_escape')
    except Exception:
        k1 = None
    return b64, nt, k1


def magic():
    if PY2:
        import imp
        m = imp.get_magic()
    else:
        import importlib.util
        m = importlib.util.MAGIC_NUMBER
    return bytearray(m)[0] | (bytearray(m)[1] << 8)


def main(argv):
    cases_path = os.path.join(HERE, 'cases.json')
    oracle = None
    only = None
    i = 0
    while i < len(argv):
        if argv[i] == '--cases':
            only = set(argv[i + 1].split(','))
            i += 2
        elif argv[i] == '--oracle':
            oracle = argv[i + 1]
            i += 2
        elif argv[i] == '--cases-file':
            cases_path = argv[i + 1]
            i += 2
        else:
            raise SystemExit('unknown argument %r' % argv[i])
    with io.open(cases_path, encoding='utf-8') as f:
        spec = json.load(f)
    out_cases, skipped = [], []
    for case in spec['cases']:
        if only is not None and case['id'] not in only:
            continue
        src = case['source']
        try:
            # dont_inherit: this script's own __future__ imports must not leak into the cases' flags.
            module = compile(src.encode('utf-8') if PY2 else src, 'golden.py', 'exec', 0, True)
        except SyntaxError as e:
            skipped.append({'id': case['id'], 'error': '%s: %s' % (type(e).__name__, e)})
            continue
        co = find_code(module, case['target'])
        if co is None:
            skipped.append({'id': case['id'], 'error': 'no code object named %s' % case['target']})
            continue
        raw = marshal.dumps(co)
        b64, nt, k1 = keras_fields(raw)
        entry = {
            'id': case['id'],
            'tags': case['tags'],
            'source': src,
            'target': case['target'],
            'marshal_b64': base64.b64encode(raw).decode('ascii'),
            'marshal_len': len(raw),
            'keras_b64': b64,
            'keras_b64_nt': nt,
            'keras1_raw_unicode_escape': k1,
            'dis': norm(capture(dis.dis, co)),
            'instructions': instructions(co),
            'code': code_fields(co),
        }
        if sys.version_info >= (3, 14):
            entry['dis_offsets'] = norm(capture(dis.dis, co, show_offsets=True))
        out_cases.append(entry)
    impl = platform.python_implementation()
    doc = {
        'cases': out_cases,
        'skipped': skipped,
        'dis_normalization': "object addresses ' at 0x...' replaced by ' at 0xADDR'",
        'filename': 'golden.py',
        'hash_randomization': sys.flags.hash_randomization,
        'hexversion': sys.hexversion,
        'implementation': impl.lower(),
        'magic_number': magic(),
        'marshal_version': marshal.version,
        'oracle': oracle or ('cpython-native %s %s (pyenv)' % (impl, platform.python_version())),
        'platform': sys.platform,
        'python_version': platform.python_version(),
        'sys_version': sys.version,
    }
    if os.environ.get('PYODIDE_LOAD_MS'):
        doc['oracle_load_ms'] = int(os.environ['PYODIDE_LOAD_MS'])
    s = json.dumps(doc, sort_keys=True, indent=1, ensure_ascii=True)
    sys.stdout.write(s + '\n')


if __name__ == '__main__':
    main(sys.argv[1:])
