/**
 * Source text for the decompiler's AST: Python operator precedence, literals that recompile to the
 * same constants (repr() where repr is valid source), f-strings, comprehensions, lambdas and defs.
 */
import type { PyValue } from '../objects';
import { reprPyValue, reprFloat, reprComplex } from '../repr';
import { notE, type Expr, type FPart, type FunctionDef, type Generator, type Stmt, type Target } from './ast';

/** Precedence levels, lowest binds loosest (Python reference, "Operator precedence"). */
const P = {
  walrus: -1,
  lambda: 0,
  ifexp: 1,
  or: 2,
  and: 3,
  not: 4,
  cmp: 5,
  bor: 6,
  bxor: 7,
  band: 8,
  shift: 9,
  arith: 10,
  term: 11,
  unary: 12,
  power: 13,
  await: 14,
  primary: 15,
  atom: 16,
} as const;

const BIN_PREC: Record<string, number> = {
  '|': P.bor,
  '^': P.bxor,
  '&': P.band,
  '<<': P.shift,
  '>>': P.shift,
  '+': P.arith,
  '-': P.arith,
  '*': P.term,
  '/': P.term,
  '//': P.term,
  '%': P.term,
  '@': P.term,
  '**': P.power,
};

export class SourcePrinter {
  constructor(readonly version: string) {}

  private get py2(): boolean {
    return this.version.startsWith('2');
  }

  prec(e: Expr): number {
    switch (e.k) {
      case 'walrus':
        return P.walrus;
      case 'lambda':
        return P.lambda;
      case 'ifexp':
        return P.ifexp;
      case 'bool':
        return e.op === 'or' ? P.or : P.and;
      case 'unary':
        return e.op === 'not' ? P.not : P.unary;
      case 'cmp':
        return P.cmp;
      case 'bin':
        return BIN_PREC[e.op] ?? P.term;
      case 'const':
        return constPrec(e.v);
      case 'yield':
        return P.walrus;
      case 'starred':
        return P.walrus - 1;
      default:
        return P.atom;
    }
  }

  /** Source for `e`, parenthesised when its precedence is below `min`. */
  expr(e: Expr, min: number = P.walrus): string {
    const text = this.exprRaw(e);
    const p = this.prec(e);
    if (p < min) return `(${text})`;
    return text;
  }

  /** Tuple elements, call arguments, list items: anything above a bare tuple. */
  item(e: Expr): string {
    if (e.k === 'starred') return '*' + this.expr(e.e, P.bor);
    return this.expr(e, P.lambda);
  }

  private exprRaw(e: Expr): string {
    switch (e.k) {
      case 'name':
        return e.id;
      case 'const':
        return this.literal(e.v);
      case 'attr': {
        let obj = this.expr(e.obj, P.primary);
        // `1 .real`: an int literal followed by a dot would read as a float.
        if (e.obj.k === 'const' && e.obj.v.type === 'int' && /^\d+$/.test(obj)) obj += ' ';
        return `${obj}.${e.name}`;
      }
      case 'sub':
        return `${this.expr(e.obj, P.primary)}[${this.index(e.index)}]`;
      case 'slice':
        return this.sliceText(e.lo, e.hi, e.step);
      case 'call': {
        const args = e.args.map((a) =>
          e.args.length === 1 && e.keywords.length === 0 && a.k === 'comp' && a.kind === 'gen' ? this.compInner(a) : this.item(a),
        );
        const kws = e.keywords.map((k) => (k.name === null ? '**' + this.expr(k.value, P.bor) : `${k.name}=${this.expr(k.value, P.lambda)}`));
        return `${this.expr(e.func, P.primary)}(${[...args, ...kws].join(', ')})`;
      }
      case 'bin': {
        const p = BIN_PREC[e.op] ?? P.term;
        if (e.op === '**') return `${this.expr(e.l, P.power + 1)} ** ${this.expr(e.r, P.unary)}`;
        return `${this.expr(e.l, p)} ${e.op} ${this.expr(e.r, p + 1)}`;
      }
      case 'unary':
        if (e.op === 'not') return `not ${this.expr(e.e, P.not)}`;
        return `${e.op}${this.expr(e.e, P.unary)}`;
      case 'bool':
        return e.values.map((v) => this.expr(v, (e.op === 'or' ? P.or : P.and) + 1)).join(` ${e.op} `);
      case 'cmp': {
        let s = this.cmpOperand(e.left);
        e.ops.forEach((op, i) => {
          s += ` ${op} ${this.cmpOperand(e.comps[i], op)}`;
        });
        return s;
      }
      case 'ifexp':
        return `${this.expr(e.body, P.or)} if ${this.expr(e.test, P.or)} else ${this.expr(e.orelse, P.ifexp)}`;
      case 'tuple':
        if (e.elts.length === 0) return '()';
        if (e.elts.length === 1) return `(${this.item(e.elts[0])},)`;
        return `(${e.elts.map((x) => this.item(x)).join(', ')})`;
      case 'list':
        return `[${e.elts.map((x) => this.item(x)).join(', ')}]`;
      case 'set':
        return e.elts.length === 0 ? '{*()}' : `{${e.elts.map((x) => this.item(x)).join(', ')}}`;
      case 'dict':
        return `{${e.items.map((it) => (it.key === null ? '**' + this.expr(it.value, P.bor) : `${this.expr(it.key, P.lambda)}: ${this.expr(it.value, P.lambda)}`)).join(', ')}}`;
      case 'starred':
        return '*' + this.expr(e.e, P.bor);
      case 'walrus':
        return `${e.target} := ${this.expr(e.value, P.lambda)}`;
      case 'fstr':
        return this.fstring(e.parts);
      case 'lambda':
        return this.lambdaText(e.fn);
      case 'comp':
        return this.compText(e);
      case 'yield':
        return e.value ? `yield ${this.expr(e.value, P.lambda)}` : 'yield';
      case 'unknown':
        return `__decompiler_unknown__(${JSON.stringify(e.why)})`;
    }
  }

  private cmpOperand(e: Expr, op?: string): string {
    // `x in {1, 2}` compiles to a frozenset constant; elsewhere a frozenset has no literal.
    if ((op === 'in' || op === 'not in') && e.k === 'const' && e.v.type === 'frozenset') {
      return e.v.items.length ? `{${e.v.items.map((x) => this.literal(x)).join(', ')}}` : 'frozenset()';
    }
    return this.expr(e, P.cmp + 1);
  }

  index(e: Expr): string {
    if (e.k === 'tuple' && e.elts.length > 0) {
      const parts = e.elts.map((x) => (x.k === 'slice' ? this.exprRaw(x) : this.item(x)));
      return e.elts.length === 1 ? parts[0] + ',' : parts.join(', ');
    }
    if (e.k === 'const' && e.v.type === 'tuple' && e.v.items.length > 0) {
      const parts = e.v.items.map((x) => this.literal(x, true));
      return parts.length === 1 ? parts[0] + ',' : parts.join(', ');
    }
    if (e.k === 'const' && e.v.type === 'slice') return this.literal(e.v, true);
    if (e.k === 'slice') return this.exprRaw(e);
    return this.expr(e, P.walrus - 1);
  }

  private sliceText(lo: Expr | null, hi: Expr | null, step: Expr | null): string {
    const part = (x: Expr | null): string => (x === null || (x.k === 'const' && x.v.type === 'none') ? '' : this.expr(x, P.lambda));
    // An explicit None step (Python 2 BUILD_SLICE 3) prints as a trailing colon.
    return step === null ? `${part(lo)}:${part(hi)}` : `${part(lo)}:${part(hi)}:${part(step)}`;
  }

  /** A constant as source. `inSubscript` allows slice constants (3.14 folds `x[1:3]`). */
  literal(v: PyValue, inSubscript = false): string {
    switch (v.type) {
      case 'ellipsis':
        return '...';
      case 'float':
        if (Number.isNaN(v.value)) return '(1e999 - 1e999)';
        if (v.value === Infinity) return '1e999';
        if (v.value === -Infinity) return '-1e999';
        return reprFloat(v.value);
      case 'complex': {
        // `-1.5j` is complex(-0.0, -1.5), but repr's `(-0-1.5j)` would parse to complex(0.0, -1.5).
        if (v.real === 0 && Object.is(v.real, -0) === v.imag < 0 && Number.isFinite(v.imag)) {
          return (v.imag < 0 ? '-' : '') + reprComplex(0, Math.abs(v.imag));
        }
        if (v.real === 0 && Number.isFinite(v.imag)) return `(0 - ${reprComplex(0, -v.imag)})`;
        return reprComplex(v.real, v.imag);
      }
      case 'tuple':
        if (v.items.length === 1) return `(${this.literal(v.items[0], inSubscript)},)`;
        return `(${v.items.map((x) => this.literal(x, inSubscript)).join(', ')})`;
      case 'slice':
        return this.sliceText(constOrNull(v.start), constOrNull(v.stop), constOrNull(v.step));
      case 'frozenset':
        return v.items.length ? `frozenset({${v.items.map((x) => this.literal(x)).join(', ')}})` : 'frozenset()';
      case 'code':
        return `__code_object__(${JSON.stringify(v.code.name)})`;
      default:
        return reprPyValue(v, this.version);
    }
  }

  private fstring(parts: FPart[]): string {
    const body = this.fstringBody(parts);
    // Quotes inside replacement fields may not reuse the outer quote before 3.12.
    const q = body.includes("'") ? (body.includes('"') ? "'''" : '"') : "'";
    return `f${q}${body}${q}`;
  }

  private fstringBody(parts: FPart[]): string {
    let out = '';
    for (const p of parts) {
      if ('lit' in p) {
        out += escapeFLiteral(p.lit);
      } else {
        let inner = this.expr(p.e, P.lambda);
        if (inner.startsWith('{')) inner = ' ' + inner;
        out += `{${inner}${p.conv ? '!' + p.conv : ''}${p.spec ? ':' + this.fstringBody(p.spec) : ''}}`;
      }
    }
    return out;
  }

  private compInner(e: Extract<Expr, { k: 'comp' }>): string {
    const head = e.kind === 'dict' ? `${this.expr(e.elt, P.lambda)}: ${this.expr(e.value!, P.lambda)}` : this.expr(e.elt, P.lambda);
    return `${head} ${e.gens.map((g) => this.genText(g)).join(' ')}`;
  }

  private compText(e: Extract<Expr, { k: 'comp' }>): string {
    const inner = this.compInner(e);
    switch (e.kind) {
      case 'list':
        return `[${inner}]`;
      case 'set':
      case 'dict':
        return `{${inner}}`;
      case 'gen':
        return `(${inner})`;
    }
  }

  private genText(g: Generator): string {
    let s = `for ${this.target(g.target, true)} in ${this.expr(g.iter, P.or)}`;
    for (const c of g.ifs) s += ` if ${this.expr(c, P.or)}`;
    return s;
  }

  target(t: Target, bare = false): string {
    switch (t.k) {
      case 'name':
        return t.id;
      case 'attr':
        return `${this.expr(t.obj, P.primary)}.${t.name}`;
      case 'sub':
        return `${this.expr(t.obj, P.primary)}[${this.index(t.index)}]`;
      case 'starred':
        return '*' + this.target(t.t);
      case 'tuple': {
        const inner = t.elts.map((x) => this.target(x)).join(', ') + (t.elts.length === 1 ? ',' : '');
        return bare ? inner : `(${inner})`;
      }
    }
  }

  params(fn: FunctionDef): string {
    const c = fn.code;
    const names = c.varnames;
    const nPos = c.argcount;
    const nKw = c.kwonlyargcount;
    const parts: string[] = [];
    const firstDefault = nPos - fn.defaults.length;
    for (let i = 0; i < nPos; i++) {
      let p = names[i] ?? `arg${i}`;
      if (i >= firstDefault) p += '=' + this.expr(fn.defaults[i - firstDefault], P.lambda);
      parts.push(p);
      if (c.posonlyargcount > 0 && i === c.posonlyargcount - 1) parts.push('/');
    }
    let idx = nPos + nKw;
    const varargs = (c.flags & 0x04) !== 0;
    const varkw = (c.flags & 0x08) !== 0;
    if (varargs) parts.push('*' + (names[idx++] ?? 'args'));
    else if (nKw > 0) parts.push('*');
    for (let i = nPos; i < nPos + nKw; i++) {
      const n = names[i] ?? `kw${i}`;
      const d = fn.kwdefaults.find((k) => k.name === n);
      parts.push(d ? `${n}=${this.expr(d.value, P.lambda)}` : n);
    }
    if (varkw) parts.push('**' + (names[idx] ?? 'kwargs'));
    return parts.join(', ');
  }

  lambdaText(fn: FunctionDef): string {
    const params = this.params(fn);
    const ret = fn.body.length === 1 && fn.body[0].k === 'return' ? fn.body[0].value : null;
    const body = ret ? this.expr(ret, P.lambda) : '__decompiler_unknown__("lambda body")';
    return params ? `lambda ${params}: ${body}` : `lambda: ${body}`;
  }

  stmts(body: Stmt[], indent: string): string[] {
    const out: string[] = [];
    for (const s of body) out.push(...this.stmt(s, indent));
    return out;
  }

  stmt(s: Stmt, ind: string): string[] {
    switch (s.k) {
      case 'return':
        return [`${ind}return ${this.topLevel(s.value)}`];
      case 'expr':
        return [`${ind}${this.topLevel(s.value)}`];
      case 'assign':
        return [`${ind}${s.targets.map((t) => this.target(t, true)).join(' = ')} = ${this.topLevel(s.value)}`];
      case 'augassign':
        return [`${ind}${this.target(s.target)} ${s.op}= ${this.topLevel(s.value)}`];
      case 'import':
        return [`${ind}import ${s.names.map((n) => (n.asname ? `${n.name} as ${n.asname}` : n.name)).join(', ')}`];
      case 'from':
        return [`${ind}from ${'.'.repeat(Math.max(0, s.level))}${s.module} import ${s.names.map((n) => (n.asname ? `${n.name} as ${n.asname}` : n.name)).join(', ')}`];
      case 'global':
        return [`${ind}global ${s.names.join(', ')}`];
      case 'nonlocal':
        return [`${ind}nonlocal ${s.names.join(', ')}`];
      case 'raise':
        return [`${ind}raise${s.exc ? ' ' + this.expr(s.exc, P.lambda) : ''}${s.cause ? ' from ' + this.expr(s.cause, P.lambda) : ''}`];
      case 'pass':
        return [`${ind}pass`];
      case 'comment':
        return [`${ind}# ${s.text}`];
      case 'def':
        return this.defLines(s.fn, ind);
      case 'if': {
        const out = [`${ind}if ${this.expr(s.test, P.walrus)}:`, ...this.block(s.body, ind + '    ')];
        if (s.orelse.length === 1 && s.orelse[0].k === 'if') {
          const [first, ...rest] = this.stmt(s.orelse[0], ind);
          return [...out, ind + 'el' + first.trimStart(), ...rest];
        }
        if (s.orelse.length) out.push(`${ind}else:`, ...this.block(s.orelse, ind + '    '));
        return out;
      }
      case 'for':
        return [`${ind}for ${this.target(s.target, true)} in ${this.topLevel(s.iter)}:`, ...this.block(s.body, ind + '    ')];
      case 'del':
        return [`${ind}del ${s.targets.map((t) => this.target(t, true)).join(', ')}`];
      case 'continue':
        return [`${ind}continue`];
      case 'exec2': {
        let t = `${ind}exec ${this.expr(s.body, P.bor)}`;
        if (s.globals) t += ` in ${this.expr(s.globals, P.lambda)}`;
        if (s.locals) t += `, ${this.expr(s.locals, P.lambda)}`;
        return [t];
      }
      case 'print2':
        return [`${ind}print${s.values.length ? ' ' + s.values.map((v) => this.expr(v, P.lambda)).join(', ') : ''}${s.newline ? '' : ','}`];
      case 'filter':
        return [`${ind}if ${this.expr(notE(s.keep), P.walrus)}:`, `${ind}    continue`];
    }
  }

  private block(body: Stmt[], ind: string): string[] {
    const lines = this.stmts(body, ind);
    return lines.length ? lines : [`${ind}pass`];
  }

  /** Statement-level expressions: a bare tuple needs no parentheses. */
  private topLevel(e: Expr): string {
    if (e.k === 'tuple' && e.elts.length > 1) return e.elts.map((x) => this.item(x)).join(', ');
    if (e.k === 'yield') return this.exprRaw(e);
    return this.expr(e, P.walrus);
  }

  defLines(fn: FunctionDef, ind: string): string[] {
    const lines = [`${ind}def ${fn.name}(${this.params(fn)}):`];
    const body = this.stmts(fn.body, ind + '    ');
    if (body.length === 0) body.push(`${ind}    pass`);
    return [...lines, ...body];
  }
}

function constOrNull(v: PyValue): Expr | null {
  return v.type === 'none' ? null : { k: 'const', v };
}

function constPrec(v: PyValue): number {
  // Negative numbers print with a sign: they bind like unary minus (`(-1) ** 2`, `(-1).real`).
  if ((v.type === 'int' && v.value < 0n) || (v.type === 'float' && (v.value < 0 || Object.is(v.value, -0)))) return P.unary;
  if (v.type === 'complex') return v.real === 0 && Object.is(v.real, -0) && v.imag < 0 ? P.unary : P.atom;
  return P.atom;
}

function escapeFLiteral(s: string): string {
  let out = '';
  for (const ch of s) {
    if (ch === '{') out += '{{';
    else if (ch === '}') out += '}}';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === "'") out += "\\'";
    else if (ch === '"') out += '\\"';
    else out += ch;
  }
  return out;
}
