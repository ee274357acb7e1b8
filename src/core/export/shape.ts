/**
 * One description of a JSON shape, two uses: a bounded structural check for JSON that arrives from outside (a
 * shared link, a pasted report) and the JSON Schema shipped in `schemas/` for people who build on our output.
 * Both come from the same combinators, so the schema a pipeline validates against is the check the page runs.
 */

/** A JSON Schema node (draft 2020-12 subset: type, enum, properties, required, items, bounds, anyOf). */
export type JsonSchema = { readonly [key: string]: unknown };

export interface Shape {
  /** Throws ShapeError at the first mismatch, with the JSON pointer of the value. */
  check(value: unknown, at: string): void;
  schema: JsonSchema;
}

export class ShapeError extends Error {
  constructor(
    readonly pointer: string,
    message: string,
  ) {
    super(`${pointer || '/'}: ${message}`);
    this.name = 'ShapeError';
  }
}

const MAX_STRING = 1_000_000;
const MAX_ITEMS = 100_000;

function fail(at: string, message: string): never {
  throw new ShapeError(at, message);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const str: Shape = {
  check: (v, at) => {
    if (typeof v !== 'string') fail(at, 'expected a string');
    if (v.length > MAX_STRING) fail(at, 'string too long');
  },
  // The length bound guards shared links in the page; the schema leaves it out: a real report of a large payload
  // (its disassembly) may be longer, and a pipeline must not reject exactly the files worth looking at.
  schema: { type: 'string' },
};

export const num: Shape = {
  check: (v, at) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(at, 'expected a finite number');
  },
  schema: { type: 'number' },
};

export const int: Shape = {
  check: (v, at) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) fail(at, 'expected a non-negative integer');
  },
  schema: { type: 'integer', minimum: 0 },
};

export const bool: Shape = {
  check: (v, at) => {
    if (typeof v !== 'boolean') fail(at, 'expected a boolean');
  },
  schema: { type: 'boolean' },
};

/** Free-form JSON (bounded by the caller's JSON limits). */
export const anyJson: Shape = { check: () => {}, schema: {} };

export function oneOf(values: readonly string[], description?: string): Shape {
  return {
    check: (v, at) => {
      if (typeof v !== 'string' || !values.includes(v)) fail(at, `expected one of ${values.join('|')}`);
    },
    schema: values.length === 1 ? { const: values[0] } : { enum: [...values], ...(description ? { description } : {}) },
  };
}

export function nullable(shape: Shape): Shape {
  return {
    check: (v, at) => {
      if (v !== null) shape.check(v, at);
    },
    schema: { anyOf: [shape.schema, { type: 'null' }] },
  };
}

export function arrayOf(shape: Shape, max = MAX_ITEMS): Shape {
  return {
    check: (v, at) => {
      if (!Array.isArray(v)) fail(at, 'expected an array');
      if (v.length > max) fail(at, `more than ${max} items`);
      v.forEach((x, i) => shape.check(x, `${at}/${i}`));
    },
    schema: { type: 'array', items: shape.schema, maxItems: max },
  };
}

export function recordOf(shape: Shape): Shape {
  return {
    check: (v, at) => {
      if (!isObject(v)) fail(at, 'expected an object');
      for (const [k, x] of Object.entries(v)) shape.check(x, `${at}/${k}`);
    },
    schema: { type: 'object', additionalProperties: shape.schema },
  };
}

/**
 * An object: required keys must be present; optional keys (`?` suffix) may be absent or undefined. Unknown keys
 * pass (a newer writer may add fields; readers ignore what they do not know).
 */
export function obj(fields: Record<string, Shape>, description?: string): Shape {
  const entries = Object.entries(fields).map(([key, shape]) => {
    const optional = key.endsWith('?');
    return { name: optional ? key.slice(0, -1) : key, optional, shape };
  });
  return {
    check: (v, at) => {
      if (!isObject(v)) fail(at, 'expected an object');
      for (const { name, optional, shape } of entries) {
        const value = Object.prototype.hasOwnProperty.call(v, name) ? v[name] : undefined;
        if (value === undefined) {
          if (!optional) fail(`${at}/${name}`, 'missing');
          continue;
        }
        shape.check(value, `${at}/${name}`);
      }
    },
    schema: {
      type: 'object',
      ...(description ? { description } : {}),
      properties: Object.fromEntries(entries.map((e) => [e.name, e.shape.schema])),
      required: entries.filter((e) => !e.optional).map((e) => e.name),
    },
  };
}

/** A shape with a description in its schema (the check is unchanged). */
export function described(shape: Shape, description: string): Shape {
  return { check: shape.check, schema: { ...shape.schema, description } };
}
