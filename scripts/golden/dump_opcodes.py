# Dumps the running interpreter's opcode facts (Lib/opcode.py, Lib/dis.py) as JSON on stdout.
# Runs under CPython 2.7 and 3.6+ (and Pyodide 3.14). Data generation only; nothing here is shipped.
import json
import sys
import opcode
import dis

def lst(name):
    v = getattr(opcode, name, None)
    return sorted(set(v)) if v is not None else None

out = {}
out['version'] = '%d.%d' % sys.version_info[:2]
out['full_version'] = sys.version.split()[0]
out['HAVE_ARGUMENT'] = opcode.HAVE_ARGUMENT
out['EXTENDED_ARG'] = opcode.EXTENDED_ARG
ops = {}
for i, n in enumerate(opcode.opname):
    if i < 256 and not n.startswith('<'):
        ops[str(i)] = n
out['opname'] = ops
for name in ['hasconst', 'hasname', 'hasjrel', 'hasjabs', 'haslocal', 'hasfree', 'hascompare', 'hasnargs',
             'hasarg', 'hasexc', 'hasjump']:
    out[name] = lst(name)
out['cmp_op'] = list(opcode.cmp_op)
if hasattr(opcode, '_nb_ops'):
    out['nb_ops'] = [list(x) for x in opcode._nb_ops]
cache = getattr(opcode, '_inline_cache_entries', None)
if cache is not None:
    if isinstance(cache, dict):
        out['inline_cache'] = dict((opcode.opmap[k], v) for k, v in cache.items() if k in opcode.opmap and v)
    else:
        out['inline_cache'] = dict((i, v) for i, v in enumerate(cache) if v)
    out['inline_cache'] = dict((str(k), v) for k, v in out['inline_cache'].items() if k < 256)
for name in ['_intrinsic_1_descs', '_intrinsic_2_descs']:
    if hasattr(opcode, name):
        out[name.strip('_')] = list(getattr(opcode, name))
if hasattr(opcode, 'MIN_INSTRUMENTED_OPCODE'):
    out['MIN_INSTRUMENTED_OPCODE'] = opcode.MIN_INSTRUMENTED_OPCODE
# 3.13+/3.14 helpers that dis uses for argrepr
if hasattr(dis, '_special_method_names'):
    out['dis_special_method_names'] = list(dis._special_method_names)
for name in ['MAKE_FUNCTION_FLAGS', 'FUNCTION_ATTR_FLAGS']:
    if hasattr(dis, name):
        out['dis_' + name] = list(getattr(dis, name))
if hasattr(dis, '_common_constants'):
    # What dis prints for LOAD_COMMON_CONSTANT: a type's __name__, else repr().
    out['dis_common_constants'] = [x.__name__ if isinstance(x, type) else repr(x) for x in dis._common_constants]
try:
    import _opcode
    if hasattr(_opcode, 'get_special_method_names'):
        out['special_method_names'] = list(_opcode.get_special_method_names())
except ImportError:
    pass
sys.stdout.write(json.dumps(out, sort_keys=True))
