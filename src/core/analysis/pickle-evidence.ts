/** Compact evidence of one pickle scan: the imports and calls that matter, capped. */
import type { EmbeddedPickle } from '../keras/model';

export function pickleSummary(p: EmbeddedPickle): Record<string, unknown> {
  const notable = p.scan.globals.filter((g) => g.class !== 'safe').slice(0, 30);
  const calls = p.scan.calls
    .filter((c) => c.target && notable.some((g) => g.module === c.target!.module && g.name === c.target!.name))
    .slice(0, 20)
    .map((c) => ({ call: `${c.target!.module}.${c.target!.name}`, opcode: c.opcode, offset: p.offset + c.offset, stringArgs: c.stringArgs }));
  return {
    container: p.container,
    protocol: p.scan.protocol,
    pickles: p.scan.pickles,
    globals: notable.map((g) => ({ global: `${g.module}.${g.name}`, class: g.class, severity: g.severity, offset: p.offset + g.offset, rule: g.rule })),
    calls,
    safeGlobals: p.scan.globals.filter((g) => g.class === 'safe').length,
    error: p.scan.error,
  };
}
