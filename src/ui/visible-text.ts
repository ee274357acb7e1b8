/**
 * Names, strings and paths come from untrusted files. React already renders them as text (no HTML), but
 * bidirectional overrides and invisible characters could still make text look like something else
 * ("Trojan Source"). Those are shown as visible ⟨U+XXXX⟩ markers instead.
 */

/** Controls, bidi embeddings/overrides/isolates, zero-width and other invisible characters (not \t \n \r). */
const HIDDEN =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u00AD\u061C\u115F\u1160\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\u3164\uFEFF\uFFF9-\uFFFB]/g;
/** The same plus line breaks and tabs, for text shown on one line. */
const HIDDEN_INLINE = new RegExp(`[\\t\\n\\r]|${HIDDEN.source}`, 'g');

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
