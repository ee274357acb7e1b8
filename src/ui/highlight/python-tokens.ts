/**
 * A small, offline Python tokenizer for highlighting decompiled source. Records only (no markup): the view
 * turns tokens into React spans. It never evaluates anything and never fails: unknown text becomes `text`.
 * The concatenated token texts always equal the input.
 */

export type PyTokenKind =
  | 'keyword'
  | 'builtin'
  | 'string'
  | 'number'
  | 'comment'
  | 'operator'
  | 'name'
  | 'space'
  | 'text';

export interface PyToken {
  kind: PyTokenKind;
  text: string;
}

export const PY_KEYWORDS: ReadonlySet<string> = new Set(
  (
    'False None True and as assert async await break class continue def del elif else except finally for from ' +
    'global if import in is lambda nonlocal not or pass raise return try while with yield match case print exec'
  ).split(' '),
);

export const PY_BUILTINS: ReadonlySet<string> = new Set(
  (
    '__import__ abs all any ascii bin bool breakpoint bytearray bytes callable chr classmethod compile complex ' +
    'delattr dict dir divmod enumerate eval filter float format frozenset getattr globals hasattr hash help hex id ' +
    'input int isinstance issubclass iter len list locals map max memoryview min next object oct open ord pow ' +
    'property range repr reversed round set setattr slice sorted staticmethod str sum super tuple type vars zip ' +
    'unicode basestring long xrange execfile reload raw_input __builtins__ __name__ __file__'
  ).split(' '),
);

/** `print` and `exec` are statements in Python 2 and builtins in 3: shown as builtins (what they do matters). */
const BUILTIN_FIRST = new Set(['print', 'exec']);

/** String prefixes: any mix of r/b/u/f (and t for template strings), case-insensitive, e.g. rb, Rb, f, BR. */
const STRING_START = /^(?:[rRbBuUfFtT]{0,2})(?:'''|"""|'|")/;
const NUMBER =
  /^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:\d(?:_?\d)*\.(?:\d(?:_?\d)*)?|\.\d(?:_?\d)*|\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?[jJlL]?)/;
const NAME = /^[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}_]*/u;
const OPERATOR = /^(?:\*\*=?|\/\/=?|<<=?|>>=?|->|:=|[-+*\/%@&|^~<>!=]=?|[()[\]{},:;.])/;
const SPACE = /^[ \t\f\r\n]+|^\\\r?\n/;

export function tokenizePython(source: string): PyToken[] {
  const out: PyToken[] = [];
  const push = (kind: PyTokenKind, text: string) => {
    const last = out[out.length - 1];
    if (last && last.kind === kind && (kind === 'space' || kind === 'text')) last.text += text;
    else out.push({ kind, text });
  };
  let i = 0;
  while (i < source.length) {
    const rest = source.slice(i, i + 4096);
    const ch = source[i];
    let m: RegExpExecArray | null;
    if (ch === '#') {
      const end = source.indexOf('\n', i);
      const text = source.slice(i, end < 0 ? source.length : end);
      push('comment', text);
      i += text.length;
    } else if ((m = STRING_START.exec(rest))) {
      const len = stringLength(source, i, m[0]);
      push('string', source.slice(i, i + len));
      i += len;
    } else if ((m = NUMBER.exec(rest))) {
      push('number', m[0]);
      i += m[0].length;
    } else if ((m = NAME.exec(rest))) {
      const word = m[0];
      const kind: PyTokenKind = BUILTIN_FIRST.has(word) || PY_BUILTINS.has(word) ? 'builtin' : PY_KEYWORDS.has(word) ? 'keyword' : 'name';
      push(kind, word);
      i += word.length;
    } else if ((m = SPACE.exec(rest))) {
      push('space', m[0]);
      i += m[0].length;
    } else if ((m = OPERATOR.exec(rest))) {
      push('operator', m[0]);
      i += m[0].length;
    } else {
      // Take a whole code point (surrogate pairs stay together).
      const cp = source.codePointAt(i)!;
      const text = String.fromCodePoint(cp);
      push('text', text);
      i += text.length;
    }
  }
  return out;
}

/**
 * Length of the string literal starting at `start` whose prefix+opening quote is `opening`. Backslash escapes
 * are skipped (also in raw strings, where `\'` does not end the literal either). An unterminated
 * single-quoted string ends at the line end; an unterminated triple-quoted one at the end of the source.
 */
function stringLength(source: string, start: number, opening: string): number {
  const quote = opening.endsWith('"""') || opening.endsWith("'''") ? opening.slice(-3) : opening.slice(-1);
  let i = start + opening.length;
  while (i < source.length) {
    const c = source[i];
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (quote.length === 1 && c === '\n') return i - start;
    if (source.startsWith(quote, i)) return i + quote.length - start;
    i++;
  }
  return Math.min(source.length, i) - start;
}
