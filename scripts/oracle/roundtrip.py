"""Round-trip oracle for the decompiler (test/data tool only; never used at run time).

Reads JSON from stdin (or from the file named by the first argument): {"cases": [{"id", "original", "decompiled", "target", "freevars": [...]}]}.
For each case it COMPILES (never runs) the original source and the decompiled source with this
interpreter, finds the code object named `target` in each (depth-first through co_consts, the way the
golden files were made), and compares co_code, co_consts (recursively) and co_names.
Writes {"version", "results": [{"id", "ok", "reason"}]} to stdout. Runs under Python 2.7 and 3.x.
With {"compile": [{"id", "source", "target"}]} instead, it only compiles the sources and writes the
marshal bytes of each target code object (test inputs beyond the golden files).
"""
import json
import re
import sys
import types

QUALNAME = re.compile(r'^(?:[\w<>]+\.)*(<(?:lambda|listcomp|setcomp|dictcomp|genexpr)>|[\w]+)$')


def find(code, name):
    for k in code.co_consts:
        if isinstance(k, types.CodeType):
            if k.co_name == name:
                return k
            r = find(k, name)
            if r is not None:
                return r
    return None


def norm_const(c):
    if isinstance(c, types.CodeType):
        return ('code', c.co_name, c.co_code, tuple(norm_const(x) for x in c.co_consts), tuple(c.co_names))
    if isinstance(c, tuple):
        return ('tuple', tuple(norm_const(x) for x in c))
    if isinstance(c, frozenset):
        return ('frozenset', tuple(sorted(repr(norm_const(x)) for x in c)))
    text_types = (str,) if sys.version_info[0] >= 3 else (str, unicode)  # noqa: F821
    if isinstance(c, text_types) and '.<locals>.' in c:
        # qualnames of nested functions (3.x MAKE_FUNCTION operand) depend on the enclosing def's name
        return ('qualname', c.split('.')[-1])
    return (type(c).__name__, repr(c))


IMPORTS = '# imported modules (the compiler knew these globals were imports): '


def wrap(src, freevars, target):
    imports = []
    for l in src.splitlines():
        if l.startswith(IMPORTS):
            imports = [x.strip() for x in l[len(IMPORTS):].split(',')]
    lines = [l for l in src.splitlines() if not l.lstrip().startswith('#')]
    prefix = ''.join('import %s\n' % m for m in imports)
    return prefix + wrap_body(lines, freevars, target)


def wrap_body(lines, freevars, target):
    is_lambda = target == '<lambda>'
    body = '\n'.join(lines)
    if freevars:
        body = '\n'.join(lines)
        out = ['def __wrap__():', '    ' + ' = '.join(freevars) + ' = None']
        if is_lambda:
            out.append('    return ' + body.strip())
        else:
            out.extend('    ' + l for l in lines)
        return '\n'.join(out) + '\n'
    if is_lambda:
        return '__f = ' + body.strip() + '\n'
    return body + '\n'


def compile_target(src, target):
    if sys.version_info[0] < 3 and isinstance(src, unicode):  # noqa: F821
        src = src.encode('utf-8')
    mod = compile(src, 'golden.py', 'exec')
    return find(mod, target)


def compare(a, b):
    if a.co_code != b.co_code:
        return 'co_code differs'
    if tuple(a.co_names) != tuple(b.co_names):
        return 'co_names differ: %r vs %r' % (a.co_names, b.co_names)
    ca = [norm_const(x) for x in a.co_consts]
    cb = [norm_const(x) for x in b.co_consts]
    if ca != cb:
        return 'co_consts differ'
    return None


def compile_cases(data):
    """{"compile": [{"id", "source", "target"}]} -> marshal (base64) of each target code object."""
    import base64
    import marshal
    out = []
    for case in data['compile']:
        try:
            code = compile_target(case['source'], case['target'])
        except SyntaxError as e:
            out.append({'id': case['id'], 'error': str(e)})
            continue
        if code is None:
            out.append({'id': case['id'], 'error': 'target not found'})
            continue
        out.append({'id': case['id'], 'marshal_b64': base64.b64encode(marshal.dumps(code)).decode('ascii')})
    return {'version': '%d.%d' % sys.version_info[:2], 'compiled': out}


def main():
    # A file argument instead of stdin lets the script run under Pyodide (scripts/golden/pyodide-run.mjs).
    if len(sys.argv) > 1:
        with open(sys.argv[1]) as f:
            data = json.loads(f.read())
    else:
        data = json.loads(sys.stdin.read())
    if 'compile' in data:
        sys.stdout.write(json.dumps(compile_cases(data)))
        return
    results = []
    for case in data['cases']:
        cid = case['id']
        try:
            orig = compile_target(case['original'], case['target'])
        except SyntaxError as e:
            results.append({'id': cid, 'ok': False, 'reason': 'original does not compile: %s' % e})
            continue
        try:
            dec = compile_target(wrap(case['decompiled'], case.get('freevars') or [], case['target']), case['target'])
        except SyntaxError as e:
            results.append({'id': cid, 'ok': False, 'reason': 'decompiled source does not compile: %s' % e})
            continue
        if orig is None or dec is None:
            results.append({'id': cid, 'ok': False, 'reason': 'target code object not found'})
            continue
        reason = compare(orig, dec)
        results.append({'id': cid, 'ok': reason is None, 'reason': reason or ''})
    sys.stdout.write(json.dumps({'version': '%d.%d' % sys.version_info[:2], 'results': results}))


if __name__ == '__main__':
    main()
