/**
 * Pure helpers over the decompiler's AST: factoring duplicated tails out of conditional expressions,
 * structural equality, and the small rewrites the executor applies to calls, f-strings and loops.
 */
import { constE, type Expr, type Keyword, type Stmt, type Target } from './ast';

/**
 * `body if test else orelse` where 3.8+ copied the code after a conditional expression into both
 * branches (`return` duplication): the shared context is factored back out, so values computed before
 * the test are shown once, in their place, e.g. `(a, x) if c else (a, y)` becomes `(a, x if c else y)`.
 * Sub-expressions that are the same object were computed before the branch; structurally equal ones
 * were copied after it.
 */
export function factorIfExp(test: Expr, body: Expr, orelse: Expr): Expr {
  const paths: (string | number)[][] = [];
  exprDiff(body, orelse, [], paths);
  if (paths.length !== 1 || paths[0].length === 0) return { k: 'ifexp', test, body, orelse };
  const path = paths[0];
  const get = (root: unknown): Expr => path.reduce<unknown>((o, key) => (o as Record<string | number, unknown>)[key], root) as Expr;
  const replace = (node: unknown, i: number): unknown => {
    if (i === path.length) return { k: 'ifexp', test, body: get(body), orelse: get(orelse) };
    const key = path[i];
    if (Array.isArray(node)) return node.map((x, j) => (j === key ? replace(x, i + 1) : x));
    const rec = node as Record<string, unknown>;
    return { ...rec, [key]: replace(rec[key as string], i + 1) };
  };
  return replace(body, 0) as Expr;
}

/** Collects the positions where two expressions differ; a difference the walk cannot split marks its node. */
function exprDiff(a: Expr, b: Expr, path: (string | number)[], out: (string | number)[][]): void {
  if (a === b || sameValue(a, b)) return;
  if (a.k !== b.k || a.k === 'lambda' || a.k === 'comp' || a.k === 'const') {
    out.push(path);
    return;
  }
  const ra = a as unknown as Record<string, unknown>;
  const rb = b as unknown as Record<string, unknown>;
  const keys = Object.keys(ra);
  const inner: (string | number)[][] = [];
  const ok = keys.length === Object.keys(rb).length && keys.every((k) => dataDiff(ra[k], rb[k], [...path, k], inner));
  if (ok) out.push(...inner);
  else out.push(path);
}

/** Walks non-expression data (field records, arrays); false when their shape or scalars differ. */
function dataDiff(a: unknown, b: unknown, path: (string | number)[], out: (string | number)[][]): boolean {
  if (a === b) return true;
  if (isExpr(a) && isExpr(b)) {
    exprDiff(a, b, path, out);
    return true;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    return a.every((x, i) => dataDiff(x, b[i], [...path, i], out));
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && !(a instanceof Uint8Array)) {
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    const keys = Object.keys(ra);
    if (keys.length !== Object.keys(rb).length) return false;
    return keys.every((k) => dataDiff(ra[k], rb[k], [...path, k], out));
  }
  return sameValue(a, b);
}

function isExpr(x: unknown): x is Expr {
  return typeof x === 'object' && x !== null && typeof (x as { k?: unknown }).k === 'string' && !Array.isArray(x);
}

/** Deep structural equality of AST data (PyValue bigints and bytes included; code objects by identity). */
function sameValue(x: unknown, y: unknown): boolean {
  if (x === y) return true;
  if (typeof x !== typeof y || x === null || y === null || typeof x !== 'object') return false;
  if (x instanceof Uint8Array || y instanceof Uint8Array) {
    return x instanceof Uint8Array && y instanceof Uint8Array && x.length === y.length && x.every((v, i) => v === y[i]);
  }
  if (Array.isArray(x) || Array.isArray(y)) {
    return Array.isArray(x) && Array.isArray(y) && x.length === y.length && x.every((v, i) => sameValue(v, y[i]));
  }
  const a = x as Record<string, unknown>;
  const b = y as Record<string, unknown>;
  if ('code' in a && 'isLambda' in a) return a.code === b.code && sameValue(a.defaults, b.defaults) && sameValue(a.kwdefaults, b.kwdefaults);
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => sameValue(a[k], b[k]));
}

/** In a for statement, `if not keep: continue` followed by the rest of the body is `if keep: rest`. */
export function nestFilters(body: Stmt[]): Stmt[] {
  const i = body.findIndex((st) => st.k === 'filter' && st.style === 'nest');
  if (i < 0) return body;
  const keep = (body[i] as { keep: Expr }).keep;
  return [...body.slice(0, i), { k: 'if', test: keep, body: nestFilters(body.slice(i + 1)), orelse: [] }];
}

export function noneToNull(e: Expr): Expr | null {
  return e.k === 'const' && e.v.type === 'none' ? null : e;
}

export function fparts(e: Expr): ({ lit: string } | { e: Expr; conv: '' | 's' | 'r' | 'a'; spec: null | ReturnType<typeof fparts> })[] {
  if (e.k === 'fstr') return e.parts;
  if (e.k === 'const' && e.v.type === 'str') return [{ lit: e.v.value }];
  return [{ e, conv: '', spec: null }];
}

export function starArgs(args: Expr): Expr[] {
  if (args.k === 'tuple' || args.k === 'list') return args.elts;
  if (args.k === 'const' && args.v.type === 'tuple') return args.v.items.map(constE);
  return [{ k: 'starred', e: args }];
}

export function starKw(kw: Expr): Keyword[] {
  if (kw.k === 'dict') {
    return kw.items.map((it) =>
      it.key === null ? { name: null, value: it.value } : { name: it.key.k === 'const' && it.key.v.type === 'str' ? it.key.v.value : '?', value: it.value },
    );
  }
  return [{ name: null, value: kw }];
}

export function sameTarget(e: Expr, t: Target): boolean {
  if (t.k === 'name') return e.k === 'name' && e.id === t.id;
  if (t.k === 'attr') return e.k === 'attr' && e.name === t.name && e.obj === t.obj;
  return false;
}
