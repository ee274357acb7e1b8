/**
 * The coverage ledger: every part of a file that a loader would read and the scan did not inspect, with why.
 * A file is `clean` only when its ledger is empty (after ModelScan's never-silent skipped results): a reader
 * that gives up on a member, a heap object or a group says so here instead of returning nothing.
 */

/** Why a part was not inspected. */
export type SkipCategory = 'too-large' | 'encrypted' | 'unreadable' | 'unsupported' | 'limit';

/** What kind of part it is. */
export type SkippedPartKind = 'member' | 'attribute' | 'group' | 'dataset' | 'object' | 'heap-object' | 'pickle' | 'document' | 'node' | 'file';

export interface SkippedPart {
  /** Where: a member path (`archive/data.pkl`), `model.weights.h5:/layers/dense`, an attribute name, a document. */
  part: string;
  kind: SkippedPartKind;
  category: SkipCategory;
  /** One sentence: what was not inspected and why. */
  reason: string;
  /** The loaders that would read this part (so a reviewer knows whom it concerns). */
  readBy: string[];
}

export const SKIP_CATEGORIES: readonly SkipCategory[] = ['too-large', 'encrypted', 'unreadable', 'unsupported', 'limit'];
export const SKIPPED_PART_KINDS: readonly SkippedPartKind[] = ['member', 'attribute', 'group', 'dataset', 'object', 'heap-object', 'pickle', 'document', 'node', 'file'];

const CATEGORY_WORDS: Record<SkipCategory, string> = {
  'too-large': 'too large',
  encrypted: 'encrypted',
  unreadable: 'unreadable',
  unsupported: 'in a form this inspector does not read',
  limit: 'past an inspection limit',
};

/** "archive/data.pkl (too large: …)" — the ledger in one clause, for verdict sentences and terminal text. */
export function describeSkipped(parts: readonly SkippedPart[], max = 2): string {
  const shown = parts.slice(0, max).map((p) => `${p.part} (${CATEGORY_WORDS[p.category]}: ${p.reason.replace(/[.\s]+$/, '')})`);
  const rest = parts.length - shown.length;
  return `${shown.join('; ')}${rest > 0 ? ` and ${rest} more part${rest > 1 ? 's' : ''}` : ''}`;
}
