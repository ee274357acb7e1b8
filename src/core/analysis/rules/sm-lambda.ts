import { payloadDetection } from '../payload-finding';
import type { Detection, Rule } from '../rule';

/**
 * R-SM-LAMBDA: Lambda bytecode in a SavedModel's Keras metadata (keras_metadata.pb nodes, `__tuple__` items) or
 * the pre-TF-2.5 `user_object.metadata` (THREATS.md §A.0, §A.1 (4), CVE-2024-3660). The root node's config and the
 * per-layer nodes repeat the same layer: one finding per distinct payload, the other places listed as evidence.
 */
export const smLambda: Rule = {
  id: 'R-SM-LAMBDA',
  title: 'Python bytecode in a SavedModel’s Keras metadata',
  kind: 'lambda-bytecode',
  severity: 'critical',
  effect: 'code',
  references: ['CVE-2024-3660', 'THREATS.md §A.0 keras_metadata.pb'],
  loaders: [
    { loader: 'tf.keras (TF 2.x)', versions: 'all (TF 2.0 – 2.15)', when: 'default', note: 'load_model(dir) has no safe_mode for SavedModel' },
    { loader: 'tf_keras', versions: '2.15 – 2.21 (all)', when: 'default', note: 'safe_mode is not passed to the SavedModel loader' },
    { loader: 'Keras 3', versions: 'all', when: 'fixed', note: 'Keras 3 cannot load a SavedModel as a Keras model (TFSMLayer only, no Lambda revival)' },
  ],
  explanation:
    'tf.keras and tf_keras rebuild every layer of a SavedModel from its JSON metadata when you call load_model on the folder; a Lambda is rebuilt with func_load from the marshalled bytecode and called while the model graph is built. safe_mode is never applied on this path, so the code runs on a plain load.',
  detect({ opened, walked, decoded }) {
    if (opened.format !== 'savedmodel') return [];
    const out: Detection[] = [];
    const bySha = new Map<string, Detection>();
    for (const c of walked.carriers) {
      const key = `${c.sha256}:${c.slot ?? ''}`;
      const first = bySha.get(key);
      if (first) {
        ((first.evidence.alsoIn as string[]) ??= []).push(`${c.document}${c.pointer}`);
        continue;
      }
      const d = payloadDetection(c, decoded.get(c)!);
      d.evidence.alsoIn = [];
      bySha.set(key, d);
      out.push(d);
    }
    for (const f of opened.containerFacts) {
      if (f.kind !== 'savedmodel-metadata-unreadable') continue;
      out.push({
        title: `Keras metadata node ${f.where} could not be read${f.detail.mentionsLambda ? ' and mentions a Lambda' : ''}`,
        severity: f.detail.mentionsLambda ? 'high' : 'medium',
        document: f.where,
        location: '',
        evidence: { ...f.detail },
        explanation:
          'This node’s metadata JSON was over the inspection budget or malformed, so any Lambda in it could not be checked. The loader parses it with Python’s json module and may accept it.',
      });
    }
    return out;
  },
};
