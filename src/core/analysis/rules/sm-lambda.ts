import { carrierDetections } from '../payload-finding';
import type { Rule } from '../rule';

/**
 * R-SM-LAMBDA: Lambda bytecode in a SavedModel's Keras metadata (keras_metadata.pb nodes, `__tuple__` items) or
 * the pre-TF-2.5 `user_object.metadata` (CVE-2024-3660). The root node's config and the
 * per-layer nodes repeat the same layer: one finding per distinct payload, the other places listed as evidence
 * (payload-finding.ts). Metadata that could not be read is in the coverage ledger, not here.
 */
export const smLambda: Rule = {
  id: 'R-SM-LAMBDA',
  title: 'Python bytecode in a SavedModel’s Keras metadata',
  kind: 'lambda-bytecode',
  severity: 'critical',
  effect: 'code',
  references: ['CVE-2024-3660'],
  loaders: [
    { loader: 'tf.keras (TF 2.x)', versions: 'all (TF 2.0 – 2.15)', when: 'default', note: 'load_model(dir) has no safe_mode for SavedModel' },
    { loader: 'tf_keras', versions: '2.15 – 2.21 (all)', when: 'default', note: 'safe_mode is not passed to the SavedModel loader' },
    { loader: 'Keras 3', versions: 'all', when: 'fixed', note: 'Keras 3 cannot load a SavedModel as a Keras model (TFSMLayer only, no Lambda revival)' },
  ],
  explanation:
    'tf.keras and tf_keras rebuild every layer of a SavedModel from its JSON metadata when you call load_model on the folder; a Lambda is rebuilt with func_load from the marshalled bytecode and called while the model graph is built. safe_mode is never applied on this path, so the code runs on a plain load.',
  detect(ctx) {
    return carrierDetections(ctx, smLambda.id);
  },
};
