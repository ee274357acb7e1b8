import type { EmbeddedPickle } from '../../keras/model';
import type { PickleGlobal } from '../../pickle/scan';
import type { Severity } from '../../report';
import { pickleEvidence, pickleLocation } from '../pickle-evidence';
import type { Detection, Rule } from '../rule';

const RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
const MAX_PER_PICKLE = 40;

function where(p: EmbeddedPickle): string {
  return p.container === 'pickle' || p.container === 'torch-legacy' ? 'the pickle' : `${p.document}${p.location ? ` (${p.location})` : ''}`;
}

/**
 * R-PICKLE-GLOBALS: every pickle found (pickle files, PyTorch zips and legacy streams, object arrays, TorchModuleWrapper
 * blobs): each dangerous import (picklescan / ModelScan lists) is a finding with its call arguments; unknown imports are
 * one suspicious finding per pickle; safe ones (tensor rebuilds, OrderedDict) are nothing.
 */
export const pickleGlobals: Rule = {
  id: 'R-PICKLE-GLOBALS',
  title: 'Pickle imports a function it can call while loading',
  kind: 'pickle',
  severity: 'critical',
  effect: 'code',
  references: ['picklescan _unsafe_globals (mmaitre314/picklescan f15d54da3d)', 'modelscan unsafe_globals (protectai/modelscan 8b8ed4bf78)'],
  loaders: [
    { loader: 'pickle.load / torch.load(weights_only=False) / joblib / np.load(allow_pickle=True)', versions: 'all', when: 'default' },
    { loader: 'torch.load', versions: '≥ 2.6 (weights_only=True default)', when: 'option', note: 'weights_only=False' },
  ],
  explanation:
    'Unpickling imports the named function and calls it with arguments stored in the file (REDUCE). The functions listed here run commands, evaluate code, open files or connections, so loading this pickle runs what the file says.',
  detect({ pickles }) {
    const out: Detection[] = [];
    for (const p of pickles) {
      const dangerous = new Map<string, PickleGlobal>();
      const unknown = new Map<string, PickleGlobal>();
      for (const g of p.scan.globals) {
        const key = `${g.module}.${g.name}`;
        if (g.class === 'dangerous' && !dangerous.has(key)) dangerous.set(key, g);
        else if (g.class === 'unknown' && !unknown.has(key)) unknown.set(key, g);
      }
      const evidence = pickleEvidence(p);
      let n = 0;
      for (const [key, g] of dangerous) {
        if (++n > MAX_PER_PICKLE) break;
        const calls = p.scan.calls.filter((c) => c.target?.module === g.module && c.target?.name === g.name);
        const args = calls.flatMap((c) => c.stringArgs).slice(0, 8);
        out.push({
          title: `Pickle in ${where(p)} imports ${key}${g.unresolved ? ' (name computed at load time)' : ''}${args.length ? ` and calls it with ${JSON.stringify(args[0]).slice(0, 80)}` : ''}`,
          severity: g.severity,
          document: p.document,
          location: pickleLocation(p, g.offset),
          layer: p.layer,
          evidence: { global: key, matched: g.rule, opcode: g.opcode, offset: p.offset + g.offset, pickleIndex: g.pickleIndex, ...evidence },
        });
      }
      if (unknown.size > 0) {
        const names = [...unknown.keys()];
        out.push({
          title: `Pickle in ${where(p)} imports ${names.length} function${names.length > 1 ? 's' : ''} outside the known-safe list (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''})`,
          severity: 'medium',
          document: p.document,
          location: pickleLocation(p, [...unknown.values()][0].offset),
          layer: p.layer,
          evidence: { unknownGlobals: names.slice(0, 50), ...evidence },
          explanation:
            'These imports are not on the dangerous lists, but not on the short list of tensor-rebuild helpers either. Unpickling calls them with arguments from the file; whether that is harmful depends on what they do in the loading environment.',
        });
      }
      if (p.scan.error && p.scan.globals.length === 0) {
        out.push({
          title: `Pickle in ${where(p)} could not be read (${p.scan.error.message})`,
          severity: 'low',
          document: p.document,
          location: pickleLocation(p, p.scan.error.offset),
          layer: p.layer,
          evidence: { ...evidence },
          explanation: 'The opcode reader stopped before the end; Python’s unpickler may still accept it.',
        });
      }
    }
    return out.sort((a, b) => RANK[a.severity ?? 'info'] - RANK[b.severity ?? 'info']);
  },
};
