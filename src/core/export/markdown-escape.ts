/**
 * Making file-controlled text inert in Markdown (GitHub/GitLab flavoured, the places tickets live):
 * it must not open HTML, links, images, emphasis, tables, code, math, mentions or issue references, must not
 * end a table cell or a line, and must not hide itself with bidi/zero-width characters (Trojan Source).
 */

/** Bidi controls, zero-width and other invisible format characters shown as `\u{…}` text instead. */
const INVISIBLE = /[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/gu;
/** C0 controls (tab and newline handled separately), DEL, C1 controls, lone surrogates. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/gu;
const LINE_BREAK = /\r\n|[\r\n\u0085\u2028\u2029]/g;

function hex(ch: string, width: number): string {
  return ch.codePointAt(0)!.toString(16).padStart(width, '0');
}

/** Invisible and control characters as visible escapes; safe for code blocks too. */
export function revealInvisible(text: string): string {
  return text
    .replace(INVISIBLE, (ch) => `\\u${hex(ch, 4)}`)
    .replace(CONTROL, (ch) => (ch.length === 1 && ch.charCodeAt(0) < 0x100 ? `\\x${hex(ch, 2)}` : `\\u${hex(ch, 4)}`));
}

/**
 * Inline text (a paragraph, a list item, a table cell): one line, every Markdown-significant ASCII punctuation
 * backslash-escaped, `<`, `>` and `&` as entities so no HTML tag or entity can form.
 */
export function mdText(value: unknown, maxLength = 500): string {
  let text = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value) ?? String(value);
  if (text.length > maxLength) text = `${text.slice(0, maxLength)}…`;
  text = revealInvisible(text.replace(/\t/g, ' ')).replace(LINE_BREAK, ' ⏎ ');
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_{}[\]()#+\-.!|~$@:]/g, (ch) => `\\${ch}`);
}

/** An inline code span (for names, pointers, hashes): literal text, one line, pipes safe inside tables. */
export function mdCode(value: string, maxLength = 300): string {
  let text = value.length > maxLength ? `${value.slice(0, maxLength)}…` : value;
  text = revealInvisible(text.replace(/\t/g, ' ')).replace(LINE_BREAK, ' ⏎ ');
  // GFM splits table cells on `|` even inside code spans; `\|` is the documented way to keep it.
  text = text.replace(/\|/g, '\\|');
  if (text === '') return '` `';
  const longest = Math.max(0, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  // A leading/trailing backtick or space needs one space of padding, which the renderer strips again.
  const pad = /^[` ]|[` ]$/.test(text) ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A fenced code block whose fence is longer than any backtick run inside, so the content cannot close it. */
export function mdFence(body: string, language = ''): string {
  const text = revealInvisible(body.replace(/\r\n?/g, '\n'));
  const longest = Math.max(0, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${language}\n${text}${text.endsWith('\n') ? '' : '\n'}${fence}`;
}
