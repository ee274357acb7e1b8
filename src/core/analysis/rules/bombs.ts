import type { Detection, Rule } from '../rule';

const LABELS: Record<string, string> = {
  'hdf5-declared-size': 'HDF5 dataset declares far more data than the file holds',
  'zip-ratio': 'Archive member inflates far beyond its stored size',
  'zip-declared-size': 'Archive declares far more data than it holds',
  'npy-declared-size': 'Array header declares far more data than is stored',
  'hdf5-too-many-objects': 'HDF5 file has more objects than the inspector reads',
};

/** R-BOMBS: declared sizes far beyond the bytes present: HDF5 shapes, zip ratios, npy headers (CVE-2026-0897). */
export const bombs: Rule = {
  id: 'R-BOMBS',
  title: 'Declared size far beyond the file (memory exhaustion)',
  kind: 'resource-bomb',
  severity: 'medium',
  effect: 'denial-of-service',
  references: ['CVE-2026-0897', 'GHSA-xfhx-r7ww-5995'],
  loaders: [
    { loader: 'Keras 3', versions: '3.0.0 – 3.12.0, 3.13.0 – 3.13.1', when: 'default', note: 'fixed in 3.12.1 / 3.13.2; main-path guard 3.15.0 / 3.12.3' },
    { loader: 'tf_keras / tf.keras', versions: 'all', when: 'default' },
  ],
  explanation:
    'The file declares a dataset, array or archive member much larger than the bytes it contains. A loader that allocates what is declared can exhaust memory or disk and crash the process that opens the model.',
  detect({ opened }) {
    const out: Detection[] = [];
    for (const f of opened.containerFacts) {
      const label = LABELS[f.kind];
      if (!label) continue;
      out.push({
        title: `${label}: ${f.where || 'archive'}`,
        severity: f.kind === 'hdf5-too-many-objects' ? 'low' : 'medium',
        document: f.where || 'archive',
        location: '',
        evidence: { ...f.detail, fact: f.kind },
      });
    }
    return out;
  },
};
