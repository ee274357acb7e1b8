import type { Detection, Rule } from '../rule';

/** Sources carried in the context finding, in total (the report must stay small enough to share). */
const MAX_EVIDENCE_SOURCE_CHARS = 256 * 1024;

/**
 * R-TORCHSCRIPT: the TorchScript source a `torch.jit.save` archive compiles on load. The `__torch__.*` classes its
 * pickles import are this code, so the code is what is judged: one context finding carries every source member
 * (shown like a payload), and each call outside PyTorch's own operators, or named like a file, process, code or
 * network function, is a finding of its own.
 */
export const torchScript: Rule = {
  id: 'R-TORCHSCRIPT',
  title: 'TorchScript code compiled when the archive is loaded',
  kind: 'other',
  severity: 'medium',
  effect: 'code',
  references: ['pytorch torch/csrc/jit/serialization/import.cpp (code/ members compiled by torch.jit.load)'],
  loaders: [{ loader: 'torch.jit.load', versions: 'all', when: 'default' }],
  explanation:
    'A TorchScript archive stores its model as source code (code/__torch__/….py) that torch.jit.load compiles and runs when the model is called. TorchScript can call PyTorch operators and operators of libraries already loaded in the process; this call is neither a standard PyTorch operator nor ordinary tensor code.',
  detect({ opened }) {
    const modules = opened.torchscript ?? [];
    if (modules.length === 0) return [];
    const out: Detection[] = [];
    let budget = MAX_EVIDENCE_SOURCE_CHARS;
    out.push({
      title: `TorchScript archive: ${modules.length} source member${modules.length === 1 ? '' : 's'} compiled on load (${modules.reduce((n, m) => n + m.classes.length, 0)} classes)`,
      severity: 'info',
      effect: 'context',
      document: modules[0].member.replace(/\/code\/.*$/, '/code'),
      location: '@0',
      explanation: 'The classes this archive’s pickles import are compiled from the TorchScript source below; its calls were checked.',
      evidence: {
        torchscript: modules.map((m) => {
          const source = m.source.slice(0, Math.max(0, budget));
          budget -= source.length;
          return { member: m.member, module: m.module, classes: m.classes, calls: m.calls.map((c) => c.callee), source, sourceComplete: source.length === m.source.length && !m.truncated };
        }),
      },
    });
    for (const m of modules) {
      for (const c of m.calls) {
        if (!c.risk) continue;
        out.push({
          title: `TorchScript in ${m.member} calls ${c.callee} (line ${c.line})`,
          document: m.member,
          location: `/line/${c.line}`,
          evidence: { callee: c.callee, line: c.line, why: c.risk, module: m.module },
        });
      }
    }
    return out;
  },
};
