import { at, remoteScheme, str } from '../config-facts';
import type { Detection, Rule } from '../rule';

/** R-TFSM: `TFSMLayer` loads an external SavedModel from `config.filepath` (CVE-2026-1462). */
export const tfsm: Rule = {
  id: 'R-TFSM',
  title: 'TFSMLayer loads another SavedModel from a path',
  kind: 'tfsm-layer',
  severity: 'high',
  effect: 'code',
  references: ['CVE-2026-1462', 'GHSA-4f3f-g24h-fr8m'],
  loaders: [
    { loader: 'Keras 3 (TF backend)', versions: '< 3.12.1, 3.13.0 – 3.13.1', when: 'default', note: 'fixed in 3.12.1 / 3.13.2' },
    { loader: 'Keras 3 (TF backend)', versions: '≥ 3.13.2', when: 'option', note: 'safe_mode=False' },
  ],
  explanation:
    'TFSMLayer.from_config calls tf.saved_model.load on the filepath in the config, under safe mode too on the affected versions. That SavedModel is a TensorFlow program chosen by the file: it can read and write files and reach the network; a remote scheme (gs://, s3://, http…) makes the loader fetch it.',
  detect({ walked }) {
    const out: Detection[] = [];
    for (const o of walked.objects) {
      if (o.value.class_name !== 'TFSMLayer') continue;
      const config = o.value.config;
      const cfg = typeof config === 'object' && config !== null && !Array.isArray(config) ? config : {};
      const filepath = str(cfg.filepath);
      const scheme = filepath ? remoteScheme(filepath) : undefined;
      out.push({
        title: `TFSMLayer loads the SavedModel at ${filepath ?? '(no filepath)'}${scheme ? ` over ${scheme}` : ''}`,
        ...at(o, filepath !== undefined ? `${o.pointer}/config/filepath` : o.pointer),
        slot: 'filepath',
        evidence: { className: 'TFSMLayer', filepath, callEndpoint: cfg.call_endpoint, callTrainingEndpoint: cfg.call_training_endpoint, network: scheme },
      });
    }
    return out;
  },
};
