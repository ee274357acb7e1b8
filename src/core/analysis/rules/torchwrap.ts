import { child } from '../config-facts';
import { pickleEvidence } from '../pickle-evidence';
import type { Detection, Rule } from '../rule';

/**
 * R-TORCHWRAP: Keras 3 `TorchModuleWrapper` with `config.module` = base64 of `torch.save(module)`, loaded with
 * `torch.load(weights_only=False)` (CVE-2025-49655). The blob is decoded and its pickles scanned (R-PICKLE-GLOBALS
 * reports the dangerous imports in it).
 */
export const torchWrap: Rule = {
  id: 'R-TORCHWRAP',
  title: 'TorchModuleWrapper carries a pickled PyTorch module',
  kind: 'pickle',
  severity: 'critical',
  effect: 'code',
  references: ['CVE-2025-49655'],
  loaders: [
    { loader: 'Keras 3 (torch backend)', versions: '3.11.0 – 3.11.2', when: 'default', note: 'torch.load(weights_only=False); fixed in 3.11.3' },
    { loader: 'Keras 3 (torch backend)', versions: '≥ 3.11.3', when: 'option', note: 'safe_mode=False (fail-closed on safe_mode=None from 3.15.0 / 3.12.3)' },
  ],
  explanation:
    'TorchModuleWrapper stores a whole PyTorch module as a base64 torch.save blob; Keras 3.11.0–3.11.2 load it with torch.load(weights_only=False) on a plain load, later versions when safe_mode=False. That unpickles the blob, and a pickle can call any importable function.',
  detect({ walked, torchBlobs, pickles }) {
    const out: Detection[] = [];
    for (const o of walked.objects) {
      if (o.value.class_name !== 'TorchModuleWrapper') continue;
      const config = o.value.config;
      const hasModule = typeof config === 'object' && config !== null && !Array.isArray(config) && typeof config.module === 'string';
      const location = hasModule ? child(o.pointer, 'config', 'module') : o.pointer;
      const blob = torchBlobs.find((b) => b.document === o.document && b.pointer === location);
      const scans = pickles.filter((p) => p.document === o.document && p.location === location);
      const dangerous = scans.some((s) => s.scan.globals.some((g) => g.class === 'dangerous'));
      out.push({
        title: `TorchModuleWrapper ${o.layer ?? ''} carries a pickled PyTorch module${dangerous ? ' that imports dangerous functions' : ''}`.replace('  ', ' '),
        severity: hasModule ? 'critical' : 'high',
        document: o.document,
        location,
        layer: o.layer,
        slot: 'module',
        evidence: {
          className: 'TorchModuleWrapper',
          decodedAs: blob?.kind ?? (hasModule ? 'unknown' : 'no module blob'),
          decodedBytes: blob?.bytes,
          members: blob?.members,
          ...(scans[0] ? pickleEvidence(scans[0]) : {}),
          pickles: scans.slice(1).map((s) => pickleEvidence(s)),
        },
      });
    }
    return out;
  },
};
