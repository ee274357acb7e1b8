import type { Detection, Rule } from '../rule';
import { pickleEvidence, pickleLocation } from '../pickle-evidence';

/**
 * R-NPZ-PICKLE: a `.keras` whose `model.weights.npz` holds an object-dtype array. Those Keras versions call
 * `np.load(..., allow_pickle=True)`, so the array's pickle runs on load, safe_mode or not (fixed in keras 57c94f305c).
 */
const LONE_NPY_LOADERS = [{ loader: 'numpy.load', versions: '≥ 1.16.3', when: 'option' as const, note: 'allow_pickle=True' }, { loader: 'numpy.load', versions: '< 1.16.3', when: 'default' as const }];

export const npzPickle: Rule = {
  id: 'R-NPZ-PICKLE',
  title: 'Object array (a pickle) in the .keras weights archive',
  kind: 'pickle',
  severity: 'critical',
  effect: 'code',
  references: ['keras 57c94f305c (3.9.0)', 'tf-keras c79cc0ef7 (2.20.1)'],
  loaders: [
    { loader: 'Keras 3', versions: '3.0.0 – 3.8.x', when: 'default', note: 'np.load(allow_pickle=True); not gated by safe_mode; fixed in 3.9.0' },
    { loader: 'tf.keras (TF 2.x)', versions: '2.12 – 2.15', when: 'default', note: 'never fixed' },
    { loader: 'tf_keras', versions: '2.15 – 2.19', when: 'default', note: 'fixed in 2.20.1' },
    { loader: 'Keras 3', versions: '≥ 3.9.0', when: 'fixed' },
  ],
  explanation:
    'A .npy member with an object dtype stores its values as a Python pickle. The listed Keras versions read model.weights.npz with allow_pickle=True, which unpickles it — and unpickling can call any importable function. Numeric weights never need an object dtype.',
  reads: ['npy-object-array'],
  detect({ facts, pickles }) {
    const out: Detection[] = [];
    for (const f of facts('npy-object-array')) {
      const scans = pickles.filter((p) => p.document === f.where);
      const dangerous = scans.some((s) => s.scan.globals.some((g) => g.class === 'dangerous'));
      out.push({
        title: `Object-dtype array ${f.where} is a pickle${dangerous ? ' that imports dangerous functions' : ''}`,
        document: f.where,
        location: scans[0] ? pickleLocation(scans[0]) : '@0',
        evidence: { member: f.where, ...f.detail, ...(scans[0] ? pickleEvidence(scans[0]) : {}), pickle: scans.slice(1).map((s) => pickleEvidence(s)) },
        // A lone .npy is read with numpy.load, which refuses object arrays unless allow_pickle=True is passed.
        ...(f.detail.inNpz ? {} : { severity: 'medium' as const, loaders: LONE_NPY_LOADERS }),
      });
    }
    return out;
  },
};
