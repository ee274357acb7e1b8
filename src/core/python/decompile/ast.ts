/**
 * The small Python AST the decompiler rebuilds: expressions and the few statements a Keras payload
 * function holds. Records only; `print.ts` turns them into source text.
 */
import type { CodeObject, PyValue } from '../objects';

export type Expr =
  | { k: 'name'; id: string }
  | { k: 'const'; v: PyValue }
  | { k: 'attr'; obj: Expr; name: string }
  | { k: 'sub'; obj: Expr; index: Expr }
  /** Only valid as (part of) a subscript index. */
  | { k: 'slice'; lo: Expr | null; hi: Expr | null; step: Expr | null }
  | { k: 'call'; func: Expr; args: Expr[]; keywords: Keyword[] }
  | { k: 'bin'; op: string; l: Expr; r: Expr }
  | { k: 'unary'; op: string; e: Expr }
  | { k: 'bool'; op: 'and' | 'or'; values: Expr[] }
  | { k: 'cmp'; left: Expr; ops: string[]; comps: Expr[] }
  | { k: 'ifexp'; test: Expr; body: Expr; orelse: Expr }
  | { k: 'tuple'; elts: Expr[] }
  | { k: 'list'; elts: Expr[] }
  | { k: 'set'; elts: Expr[] }
  /** key null means `**value`. */
  | { k: 'dict'; items: { key: Expr | null; value: Expr }[] }
  | { k: 'starred'; e: Expr }
  | { k: 'walrus'; target: string; value: Expr }
  | { k: 'fstr'; parts: FPart[] }
  | { k: 'lambda'; fn: FunctionDef }
  | { k: 'comp'; kind: 'list' | 'set' | 'dict' | 'gen'; elt: Expr; value?: Expr; gens: Generator[] }
  | { k: 'yield'; value: Expr | null }
  /** Something the decompiler could not express; printed as a placeholder with a reason. */
  | { k: 'unknown'; why: string };

export interface Keyword {
  /** null means `**value`. */
  name: string | null;
  value: Expr;
}

export type FPart = { lit: string } | { e: Expr; conv: '' | 's' | 'r' | 'a'; spec: FPart[] | null };

export interface Generator {
  target: Target;
  iter: Expr;
  ifs: Expr[];
}

export type Target = { k: 'name'; id: string } | { k: 'tuple'; elts: Target[] } | { k: 'attr'; obj: Expr; name: string } | { k: 'sub'; obj: Expr; index: Expr } | { k: 'starred'; t: Target };

export type Stmt =
  | { k: 'return'; value: Expr }
  | { k: 'expr'; value: Expr }
  | { k: 'assign'; targets: Target[]; value: Expr }
  | { k: 'augassign'; target: Target; op: string; value: Expr }
  | { k: 'import'; names: { name: string; asname: string | null }[] }
  | { k: 'from'; module: string; level: number; names: { name: string; asname: string | null }[] }
  | { k: 'global'; names: string[] }
  | { k: 'nonlocal'; names: string[] }
  | { k: 'raise'; exc: Expr | null; cause: Expr | null }
  | { k: 'def'; fn: FunctionDef }
  | { k: 'pass' }
  | { k: 'comment'; text: string }
  | { k: 'if'; test: Expr; body: Stmt[]; orelse: Stmt[] }
  | { k: 'for'; target: Target; iter: Expr; body: Stmt[] }
  | { k: 'del'; targets: Target[] }
  | { k: 'continue' }
  /** Python 2 statements. */
  | { k: 'exec2'; body: Expr; globals: Expr | null; locals: Expr | null }
  | { k: 'print2'; values: Expr[]; newline: boolean }
  /** A loop filter: a comprehension `if keep`, or `if not keep: continue` in a for statement. */
  | { k: 'filter'; keep: Expr; style: 'nest' | 'continue' };

export interface FunctionDef {
  code: CodeObject;
  name: string;
  isLambda: boolean;
  /** Source text of each positional default, aligned to the last positional parameters. */
  defaults: Expr[];
  kwdefaults: { name: string; value: Expr }[];
  body: Stmt[];
  /** Names this function reads from an enclosing scope (co_freevars). */
  freevars: string[];
  complete: boolean;
  notes: string[];
  /** Globals the 3.11+ compiler knew to be imported modules (it calls their attributes without
   *  LOAD_METHOD): evidence of `import name` in the file that defined the function. */
  moduleGlobals: string[];
}

export const nameE = (id: string): Expr => ({ k: 'name', id });
export const constE = (v: PyValue): Expr => ({ k: 'const', v });
export const NONE: PyValue = { type: 'none' };

const NEGATED: Record<string, string> = { is: 'is not', 'is not': 'is', in: 'not in', 'not in': 'in' };

export function notE(e: Expr): Expr {
  if (e.k === 'unary' && e.op === 'not') return e.e;
  // CPython compiles `not (a is b)` as `a is not b` (and `in` likewise): invert those only.
  if (e.k === 'cmp' && e.ops.length === 1 && NEGATED[e.ops[0]]) return { ...e, ops: [NEGATED[e.ops[0]]] };
  return { k: 'unary', op: 'not', e };
}

export function boolE(op: 'and' | 'or', a: Expr, b: Expr): Expr {
  // `a and (b and c)` and `a and b and c` compile alike; keep one flat node.
  const left = a.k === 'bool' && a.op === op ? a.values : [a];
  const right = b.k === 'bool' && b.op === op ? b.values : [b];
  return { k: 'bool', op, values: [...left, ...right] };
}
