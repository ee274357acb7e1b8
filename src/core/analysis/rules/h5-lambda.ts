import { carrierDetections } from '../payload-finding';
import type { Rule } from '../rule';

/** R-H5-LAMBDA: marshal bytecode anywhere in a legacy HDF5 file's configs, whatever else the file holds (CVE-2024-3660, CVE-2025-9905). */
export const h5Lambda: Rule = {
  id: 'R-H5-LAMBDA',
  title: 'Python bytecode in a legacy HDF5 model',
  kind: 'lambda-bytecode',
  severity: 'critical',
  effect: 'code',
  references: ['CVE-2024-3660', 'CVE-2025-9905'],
  loaders: [
    { loader: 'multi-backend Keras 1/2', versions: 'all', when: 'default' },
    { loader: 'tf.keras (TF 2.x)', versions: 'all (TF ≤ 2.15)', when: 'default', note: 'safe_mode is never applied to .h5' },
    { loader: 'tf_keras', versions: '2.15 – 2.21 (all)', when: 'default', note: 'safe_mode is ignored for .h5 (tf-keras PR #910 open)' },
    { loader: 'Keras 3', versions: '3.0.0 – 3.11.2', when: 'default', note: 'CVE-2025-9905' },
    { loader: 'Keras 3', versions: '≥ 3.11.3', when: 'option', note: 'safe_mode=False' },
  ],
  explanation:
    'A Lambda (or any *_type "lambda" slot) stores a Python function as marshalled bytecode. Loading a legacy .h5 model rebuilds the layer with func_load and calls it while building the graph, so the code runs inside load_model — tf.keras and tf_keras never apply safe_mode to .h5 files, and Keras 3 only does from 3.11.3. The code runs with os (Keras 3) or sys/np/tf (tf.keras) already in its globals, so it needs no import.',
  detect(ctx) {
    return carrierDetections(ctx, h5Lambda.id);
  },
};
