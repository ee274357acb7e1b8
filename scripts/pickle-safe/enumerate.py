"""Builds src/core/pickle/known-safe.ts: the pickle globals that are safe to import, from the real classes of the
libraries people ship models with (Debian python3: numpy, scipy, scikit-learn, torch, xgboost; LightGBM from its
source, as it is not packaged here).

    /usr/bin/python3 scripts/pickle-safe/enumerate.py

Each group carries the reason an entry is safe, and a level:
  call        — calling it with arbitrary arguments cannot run code, import, or touch files or the network;
  reconstruct — calling it with arguments can (e.g. a model_file= parameter reads a file), but building it the way
                pickle does without arguments (NEWOBJ / copyreg._reconstructor, then __setstate__) cannot.
Only classes and functions defined in the library are listed, never a whole module: modules hold loaders too
(sklearn.datasets.fetch_openml downloads, numpy.load unpickles, torch.load loads).
"""
import importlib, inspect, json, os, pkgutil, sys, warnings

warnings.filterwarnings('ignore')
import numpy as np
import scipy.sparse
import sklearn
import torch
import xgboost
from sklearn.base import BaseEstimator

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'src', 'core', 'pickle', 'known-safe.ts')


def qualified(obj):
    return f'{obj.__module__}.{obj.__qualname__}'


def submodules(package, skip=()):
    mods = []
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + '.'):
        if any(part in info.name for part in skip):
            continue
        try:
            mods.append(importlib.import_module(info.name))
        except Exception:
            pass
    return mods


def classes_in(modules, predicate, prefix):
    found = set()
    for mod in modules:
        for _, obj in inspect.getmembers(mod, inspect.isclass):
            if obj.__module__.startswith(prefix) and predicate(obj):
                found.add(qualified(obj))
    return sorted(found)


def existing(names):
    """Keeps the dotted names that resolve in the installed libraries (a typo or a removed name fails loudly)."""
    out = []
    for name in names:
        module, _, attr = name.rpartition('.')
        obj = importlib.import_module(module)
        for part in attr.split('.'):
            obj = getattr(obj, part)
        out.append(name)
    return out


groups = []


def group(gid, level, reason, names, source):
    groups.append({'id': gid, 'level': level, 'reason': reason, 'source': source, 'names': sorted(set(names))})


python_data = ['builtins.' + n for n in ('set', 'frozenset', 'bytearray', 'bytes', 'slice', 'complex', 'range', 'object', 'list', 'dict', 'tuple', 'int', 'float', 'str', 'bool')]
group('python-data', 'call', 'a Python data type: calling it builds a value from the values given, nothing else',
      python_data + [n.replace('builtins.', '__builtin__.') for n in python_data] + existing([
          'collections.OrderedDict', 'collections.defaultdict', 'collections.deque', 'collections.Counter',
          'datetime.datetime', 'datetime.date', 'datetime.time', 'datetime.timedelta', 'datetime.timezone',
          'decimal.Decimal', 'fractions.Fraction']), f'CPython {sys.version.split()[0]}')
group('python-pickle-helpers', 'call',
      'pickle machinery: copyreg._reconstructor makes an instance without calling its class, _codecs.encode turns text into bytes (codecs come only from the standard encodings package)',
      existing(['copyreg._reconstructor', '_codecs.encode']) + ['copy_reg._reconstructor'], f'CPython {sys.version.split()[0]}')

numpy_scalars = sorted({f'numpy.{t.__name__}' for t in np.sctypeDict.values() if hasattr(np, t.__name__)})
group('numpy-arrays', 'call', 'NumPy array, scalar and dtype reconstruction from the stored bytes (no file, no import)',
      existing(['numpy.core.multiarray._reconstruct', 'numpy.core.multiarray.scalar', 'numpy.core.numeric._frombuffer', 'numpy.dtype', 'numpy.ndarray'])
      + ['numpy._core.multiarray._reconstruct', 'numpy._core.multiarray.scalar', 'numpy._core.numeric._frombuffer'] + numpy_scalars
      + existing(['numpy.random._pickle.__randomstate_ctor', 'numpy.random._pickle.__generator_ctor', 'numpy.random._pickle.__bit_generator_ctor']),
      f'numpy {np.__version__} (numpy._core: the same functions under their NumPy 2 module)')

sparse = classes_in([scipy.sparse] + submodules(scipy.sparse, skip=('tests',)), lambda c: issubclass(c, scipy.sparse.spmatrix) or c.__name__.endswith('_array'), 'scipy.sparse')
group('scipy-sparse', 'call', 'SciPy sparse matrix: the constructor stores the arrays it is given', sparse, f'scipy {scipy.__version__}')

sk_modules = submodules(sklearn, skip=('tests', 'externals', '_build_utils', 'experimental', 'conftest'))
estimators = classes_in(sk_modules, lambda c: issubclass(c, BaseEstimator), 'sklearn')
group('sklearn-estimators', 'call',
      'scikit-learn estimator: the constructor only stores its hyper-parameters (a convention check_estimator enforces); fitted state comes back through __setstate__ as a dict',
      estimators, f'scikit-learn {sklearn.__version__}')
from sklearn._loss import loss as sk_loss  # noqa: E402
internals = existing(['sklearn.tree._tree.Tree', 'sklearn.neighbors._kd_tree.KDTree', 'sklearn.neighbors._ball_tree.BallTree', 'sklearn.utils._bunch.Bunch'])
internals += classes_in([sk_loss], lambda c: c.__name__ != 'BaseLoss', 'sklearn._loss')
group('sklearn-internals', 'call', 'scikit-learn fitted structure (decision tree arrays, neighbour trees, loss objects): built from numbers and arrays only',
      internals, f'scikit-learn {sklearn.__version__}')

import torch._utils  # noqa: E402
import torch._tensor  # noqa: E402
tensor_funcs = existing([
    'torch._utils._rebuild_tensor', 'torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_parameter', 'torch._utils._rebuild_qtensor',
    'torch._utils._rebuild_sparse_tensor', 'torch._utils._rebuild_sparse_csr_tensor', 'torch._utils._rebuild_device_tensor_from_numpy',
    'torch._utils._rebuild_meta_tensor_no_storage', 'torch._tensor._rebuild_from_type', 'torch._tensor._rebuild_from_type_v2',
    'torch.serialization._get_layout', 'torch.Size', 'torch.device'])
tensor_funcs += ['torch._utils._rebuild_parameter_with_state']
storages = [f'torch.{n}' for n in dir(torch) if n.endswith('Storage') and inspect.isclass(getattr(torch, n))]
dtypes = [f'torch.{n}' for n in dir(torch) if isinstance(getattr(torch, n, None), (torch.dtype, torch.layout, torch.memory_format))]
group('torch-tensors', 'call',
      'PyTorch tensor reconstruction: storages, dtypes and layouts by name, tensors and parameters rebuilt from stored bytes (a function handed to _rebuild_from_type_v2 is a global of its own and judged on its own)',
      tensor_funcs + storages + dtypes, f'torch {torch.__version__}')
nn_modules = classes_in(submodules(torch.nn.modules), lambda c: issubclass(c, torch.nn.Module), 'torch.nn.modules')
group('torch-nn', 'call', 'PyTorch layer: the constructor allocates parameters from numbers and flags (memory only)',
      nn_modules + existing(['torch.nn.parameter.Parameter']), f'torch {torch.__version__}')

import xgboost.sklearn  # noqa: E402
group('xgboost-estimators', 'call', 'XGBoost scikit-learn wrapper: the constructor only stores its parameters',
      classes_in([xgboost.sklearn], lambda c: issubclass(c, BaseEstimator), 'xgboost'), f'xgboost {xgboost.__version__}')
group('xgboost-booster', 'reconstruct',
      'XGBoost Booster: called with arguments it can read a model file (model_file=); pickle builds it without arguments and __setstate__ parses the model bytes stored in the pickle',
      existing(['xgboost.core.Booster']), f'xgboost {xgboost.__version__}')
group('lightgbm-estimators', 'call', 'LightGBM scikit-learn wrapper: the constructor only stores its parameters',
      ['lightgbm.sklearn.LGBMModel', 'lightgbm.sklearn.LGBMClassifier', 'lightgbm.sklearn.LGBMRegressor', 'lightgbm.sklearn.LGBMRanker'],
      'lightgbm python-package source (lightgbm/sklearn.py), not installed here')
group('lightgbm-booster', 'reconstruct',
      'LightGBM Booster: called with arguments it can read a model file (model_file=); pickle builds it without arguments and __setstate__ parses the model string stored in the pickle',
      ['lightgbm.basic.Booster'], 'lightgbm python-package source (lightgbm/basic.py, Booster.__setstate__), not installed here')
import joblib  # noqa: E402
group('joblib', 'call', 'joblib array wrapper: stores the shape, order and dtype of an array whose bytes follow in the same file',
      existing(['joblib.numpy_pickle.NumpyArrayWrapper']), f'joblib {joblib.__version__}')

count = sum(len(g['names']) for g in groups)
with open(OUT, 'w') as f:
    f.write('// Generated by scripts/pickle-safe/enumerate.py from the installed libraries: do not edit by hand.\n')
    f.write('/** Pickle globals known to be safe to import, with why (see globals.ts for how a level is used). */\n')
    f.write("export type SafeLevel = 'call' | 'reconstruct';\n\n")
    f.write('export interface SafeGroup {\n  id: string;\n  level: SafeLevel;\n  reason: string;\n  /** Where the names were read from. */\n  source: string;\n  names: readonly string[];\n}\n\n')
    f.write(f'/** {count} names in {len(groups)} groups. */\n')
    f.write('export const KNOWN_SAFE: readonly SafeGroup[] = ' + json.dumps(groups, indent=1) + ';\n')
print(f'wrote {OUT}: {count} names in {len(groups)} groups')
