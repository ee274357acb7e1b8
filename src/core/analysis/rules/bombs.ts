import type { FactKind } from '../../formats/facts';
import type { Detection, Rule } from '../rule';

const LABELS = {
  'hdf5-declared-size': 'HDF5 dataset declares far more data than the file holds',
  'zip-ratio': 'Archive member inflates far beyond its stored size',
  'zip-declared-size': 'Archive declares far more data than it holds',
  'npy-declared-size': 'Array header declares far more data than is stored',
  'zip-size-mismatch': 'Archive member is not the size its directory declares',
} as const satisfies Partial<Record<FactKind, string>>;

/**
 * R-BOMBS: declared sizes far beyond the bytes present: HDF5 shapes, zip ratios, npy headers (CVE-2026-0897), and
 * zip members whose directory lies about their size (Python's zipfile reads the real bytes; other tools trust the
 * declared size and skip or misread the member).
 */
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
  reads: Object.keys(LABELS) as FactKind[],
  detect({ facts }) {
    const out: Detection[] = [];
    const finding = (kind: FactKind, where: string, detail: object, title = '') => ({
      title: `${LABELS[kind as keyof typeof LABELS]}: ${where || 'archive'}${title}`,
      document: where || 'archive',
      // The declaration is at the start of the member / dataset header the document names.
      location: '@0',
      evidence: { ...detail, fact: kind },
    });
    for (const kind of ['hdf5-declared-size', 'zip-ratio', 'zip-declared-size', 'npy-declared-size'] as const) {
      for (const f of facts(kind)) out.push(finding(kind, f.where, f.detail));
    }
    for (const f of facts('zip-size-mismatch')) {
      out.push({
        ...finding(f.kind, f.where, f.detail, ` (declares ${f.detail.declaredBytes} bytes, holds ${f.detail.actualBytes})`),
        severity: 'low',
        explanation:
          'The zip central directory declares a size for this member that its data does not have. Python’s zipfile (used by Keras and torch) ignores the declared size and reads the real bytes, as this inspector did; scanners that trust the declared size skip such a member or stop with an error.',
      });
    }
    return out;
  },
};
