import { invisiblePattern } from '../core/text/invisible';

/**
 * Names, strings and paths come from untrusted files. React already renders them as text (no HTML), but
 * bidirectional overrides and invisible characters could still make text look like something else
 * ("Trojan Source"). Those are shown as visible ⟨U+XXXX⟩ markers instead.
 */

/** The characters of core/text/invisible.ts; blocks keep tab and line breaks (harmless in the DOM). */
const HIDDEN = invisiblePattern('\t\n\r');
/** Everything, for text shown on one line. */
const HIDDEN_INLINE = invisiblePattern();

function marker(ch: string): string {
  return `⟨U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}⟩`;
}

/** For text shown on one line: names, paths, titles. */
export function visible(text: string): string {
  return text.replace(HIDDEN_INLINE, marker);
}

/** For blocks (source, disassembly): keeps line breaks and tabs. */
export function visibleMultiline(text: string): string {
  return text.replace(HIDDEN, marker);
}

/** A short single-line rendering of a JSON-like value for tables. */
export function briefValue(value: unknown, max = 160): string {
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  text = visible(text);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
