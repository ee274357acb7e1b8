/**
 * What a reviewer acts on in a pickle, as fields rather than prose: every global it imports (safe ones marked
 * safe), every call with its callable and string arguments, and its string constants. Offsets are into the
 * finding's document. Capped so a pickle with a million records stays a small report.
 */
import type { EmbeddedPickle } from '../keras/model';
import type { PickleListingLine } from '../pickle/scan';

export interface PickleGlobalEvidence {
  module: string;
  name: string;
  /** On the known-safe list (tensor rebuilds, numpy/sklearn classes …); the rest are what to look at. */
  safe: boolean;
  class: 'safe' | 'dangerous' | 'unknown';
  offset: number;
}

export interface PickleCallEvidence {
  /** `module.name` of the called global, or null when the callable is not a plain import (a computed value). */
  callable: string | null;
  args: string[];
  opcode: string;
  offset: number;
}

export interface PickleEvidence {
  container: string;
  protocol: number;
  pickles: number;
  globals: PickleGlobalEvidence[];
  calls: PickleCallEvidence[];
  strings: string[];
  /** The first opcodes, pickletools.dis style, offsets into the document (shown on request). */
  listing: PickleListingLine[];
  error?: { message: string; offset: number };
}

const MAX_GLOBALS = 100;
const MAX_CALLS = 50;
const MAX_STRINGS = 50;
const MAX_LISTING = 200;

export function pickleEvidence(p: EmbeddedPickle): PickleEvidence {
  const seen = new Set<string>();
  const globals: PickleGlobalEvidence[] = [];
  // Not-safe first, so a cap never hides the imports that matter behind tensor rebuilds.
  const ordered = [...p.scan.globals.filter((g) => g.class !== 'safe'), ...p.scan.globals.filter((g) => g.class === 'safe')];
  for (const g of ordered) {
    const key = `${g.module}.${g.name}`;
    if (seen.has(key) || globals.length >= MAX_GLOBALS) continue;
    seen.add(key);
    globals.push({ module: g.module, name: g.name, safe: g.class === 'safe', class: g.class, offset: p.offset + g.offset });
  }
  const calls = [...p.scan.calls]
    .sort((a, b) => Number(a.stringArgs.length === 0) - Number(b.stringArgs.length === 0))
    .slice(0, MAX_CALLS)
    .sort((a, b) => a.offset - b.offset)
    .map((c) => ({ callable: c.target ? `${c.target.module}.${c.target.name}` : null, args: c.stringArgs, opcode: c.opcode, offset: p.offset + c.offset }));
  return {
    container: p.container,
    protocol: p.scan.protocol,
    pickles: p.scan.pickles,
    globals,
    calls,
    // Call arguments first: with a cap, the strings that reach a call matter more than field names.
    strings: [...new Set([...calls.flatMap((c) => c.args), ...p.scan.strings])].slice(0, MAX_STRINGS),
    listing: p.scan.listing.slice(0, MAX_LISTING).map((l) => ({ ...l, offset: p.offset + l.offset })),
    ...(p.scan.error ? { error: { message: p.scan.error.message, offset: p.offset + p.scan.error.offset } } : {}),
  };
}

/** Where in its document a pickle finding points: its JSON pointer if it has one, else the byte offset `@N`. */
export function pickleLocation(p: EmbeddedPickle, offset = 0): string {
  return p.location || `@${p.offset + offset}`;
}

/**
 * The pickle evidence of a finding as the views read it back (reports may come from a shared link, so every
 * field is checked, never assumed): null when the finding is not about a pickle.
 */
export function pickleEvidenceOf(evidence: Record<string, unknown>): Pick<PickleEvidence, 'globals' | 'calls' | 'strings' | 'listing'> | null {
  const { globals, calls, strings, listing } = evidence;
  if (!Array.isArray(globals) || !Array.isArray(calls)) return null;
  const isStr = (v: unknown): v is string => typeof v === 'string';
  const rec = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  return {
    globals: globals
      .filter(rec)
      .filter((g) => isStr(g.module) && isStr(g.name))
      .map((g) => ({ module: g.module as string, name: g.name as string, safe: g.safe === true && g.class === 'safe', class: g.class === 'dangerous' || g.class === 'safe' ? g.class : 'unknown', offset: typeof g.offset === 'number' ? g.offset : 0 })),
    calls: calls
      .filter(rec)
      .map((c) => ({ callable: isStr(c.callable) ? c.callable : null, args: Array.isArray(c.args) ? c.args.filter(isStr) : [], opcode: isStr(c.opcode) ? c.opcode : '', offset: typeof c.offset === 'number' ? c.offset : 0 })),
    strings: Array.isArray(strings) ? strings.filter(isStr) : [],
    listing: Array.isArray(listing)
      ? listing.filter(rec).map((l) => ({ offset: typeof l.offset === 'number' ? l.offset : 0, opcode: isStr(l.opcode) ? l.opcode : '?', ...(isStr(l.arg) ? { arg: l.arg } : {}) }))
      : [],
  };
}
