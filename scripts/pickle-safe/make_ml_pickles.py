"""Real pickles of the libraries people ship models with, for the known-safe list and its tests.

Run with Debian's python3 (python3-sklearn, python3-torch, python3-xgboost, python3-joblib):
    /usr/bin/python3 scripts/pickle-safe/make_ml_pickles.py
Writes tests/fixtures/pickle/ml/<name> and <name>.globals.json (every global each pickle imports, read by
pickletools; for zips, per pickle member). Only dumping happens here; nothing is ever unpickled or loaded.
"""
import io, json, os, pickle, sys, zipfile

import joblib
import numpy as np
import torch
import xgboost
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oracle import pickle_globals  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tests', 'fixtures', 'pickle', 'ml')
os.makedirs(OUT, exist_ok=True)
rng = np.random.RandomState(0)
X = rng.rand(40, 3)
y = (X[:, 0] > 0.5).astype(int)


class Payload:
    """Pickles as a call to os.system; dumping it runs nothing."""

    def __reduce__(self):
        import os as _os
        return (_os.system, ('echo fixture',))


def sidecar(name, members):
    with open(os.path.join(OUT, name + '.globals.json'), 'w') as f:
        json.dump({'file': name, 'python': sys.version.split()[0], 'members': members}, f, indent=1)
        f.write('\n')


def write_pickle(name, obj, protocol=pickle.DEFAULT_PROTOCOL):
    data = pickle.dumps(obj, protocol=protocol)
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)
    sidecar(name, {'': sorted({f'{m}.{n}' for m, n in pickle_globals(data)})})


def write_zip_globals(name):
    members = {}
    with zipfile.ZipFile(os.path.join(OUT, name)) as z:
        for info in z.infolist():
            if info.filename.endswith('.pkl'):
                members[info.filename] = sorted({f'{m}.{n}' for m, n in pickle_globals(z.read(info.filename))})
    sidecar(name, members)


pipeline = Pipeline([('scale', StandardScaler()), ('clf', LogisticRegression())]).fit(X, y)
write_pickle('sklearn_pipeline.pkl', pipeline)
write_pickle('sklearn_pipeline_p2.pkl', pipeline, protocol=2)
write_pickle('sklearn_pipeline_p5.pkl', pipeline, protocol=5)

Xc = np.array([['a', 1.0], ['b', 2.0], ['a', 3.0], ['c', 4.0]] * 10, dtype=object)
yc = np.array([0, 1, 0, 1] * 10)
columns = Pipeline([
    ('columns', ColumnTransformer([('cat', OneHotEncoder(handle_unknown='ignore'), [0]), ('num', StandardScaler(), [1])])),
    ('forest', RandomForestClassifier(n_estimators=3, max_depth=3, random_state=0)),
]).fit(Xc, yc)
write_pickle('sklearn_columns_forest.pkl', columns)

buf = io.BytesIO()
joblib.dump(pipeline, buf)
with open(os.path.join(OUT, 'sklearn_pipeline.joblib'), 'wb') as f:
    f.write(buf.getvalue())
sidecar('sklearn_pipeline.joblib', {'': sorted({f'{m}.{n}' for m, n in pickle_globals(buf.getvalue())})})

booster = xgboost.XGBClassifier(n_estimators=3, max_depth=2, use_label_encoder=False).fit(X, y)
write_pickle('xgboost_classifier.pkl', booster)

net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
torch.save(net.state_dict(), os.path.join(OUT, 'torch_state_dict.pt'))
write_zip_globals('torch_state_dict.pt')
torch.save(net, os.path.join(OUT, 'torch_module.pt'))
write_zip_globals('torch_module.pt')
legacy = io.BytesIO()
torch.save(net.state_dict(), legacy, _use_new_zipfile_serialization=False)
with open(os.path.join(OUT, 'torch_state_dict_legacy.pt'), 'wb') as f:
    f.write(legacy.getvalue())
sidecar('torch_state_dict_legacy.pt', {'': sorted({f'{m}.{n}' for m, n in pickle_globals(legacy.getvalue())})})
torch.jit.save(torch.jit.script(net), os.path.join(OUT, 'torchscript_module.pt'))
write_zip_globals('torchscript_module.pt')

# Malicious counterparts: the same real objects beside an os.system call, and a function from a library module
# that is not a constructor (fetch_openml downloads a data set: never on the known-safe list).
from sklearn.datasets import fetch_openml  # noqa: E402
write_pickle('sklearn_pipeline_with_system.pkl', {'model': pipeline, 'x': Payload()})
write_pickle('sklearn_fetch_openml.pkl', {'model': pipeline, 'loader': fetch_openml})
print('wrote', OUT)
