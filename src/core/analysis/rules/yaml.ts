import { carrierDetections } from '../payload-finding';
import type { Detection, Rule } from '../rule';

/** R-YAML: `!!python/…` tags in a Keras YAML config; `model_from_yaml` used yaml.unsafe_load (CVE-2021-37678). */
export const yamlTags: Rule = {
  id: 'R-YAML',
  title: 'Python object tag in a YAML model config',
  kind: 'other',
  severity: 'critical',
  effect: 'code',
  references: ['CVE-2021-37678'],
  loaders: [
    { loader: 'tf.keras (TF 2.x)', versions: '< 2.6.0 (2.5.1, 2.4.3, 2.3.4 patched)', when: 'default', note: 'model_from_yaml used yaml.unsafe_load; YAML support removed in 2.6' },
    { loader: 'multi-backend Keras', versions: '2.x with PyYAML < 5.1', when: 'default', note: 'yaml.load without a safe loader' },
  ],
  explanation:
    'A `!!python/object/apply`, `!!python/name` or similar tag makes PyYAML’s unsafe loader import and call a Python function while it parses the file. TensorFlow before 2.6 parsed Keras YAML configs that way in model_from_yaml.',
  reads: ['yaml-python-tag'],
  detect(ctx) {
    const out: Detection[] = [];
    // Lambda bytecode in the YAML: model_from_yaml rebuilt Lambdas with func_load like model_from_json did.
    for (const d of carrierDetections(ctx, yamlTags.id)) {
      out.push({ ...d, title: d.title.replace(/^Python bytecode in yaml/, `Python bytecode in the YAML config (line ${d.location.split('/').pop()})`) });
    }
    for (const f of ctx.facts('yaml-python-tag')) {
      out.push({
        title: `YAML tag ${String(f.detail.tag)} on ${f.where}`,
        document: 'yaml',
        location: `/line/${String(f.detail.line)}`,
        evidence: { ...f.detail },
      });
    }
    return out;
  },
};
