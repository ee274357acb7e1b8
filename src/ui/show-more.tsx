/**
 * Long lists (disassembly lines, names, strings of a crafted payload) are rendered a step at a time: a
 * 400,000-line disassembly drawn at once would freeze the tab. Copy and export still carry everything.
 */
import { useState } from 'react';

/** Indices to draw: the first `limit`, plus every index `keep` marks; runs left out become gaps. */
export type Shown = { index: number } | { gap: number; from: number };

export function shownWithGaps(total: number, limit: number, keep: (index: number) => boolean = () => false): Shown[] {
  const out: Shown[] = [];
  let gap = 0;
  for (let index = 0; index < total; index++) {
    if (index < limit || keep(index)) {
      if (gap > 0) out.push({ gap, from: index - gap });
      gap = 0;
      out.push({ index });
    } else gap++;
  }
  if (gap > 0) out.push({ gap, from: total - gap });
  return out;
}

export function useLimit(step: number): [number, () => void] {
  const [limit, setLimit] = useState(step);
  return [limit, () => setLimit((l) => l + step)];
}

export function ShowMore({ total, limit, step, what, onMore, testId }: { total: number; limit: number; step: number; what: string; onMore: () => void; testId: string }) {
  if (total <= limit) return null;
  return (
    <button type="button" className="link small" onClick={onMore} data-testid={testId}>
      Show {Math.min(step, total - limit).toLocaleString('en')} more {what} ({(total - limit).toLocaleString('en')} not shown)
    </button>
  );
}
