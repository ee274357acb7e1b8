import type { Rule } from '../rule';

/**
 * R-VERSION: the writer's versions (keras_version, backend, metadata.json, TF version), as context next to the
 * other findings. They describe who wrote the file, are attacker-controlled, and never lower a severity
 * (ModelAudit PR #1559 learned the same). Only emitted when there is something else to put in context.
 */
export const version: Rule = {
  id: 'R-VERSION',
  title: 'Writer versions recorded in the file (context only)',
  kind: 'other',
  severity: 'info',
  effect: 'context',
  references: ['promptfoo/modelaudit PR #1559'],
  loaders: [],
  explanation:
    'These versions say which software wrote the file; the file can claim anything. What matters is the version that loads it, so the severities above are for the loaders listed, never lowered because of what the file claims.',
  detect({ opened, earlier }) {
    if (!earlier.some((f) => f.severity !== 'info')) return [];
    const writer = opened.meta.writer;
    const facts: Record<string, string> = {};
    if (opened.meta.kerasVersion) facts.keras_version = opened.meta.kerasVersion;
    if (opened.meta.backend) facts.backend = opened.meta.backend;
    for (const [k, v] of Object.entries(writer)) if (!(k in facts) && v.length < 200) facts[k] = v;
    if (Object.keys(facts).length === 0) return [];
    const claimed = facts.keras_version ?? facts.tensorflow_version;
    return [
      {
        title: `The file says it was written by ${facts.keras_version ? `Keras ${facts.keras_version}` : facts.tensorflow_version ? `TensorFlow ${facts.tensorflow_version}` : 'an unnamed writer'}${claimed ? '; that does not make your loader safe' : ''}`,
        document: opened.documents.find((d) => d.role === 'metadata')?.name ?? opened.documents[0]?.name ?? 'file',
        // The key that makes the claim (metadata.json `/keras_version`, the root attribute of an .h5).
        location: `/${Object.keys(facts)[0]}`,
        evidence: facts,
      },
    ];
  },
};
