/**
 * Which lines of two texts (decompiled source, disassembly) are not common to both: the complement of a longest
 * common subsequence, for marking changed lines on each side. Bounded: common head and tail are trimmed first,
 * and a middle larger than MAX_CELLS is not aligned (null: the caller shows both sides unmarked).
 */

export interface LineDiff {
  /** 0-based indices of lines of a that are not in b, and of b that are not in a. */
  a: number[];
  b: number[];
}

const MAX_CELLS = 4_000_000;

/**
 * Disassembly lines compared without their line-number and offset columns and with jump targets blanked, so
 * that one inserted instruction marks itself rather than every later line.
 */
export function disassemblyKey(line: string): string {
  return line.replace(/^\s*\d*\s+(>>)?\s*\d+\s/, '').replace(/\bto \d+\b/g, 'to #');
}

export function changedLines(a: string, b: string, key: (line: string) => string = (l) => l): LineDiff | null {
  const la = a.split('\n').map(key);
  const lb = b.split('\n').map(key);
  let head = 0;
  while (head < la.length && head < lb.length && la[head] === lb[head]) head++;
  let tail = 0;
  while (tail < la.length - head && tail < lb.length - head && la[la.length - 1 - tail] === lb[lb.length - 1 - tail]) tail++;
  const ma = la.slice(head, la.length - tail);
  const mb = lb.slice(head, lb.length - tail);
  if ((ma.length + 1) * (mb.length + 1) > MAX_CELLS) return null;
  // LCS lengths of suffixes, row by row (Uint32: at most MAX_CELLS cells).
  const w = mb.length + 1;
  const table = new Uint32Array((ma.length + 1) * w);
  for (let i = ma.length - 1; i >= 0; i--) {
    for (let j = mb.length - 1; j >= 0; j--) {
      table[i * w + j] = ma[i] === mb[j] ? table[(i + 1) * w + j + 1] + 1 : Math.max(table[(i + 1) * w + j], table[i * w + j + 1]);
    }
  }
  const out: LineDiff = { a: [], b: [] };
  let i = 0;
  let j = 0;
  while (i < ma.length && j < mb.length) {
    if (ma[i] === mb[j]) {
      i++;
      j++;
    } else if (table[(i + 1) * w + j] >= table[i * w + j + 1]) out.a.push(head + i++);
    else out.b.push(head + j++);
  }
  while (i < ma.length) out.a.push(head + i++);
  while (j < mb.length) out.b.push(head + j++);
  return out;
}
