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
 * Replaces Python's bare NaN / Infinity / -Infinity tokens (outside strings) with null. Two linear passes over
 * UTF-16 code units (count, then copy into one preallocated buffer): hostile configs hold millions of tokens,
 * and per-token string slicing/concatenation took seconds on 60 MB.
 */
function replacePythonNonFinite(text: string): string {
  const n = text.length;
  const scan = (visit: (start: number, end: number) => void): void => {
    let inString = false;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (inString) {
        if (c === 92) i++; // backslash: skip the escaped char
        else if (c === 34) inString = false;
      } else if (c === 34) inString = true;
      else if (c === 78 /* N */ && text.startsWith('NaN', i)) {
        visit(i, i + 3);
        i += 2;
      } else if (c === 73 /* I */ && text.startsWith('Infinity', i)) {
        visit(i > 0 && text.charCodeAt(i - 1) === 45 /* - */ ? i - 1 : i, i + 8);
        i += 7;
      }
    }
  };
  let growth = 0;
  scan((start, end) => (growth += 4 - (end - start)));
  if (growth === 0) {
    let any = false;
    scan(() => (any = true));
    if (!any) return text;
  }
  const out = new Uint16Array(n + Math.max(0, growth));
  let o = 0;
  let last = 0;
  const copy = (from: number, to: number) => {
    for (let k = from; k < to; k++) out[o++] = text.charCodeAt(k);
  };
  scan((start, end) => {
    copy(last, start);
    out[o++] = 110; // n
    out[o++] = 117; // u
    out[o++] = 108; // l
    out[o++] = 108; // l
    last = end;
  });
  copy(last, n);
  return utf16.decode(out.subarray(0, o));
}

const utf16 = new TextDecoder('utf-16le');

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
