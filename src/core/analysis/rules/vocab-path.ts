import { at, remoteScheme } from '../config-facts';
import type { Detection, Rule } from '../rule';

const LOOKUPS = new Set(['StringLookup', 'IntegerLookup', 'TextVectorization', 'IndexLookup', 'Hashing']);

/** R-VOCAB-PATH: a lookup layer's `vocabulary` is a path or URL, read with tf.io.gfile on load (CVE-2025-12058). */
export const vocabPath: Rule = {
  id: 'R-VOCAB-PATH',
  title: 'Lookup layer reads its vocabulary from a path or URL',
  kind: 'vocabulary-path',
  // Reads a file (or fetches an address) the model names on a default load: dangerous, not merely suspicious.
  severity: 'high',
  effect: 'file-read',
  references: ['CVE-2025-12058', 'GHSA-qg93-c7p6-gg7f'],
  loaders: [
    { loader: 'Keras 3 (TF backend)', versions: '< 3.12.0', when: 'default', note: 'fixed (safe-mode gated) in 3.12.0' },
    { loader: 'tf_keras', versions: 'all', when: 'default' },
  ],
  explanation:
    'StringLookup, IntegerLookup and TextVectorization accept a file path as vocabulary and read it with tf.io.gfile while the layer is built. A model can name any local file (read into the vocabulary, where its content can be recovered) or a gs://, s3://, hdfs:// or http(s):// location, which makes the loading machine connect there.',
  detect({ walked }) {
    const out: Detection[] = [];
    for (const o of walked.objects) {
      if (typeof o.value.vocabulary !== 'string' || o.value.vocabulary === '') continue;
      const cls = o.layerClass ?? '';
      if (!LOOKUPS.has(cls) && !o.layer) continue;
      const path = o.value.vocabulary;
      const scheme = remoteScheme(path);
      out.push({
        title: `${cls || 'Layer'} ${o.layer ?? ''} reads its vocabulary from ${path.length > 80 ? `${path.slice(0, 79)}…` : path}`.replace('  ', ' '),
        ...at(o, `${o.pointer}/vocabulary`),
        slot: 'vocabulary',
        evidence: { className: cls, vocabulary: path, network: scheme, effect: scheme ? 'network' : 'file-read' },
      });
    }
    return out;
  },
};
