/**
 * The one list of characters that text from a file must never carry raw into a view: C0/C1 controls, DEL, soft
 * hyphen, Arabic letter mark, Hangul fillers, Mongolian vowel separator, zero-width and bidi controls (embeddings,
 * overrides, isolates), word joiners and invisible operators, deprecated format controls, line/paragraph
 * separators, BOM, interlinear annotation marks. The page shows them as ⟨U+XXXX⟩ (ui/visible-text.ts), the
 * terminal as \uXXXX (cli/terminal-text.ts); each view says which of tab, newline and carriage return it keeps.
 */
const RANGES: readonly (readonly [number, number])[] = [
  [0x0000, 0x001f],
  [0x007f, 0x009f],
  [0x00ad, 0x00ad],
  [0x061c, 0x061c],
  [0x115f, 0x1160],
  [0x180e, 0x180e],
  [0x200b, 0x200f],
  [0x2028, 0x2029],
  [0x202a, 0x202e],
  [0x2060, 0x2064],
  [0x2066, 0x206f],
  [0x3164, 0x3164],
  [0xfeff, 0xfeff],
  [0xfff9, 0xfffb],
];

const hex = (n: number) => `\\u${n.toString(16).padStart(4, '0')}`;

/** A global pattern matching every character of the list except those in `keep` (e.g. '\t\n'). */
export function invisiblePattern(keep = ''): RegExp {
  const kept = new Set([...keep].map((c) => c.codePointAt(0)!));
  const parts: string[] = [];
  for (const [from, to] of RANGES) {
    let start: number | null = null;
    for (let c = from; c <= to + 1; c++) {
      const inside = c <= to && !kept.has(c);
      if (inside && start === null) start = c;
      if (!inside && start !== null) {
        parts.push(start === c - 1 ? hex(start) : `${hex(start)}-${hex(c - 1)}`);
        start = null;
      }
    }
  }
  return new RegExp(`[${parts.join('')}]`, 'g');
}
