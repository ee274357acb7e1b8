import { isObject } from '../../json/parse';
import { at, functionRef, str, writtenByKeras2 } from '../config-facts';
import { moduleDetection, moduleHits } from '../module-refs';
import type { Detection, Rule } from '../rule';

const TF_KERAS_ALLOWED = /^(keras|tf_keras)(\.|$)/;

/**
 * R-TK-MODULE: tf_keras-style configs (`.h5`, SavedModel, `.keras`/JSON written by Keras 2): any serialized
 * object whose `module` root is not keras/tf_keras, and any `*_type: "function"` slot whose value is a dict
 * (a module reference) — tf_keras `_retrieve_class_or_fn` imports it (tf-keras PR #910).
 */
export const tkModule: Rule = {
  id: 'R-TK-MODULE',
  title: 'tf_keras config imports a Python module outside Keras',
  kind: 'module-import',
  severity: 'critical',
  effect: 'code',
  references: ['tf-keras PR #910', 'CVE-2025-1550 (same mechanism)'],
  loaders: [
    { loader: 'tf_keras', versions: '2.15 – 2.21 (all)', when: 'default', note: 'unpatched; safe_mode does not check module' },
    { loader: 'tf.keras (TF 2.x)', versions: '2.13 – 2.15 (.keras, Lambda function refs)', when: 'default' },
    { loader: 'Keras 3', versions: '3.0.0 – 3.8.x', when: 'default', note: '.keras / JSON only; fixed in 3.9.0' },
  ],
  explanation:
    'tf_keras (every version up to 2.21) resolves a serialized function or class by importing the `module` the config names and taking the attribute, also for a Lambda whose function_type is "function". A config can therefore call os.system or any installed module’s function, with the layer input and the Lambda’s `arguments`, while the model loads — and tf_keras never applies safe_mode to .h5 or SavedModel loads.',
  detect({ opened, family, walked }) {
    const applies = family === 'h5' || family === 'savedmodel' || ((family === 'keras-zip' || family === 'json') && writtenByKeras2(opened));
    if (!applies) return [];
    // A .keras / JSON claiming a Keras 2 writer is loaded by Keras 3 just the same: keep its keras.src gadget check.
    const keras3Readable = family === 'keras-zip' || family === 'json';
    const out: Detection[] = moduleHits(walked.objects, (m) => TF_KERAS_ALLOWED.test(m), keras3Readable).map((h) =>
      moduleDetection(h, walked.objects, `Config ${h.reason}`),
    );
    const seen = new Set(out.map((d) => `${d.document}${d.location}`));
    // `function_type: "function"` (or output_shape_type / mask_type …) with a dict value: a module reference.
    for (const o of walked.objects) {
      for (const [key, type] of Object.entries(o.value)) {
        if (!key.endsWith('_type') || type !== 'function') continue;
        const slot = key.slice(0, -'_type'.length);
        const value = o.value[slot];
        if (!isObject(value)) continue;
        const location = `${o.pointer}/${slot}`;
        if (seen.has(`${o.document}${location}`)) continue;
        const ref = functionRef(value);
        out.push({
          title: `Lambda ${slot} is a module reference${ref ? ` to ${ref.module ? `${ref.module}.` : ''}${ref.name}` : ''}`,
          ...at(o, location),
          slot,
          evidence: { slot, declaredType: type, value, module: str(value.module), arguments: o.value.arguments },
        });
      }
    }
    return out;
  },
};
