/**
 * JSON.parse behind a size and nesting budget, tolerant of Python's `NaN` / `Infinity` tokens
 * (json.dumps writes them by default, and Keras metadata is written by Python).
 *
 * JSON.parse itself runs nothing; the budget protects whoever walks the result recursively.
 */

export interface JsonBudget {
  /** Maximum UTF-16 length of the text. */
  maxChars: number;
  /** Maximum nesting of arrays/objects. */
  maxDepth: number;
}

export const DEFAULT_JSON_BUDGET: JsonBudget = { maxChars: 64 * 1024 * 1024, maxDepth: 512 };

export type JsonParseResult = { ok: true; value: unknown; pythonTokens: boolean } | { ok: false; error: string; offset?: number };

/** Parses `text` as JSON within `budget`. Never throws. */
export function parseJsonWithBudget(text: string, budget: Partial<JsonBudget> = {}): JsonParseResult {
  const b = { ...DEFAULT_JSON_BUDGET, ...budget };
  if (text.length > b.maxChars) return { ok: false, error: `JSON text of ${text.length} chars exceeds the ${b.maxChars} budget` };
  const scan = scanJson(text, b.maxDepth);
  if (scan.tooDeep !== undefined) {
    return { ok: false, error: `JSON nested deeper than ${b.maxDepth}`, offset: scan.tooDeep };
  }
  try {
    return { ok: true, value: JSON.parse(scan.pythonTokens ? replacePythonTokens(text) : text), pythonTokens: scan.pythonTokens };
  } catch (err) {
    return { ok: false, error: `invalid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** One pass outside strings: nesting depth and whether bare NaN/Infinity occur. */
function scanJson(text: string, maxDepth: number): { tooDeep?: number; pythonTokens: boolean } {
  let depth = 0;
  let inString = false;
  let pythonTokens = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return { tooDeep: i, pythonTokens };
    } else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x4e /* N */ || c === 0x49 /* I */) pythonTokens = true;
  }
  return { pythonTokens };
}

/** Rewrites bare NaN / Infinity / -Infinity (outside strings) as strings so JSON.parse accepts them. */
function replacePythonTokens(text: string): string {
  let out = '';
  let last = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    for (const token of ['-Infinity', 'Infinity', 'NaN']) {
      if (text.startsWith(token, i)) {
        out += text.slice(last, i) + `"${token}"`;
        i += token.length - 1;
        last = i + 1;
        break;
      }
    }
  }
  return out + text.slice(last);
}
