/**
 * Text that may reach a terminal. Anything read from a model file can hold escape sequences (`ESC[31m`, OSC 8
 * links, cursor moves) or bidi overrides that would change what the reviewer sees. The CLI writes only
 * TerminalText, and the only ways to make one are below: `inert` for text from a file, `term` templates whose
 * holes take TerminalText or numbers, `own` for our own fixed words. Passing a plain string where a line is built
 * is a type error, so a new field cannot reach the terminal raw by forgetting to escape it.
 */
import { invisiblePattern } from '../core/text/invisible';

declare const terminalText: unique symbol;
export type TerminalText = string & { readonly [terminalText]: true };

/**
 * The characters of core/text/invisible.ts. Newline and tab are escaped too, except in `inertBlock` (source,
 * disassembly, whole documents), so a name cannot fake a report line; a carriage return is escaped everywhere
 * (it would let the text overwrite its own line).
 */
const UNSAFE = invisiblePattern();
const UNSAFE_BLOCK = invisiblePattern('\t\n');

const escape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** One-line text from a file (names, strings, paths, messages): every unsafe character, newlines included, as `\uXXXX`. */
export function inert(text: string): TerminalText {
  return text.replace(UNSAFE, escape) as TerminalText;
}

/** Multi-line text from a file (decompiled source, disassembly, a whole Markdown or JSON document): lines and tabs kept. */
export function inertBlock(text: string): TerminalText {
  return text.replace(UNSAFE_BLOCK, escape) as TerminalText;
}

/** Our own words (enum values, rule ids, labels). Never for text that came from a file. */
export function own(text: string): TerminalText {
  return text as TerminalText;
}

/** A line built from safe parts: literals, TerminalText and numbers only. */
export function term(strings: TemplateStringsArray, ...values: (TerminalText | number)[]): TerminalText {
  let out = strings[0];
  values.forEach((v, i) => (out += String(v) + strings[i + 1]));
  return out as TerminalText;
}

export function joinText(parts: readonly TerminalText[], separator: string): TerminalText {
  return parts.join(separator) as TerminalText;
}

/**
 * JSON for stdout. JSON.stringify already escapes C0 controls; this also escapes DEL, C1, bidi and the other
 * invisible characters above (`\u202e` in a layer name), which JSON allows raw. The value parsed back is the same.
 */
export function jsonText(value: unknown, indent?: number): TerminalText {
  return inertBlock(JSON.stringify(value, null, indent));
}

/** ANSI colour around our own words, only when stdout is a terminal and NO_COLOR is unset. */
const useColor = typeof process !== 'undefined' && process.stdout?.isTTY === true && !process.env.NO_COLOR;
export function paint(code: string, text: TerminalText): TerminalText {
  return (useColor ? `\x1b[${code}m${text}\x1b[0m` : text) as TerminalText;
}
