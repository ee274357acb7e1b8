import { carrierDetections } from '../payload-finding';
import type { Rule } from '../rule';

/**
 * R-K3-LAMBDA: bytecode in a `.keras` archive or a model JSON — Lambda `__lambda__` or a generic `__lambda__`
 * anywhere, compile_config included (CVE-2024-3660, CVE-2026-12481). Critical when the
 * same file also switches safe mode off (R-K3-UNSAFE-TOGGLE, CVE-2025-9906).
 */
export const k3Lambda: Rule = {
  id: 'R-K3-LAMBDA',
  title: 'Python bytecode in a .keras or JSON model config',
  kind: 'lambda-bytecode',
  severity: 'high',
  effect: 'code',
  references: ['CVE-2024-3660', 'CVE-2026-12481', 'CVE-2025-9906'],
  loaders: [
    { loader: 'Keras 3', versions: '3.14.0', when: 'default', note: 'keras.layers.deserialize / clone_model / from_config paths (CVE-2026-12481); fixed in 3.15.0 / 3.12.3' },
    { loader: 'Keras 3', versions: 'all', when: 'option', note: 'safe_mode=False, or a pickled model' },
    { loader: 'tf.keras / tf_keras .keras', versions: '2.13 – 2.21', when: 'option', note: 'safe_mode=False' },
    { loader: 'multi-backend Keras, tf.keras model_from_json', versions: '< 2.13', when: 'default' },
  ],
  explanation:
    'The config stores a Python function as marshalled bytecode. Current Keras refuses it under the default safe_mode=True, but it runs as soon as anyone loads with safe_mode=False (a common fix for the refusal), through a pickled model, on Keras 3.14.0 deserialize paths, and on every model_from_json of Keras < 2.13.',
  detect(ctx) {
    const toggle = ctx.earlier.find((f) => f.rule === 'R-K3-UNSAFE-TOGGLE');
    return carrierDetections(ctx, k3Lambda.id).map((d) => {
      if (!toggle) return d;
      return {
        ...d,
        severity: 'critical' as const,
        evidence: { ...d.evidence, safeModeDisabledBy: `${toggle.document}${toggle.location}` },
        loaders: [
          { loader: 'Keras 3', versions: '< 3.11.0', when: 'default' as const, note: `the same file turns safe mode off first (${toggle.title}; CVE-2025-9906)` },
          ...k3Lambda.loaders,
        ],
      };
    });
  },
};
