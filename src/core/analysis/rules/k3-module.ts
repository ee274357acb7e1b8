import { writtenByKeras2 } from '../config-facts';
import { moduleDetection, moduleHits } from '../module-refs';
import type { Rule } from '../rule';

const KERAS3_ALLOWED = /^(keras|keras_hub|keras_cv|keras_nlp)(\.|$|_)/;

/**
 * R-K3-MODULE: `.keras` / JSON config objects whose `module` is outside Keras, `builtins` functions that are not
 * Keras builtins, and Functional layer entries that are functions (CVE-2025-1550).
 * Files whose writer claims Keras 2 are reported by R-TK-MODULE instead (same severity; wording only).
 */
export const k3Module: Rule = {
  id: 'R-K3-MODULE',
  title: 'Config imports a Python module outside Keras',
  kind: 'module-import',
  severity: 'critical',
  effect: 'code',
  references: ['CVE-2025-1550', 'GHSA-48g7-3x6r-xfhp'],
  loaders: [
    { loader: 'Keras 3', versions: '3.0.0 – 3.8.x', when: 'default', note: 'safe_mode does not stop it; fixed in 3.9.0' },
    { loader: 'Keras 3', versions: '3.9.0 – 3.10.x', when: 'default', note: 'only keras.src.* functions resolve; fixed further in 3.11.0' },
    { loader: 'tf_keras', versions: '2.15 – 2.21 (all)', when: 'default', note: 'serialization_lib still imports any module (tf-keras PR #910 open)' },
    { loader: 'Keras 3', versions: '≥ 3.11.0', when: 'fixed' },
  ],
  explanation:
    'Keras 3 before 3.9 resolved every serialized object by importing the `module` named in the config and taking the named attribute, so a config can name os.system, builtins.exec or any installed package and have it called with values from the config while the model loads. A Functional layer entry that is a plain function was called with its inbound args. safe_mode did not stop this.',
  detect({ opened, family, walked }) {
    if ((family !== 'keras-zip' && family !== 'json') || writtenByKeras2(opened)) return [];
    return moduleHits(walked.objects, (m) => KERAS3_ALLOWED.test(m), true).map((h) =>
      moduleDetection(h, walked.objects, `Config ${h.reason}`),
    );
  },
};
