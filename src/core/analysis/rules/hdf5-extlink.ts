import type { Detection, Rule } from '../rule';

/**
 * R-HDF5-EXTLINK: soft links, external links, virtual datasets and External Data Files in a Keras HDF5 file or in
 * `model.weights.h5` inside a `.keras` — the weights loader follows them to other files (CVE-2026-1669).
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
  reads: ['hdf5-soft-link', 'hdf5-external-link', 'hdf5-virtual-dataset', 'hdf5-external-storage'],
  detect({ facts }) {
    const out: Detection[] = [];
    const place = (where: string, member: string | undefined) => ({
      document: member ?? 'hdf5',
      location: member ? where.slice(member.length + 1) : where,
    });
    for (const f of facts('hdf5-soft-link')) {
      // A soft link inside the file reads other weights of the same file; one with a file part leaves it.
      const leaves = f.detail.target.includes(':');
      out.push({ title: `HDF5 soft link ${f.where} → ${f.detail.target}`, severity: leaves ? 'high' : 'medium', ...place(f.where, f.detail.member), evidence: { ...f.detail, object: f.where } });
    }
    for (const f of facts('hdf5-external-link')) {
      out.push({ title: `HDF5 external link ${f.where} → ${f.detail.file}:${f.detail.target}`, ...place(f.where, f.detail.member), evidence: { ...f.detail, object: f.where } });
    }
    for (const f of facts('hdf5-virtual-dataset')) {
      const sources = f.detail.sources.map((s) => `${s.file}:${s.dataset}`).join(', ');
      out.push({ title: `HDF5 virtual dataset ${f.where} reads ${sources}`, ...place(f.where, f.detail.member), evidence: { ...f.detail, object: f.where } });
    }
    for (const f of facts('hdf5-external-storage')) {
      const files = f.detail.files.map((x) => x.file).join(', ');
      out.push({ title: `HDF5 dataset ${f.where} stores its bytes in external file ${files}`, ...place(f.where, f.detail.member), evidence: { ...f.detail, object: f.where } });
    }
    return out;
  },
};
