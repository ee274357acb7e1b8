/**
 * JSON parsing with budgets. Keras configs are written by Python's json module, which emits bare
 * NaN/Infinity tokens; those are read as null rather than failing the whole file.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface JsonLimits {
  maxBytes: number;
  maxDepth: number;
  maxNodes: number;
}

export const DEFAULT_JSON_LIMITS: JsonLimits = { maxBytes: 64 * 1024 * 1024, maxDepth: 256, maxNodes: 2_000_000 };

export class JsonError extends Error {
  constructor(
    message: string,
    readonly offset?: number,
  ) {
    super(message);
    this.name = 'JsonError';
  }
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Replaces Python's bare NaN / Infinity / -Infinity tokens (outside strings) with null. One pass, looking at
 * tokens only where they can start ('N', 'I'), and jumping over strings with indexOf: linear on 64 MB input.
 */
function replacePythonNonFinite(text: string): string {
  const parts: string[] = [];
  let last = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      // Jump to the closing quote, skipping escaped characters.
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) return parts.length === 0 ? text : parts.join('') + text.slice(last);
        let backslashes = 0;
        for (let k = q - 1; k > i && text.charCodeAt(k) === 92; k--) backslashes++;
        if (backslashes % 2 === 0) {
          i = q + 1;
          break;
        }
        j = q + 1;
      }
      continue;
    }
    if (c === 78 /* N */ && text.startsWith('NaN', i)) {
      parts.push(text.slice(last, i), 'null');
      i += 3;
      last = i;
    } else if (c === 73 /* I */ && text.startsWith('Infinity', i)) {
      // A '-' just before becomes part of the replaced token.
      const start = i > 0 && text.charCodeAt(i - 1) === 45 ? i - 1 : i;
      parts.push(text.slice(last, start), 'null');
      i += 8;
      last = i;
    } else i++;
  }
  return parts.length === 0 ? text : parts.join('') + text.slice(last);
}

function positionOf(message: string): number | undefined {
  const m = /position (\d+)/.exec(message);
  return m ? Number(m[1]) : undefined;
}

/** Parses JSON text within the limits; throws JsonError saying what is wrong and where. */
export function parseJson(text: string, limits: JsonLimits = DEFAULT_JSON_LIMITS): Json {
  if (text.length > limits.maxBytes) {
    throw new JsonError(`JSON text is ${text.length} characters, over the ${limits.maxBytes} limit`);
  }
  let value: Json;
  try {
    value = JSON.parse(text) as Json;
  } catch (first) {
    if (first instanceof RangeError) throw new JsonError('JSON nesting is too deep to parse');
    try {
      value = JSON.parse(replacePythonNonFinite(text)) as Json;
    } catch (e) {
      if (e instanceof RangeError) throw new JsonError('JSON nesting is too deep to parse');
      const message = e instanceof Error ? e.message : String(e);
      throw new JsonError(`invalid JSON: ${message}`, positionOf(message));
    }
  }
  checkShape(value, limits);
  return value;
}

/** Iterative walk: depth and node count bounds without recursion. */
function checkShape(root: Json, limits: JsonLimits): void {
  const stack: [Json, number][] = [[root, 1]];
  let nodes = 0;
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (++nodes > limits.maxNodes) throw new JsonError(`JSON has more than ${limits.maxNodes} values`);
    if (depth > limits.maxDepth) throw new JsonError(`JSON nesting deeper than ${limits.maxDepth} levels`);
    if (Array.isArray(v)) for (const x of v) stack.push([x, depth + 1]);
    else if (isObject(v)) for (const k in v) stack.push([v[k], depth + 1]);
  }
}

/** RFC 6901 pointer segment escaping. */
export function pointerSegment(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function joinPointer(base: string, key: string | number): string {
  return `${base}/${pointerSegment(key)}`;
}
