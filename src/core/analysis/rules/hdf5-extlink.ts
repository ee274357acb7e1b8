import type { Detection, Rule } from '../rule';

const KINDS: Record<string, string> = {
  'hdf5-external-link': 'HDF5 external link',
  'hdf5-soft-link': 'HDF5 soft link',
  'hdf5-virtual-dataset': 'HDF5 virtual dataset',
  'hdf5-external-storage': 'HDF5 external data file',
};

/**
 * R-HDF5-EXTLINK: soft links, external links, virtual datasets (and external storage when visible) in a Keras HDF5
 * file or in `model.weights.h5` inside a `.keras` — the weights loader follows them to other files (CVE-2026-1669).
 */
export const hdf5ExtLink: Rule = {
  id: 'R-HDF5-EXTLINK',
  title: 'HDF5 link to other data or files',
  kind: 'hdf5-external',
  severity: 'high',
  effect: 'file-read',
  references: ['CVE-2026-1669', 'GHSA-3m4q-jmj6-r34q'],
  loaders: [
    { loader: 'Keras 3', versions: '3.0.0 – 3.13.1', when: 'default', note: 'external links / storage; fixed in 3.12.1 / 3.13.2' },
    { loader: 'Keras 3', versions: '≤ 3.15 (before 3.15.0 / 3.12.3)', when: 'default', note: 'soft links and virtual datasets' },
    { loader: 'tf_keras / tf.keras', versions: 'all', when: 'default', note: 'not checked (assume affected)' },
  ],
  explanation:
    'HDF5 can point a weight at another object (soft link), at a dataset in another file (external link), or store a dataset’s bytes in external files or virtual sources. Keras reads weights through h5py, which follows these, so loading the model reads a file of the attacker’s choosing (e.g. a key or a secret) into the weights, where it can be exfiltrated later.',
  detect({ opened }) {
    const out: Detection[] = [];
    for (const f of opened.containerFacts) {
      if (f.kind === 'hdf5-not-inspected') {
        out.push({
          title: `${f.where} was not checked for HDF5 links (${String(f.detail.message ?? `${String(f.detail.size)} bytes, over the inspection limit`)})`,
          severity: 'info',
          document: f.where,
          location: '',
          evidence: { ...f.detail },
        });
        continue;
      }
      const label = KINDS[f.kind];
      if (!label) continue;
      const target = f.detail.filename ? `${String(f.detail.filename)}:${String(f.detail.target ?? '')}` : f.detail.target ?? (f.detail.sources as string[] | undefined)?.join(', ');
      const member = typeof f.detail.member === 'string' ? f.detail.member : undefined;
      out.push({
        title: `${label} ${f.where} → ${String(target ?? '?')}`,
        severity: f.kind === 'hdf5-soft-link' && !String(f.detail.target ?? '').includes(':') ? 'medium' : 'high',
        document: member ?? 'hdf5',
        location: member ? f.where.slice(member.length + 1) : f.where,
        evidence: { ...f.detail, object: f.where },
      });
    }
    return out;
  },
};
