/**
 * Symbolic execution of one code object's normalised ops: a stack of expressions instead of values.
 * Forward jumps leave "arrivals" at their target; when the scan reaches a target the arrivals are merged
 * back into expressions (and/or, conditional expressions, comparison chains, comprehension filters).
 * Anything that does not fit these shapes marks the result incomplete instead of guessing.
 */
import type { CodeObject, PyValue } from '../objects';
import { boolE, constE, nameE, notE, NONE, type Expr, type FunctionDef, type Generator, type Keyword, type Stmt, type Target } from './ast';
import { compilerFacts, type CompilerFacts, type Op } from './normalize';
import { factorIfExp, fparts, nestFilters, noneToNull, starArgs, starKw, sameTarget } from './tree';

/** Where the executor gets each code object's ops: normalised once per payload (see analysis.ts). */
export interface OpSource {
  readonly version: string;
  /** Throws when the code object cannot be disassembled. */
  ops(code: CodeObject): Op[];
}

/** Stack values that are not (yet) expressions. */
type Marker =
  /** NULL of the 3.11+ call protocol; `via` says which instruction pushed it. */
  | { k: '$null'; via?: 'method' | 'global' | 'push' }
  | { k: '$item'; frame: Frame }
  | { k: '$unpack'; group: UnpackGroup; index: number }
  | { k: '$saved'; name: string }
  | { k: '$acc'; kind: 'list' | 'set' | 'dict' | 'gen'; elt: Expr | null; value: Expr | null; gens: Generator[]; depth: number }
  | { k: '$chainmid'; chain: Chain }
  | { k: '$chain'; chain: Chain }
  | { k: '$import'; module: string; level: number; fromlist: PyValue; names: { name: string; asname: string | null }[] }
  | { k: '$from'; imp: Extract<Marker, { k: '$import' }>; name: string }
  | { k: '$fn'; code: CodeObject; defaults: SV | null; kwdefaults: SV | null; closure: boolean }
  | { k: '$cell'; name: string }
  | { k: '$closure' }
  | { k: '$conv'; e: Expr; conv: '' | 's' | 'r' | 'a' }
  | { k: '$yielded' }
  | { k: '$gen' }
  | { k: '$iter' };

type SV = Expr | Marker;

interface Chain {
  left: Expr;
  ops: string[];
  comps: Expr[];
}

/** Where a comparison chain's early exit goes, and where its complete comparison ended. */
interface ChainExit {
  cleanup: number;
  finalIndex: number | null;
}

interface Frame {
  head: number;
  exit: number;
  gen: Generator;
  targetSet: boolean;
  /** Statements emitted before the loop started (a for statement's body starts here). */
  stmtCount: number;
  /** Set when a comprehension or generator expression claims this loop. */
  used: boolean;
}

interface UnpackGroup {
  source: SV;
  targets: (Target | undefined)[];
}

interface Arrival {
  kind: 'pop' | 'keep' | 'jump' | 'forexit';
  src: number;
  stack: SV[];
  cond?: Expr;
  sense?: boolean;
  frame?: Frame;
  ternary?: Expr;
  consumed?: boolean;
  /** Statements emitted before the jump (if-statement bodies start here). */
  stmtCount?: number;
  /** An if statement whose body ended with this jump over its else block. */
  ifStmt?: { test: Expr; body: Stmt[]; elseStart: number };
}

interface CondEntry {
  arrival: Arrival;
  next: number;
  stmtCount: number;
}

export class DecompileFailure extends Error {}

const factsByVersion = new Map<string, CompilerFacts>();

function factsFor(version: string): CompilerFacts {
  let f = factsByVersion.get(version);
  if (!f) factsByVersion.set(version, (f = compilerFacts(version)));
  return f;
}

/** Nested code objects (lambdas, comprehensions) currently being decompiled; marshal refs can make cycles. */
let nesting = 0;
const MAX_NESTING = 40;

/** The instruction that created an expression node. */
export interface ExprOrigin {
  code: CodeObject;
  offset: number;
}

/** Ops that unreachable-by-jump tails may hold without hiding source (cleanup of inlined comprehensions,
 *  comparison chains, generator StopIteration handlers). */
const DEAD_OK = new Set(['SWAP', 'POP_TOP', 'STORE_FAST', 'RERAISE', 'ROT_TWO', 'RETURN_VALUE', 'CONST', 'JUMP', 'END_FOR', 'POP_ITER']);

const COMP_NAMES: Record<string, 'list' | 'set' | 'dict' | 'gen'> = {
  '<listcomp>': 'list',
  '<setcomp>': 'set',
  '<dictcomp>': 'dict',
  '<genexpr>': 'gen',
};

export interface ExecResult {
  body: Stmt[];
  complete: boolean;
  notes: string[];
  moduleGlobals: string[];
}

export class CodeExecutor {
  private readonly facts: CompilerFacts;
  private ops: Op[] = [];
  private stack: SV[] | null = [];
  /** Stack values that some saved path also holds (never changed in place). */
  private readonly shared = new WeakSet<object>();
  private readonly pending = new Map<number, Arrival[]>();
  private readonly stmts: Stmt[] = [];
  private readonly frames: Frame[] = [];
  private readonly condJumps: CondEntry[] = [];
  private readonly notes: string[] = [];
  private complete = true;
  private lastDead: { kind: 'jump'; arrival: Arrival } | { kind: 'return'; src: number } | { kind: 'continue' } | null = null;
  private lastKeep: Arrival | null = null;
  private kwNames: string[] | null = null;
  private readonly retTernaries: { cond: Expr; body: Expr; at: number; stmtIndex: number }[] = [];
  private readonly filterFrames = new WeakMap<Stmt, Frame>();
  /** Comparison-chain cleanup blocks, by offset (3.12+ copies the rest of the expression after them). */
  private readonly chainExits = new Map<number, ChainExit>();
  private readonly chainExitOf = new WeakMap<object, ChainExit[]>();
  /** Dead code up to this offset is a verified copy of code already shown. */
  private deadOkUntil = -1;
  private readonly genAcc: Extract<Marker, { k: '$acc' }> | null = null;
  private readonly globals = new Set<string>();
  private readonly nonlocals = new Set<string>();
  private readonly displayDepth = new WeakMap<object, number>();
  /** Builtins loaded by 3.14+ LOAD_COMMON_CONSTANT. */
  private readonly commonConsts = new WeakSet<object>();
  /** Set by a step that skips ahead (3.14 inlined any()/all()/tuple() fast path). */
  private skipTo: number | null = null;
  /** Name expressions produced by LOAD_GLOBAL. */
  private readonly loadedGlobals = new WeakSet<object>();
  readonly moduleGlobals: string[] = [];

  private curOff = 0;
  private opIndex: Map<number, number> | null = null;
  /** A Python 2 print statement still collecting items (PRINT_ITEM … PRINT_NEWLINE). */
  private printOpen = false;
  private curIndex = 0;

  constructor(
    private readonly code: CodeObject,
    private readonly source: OpSource,
    /** `.0` of a comprehension body: the outer iterable. */
    private readonly bindings: Map<string, Expr> = new Map(),
    /** Where each expression node came from (code object and offset), for evidence. */
    private readonly track?: WeakMap<object, ExprOrigin>,
  ) {
    this.facts = factsFor(source.version);
    if (code.name === '<genexpr>') this.genAcc = { k: '$acc', kind: 'gen', elt: null, value: null, gens: [], depth: 0 };
  }

  private fail(why: string): never {
    throw new DecompileFailure(why);
  }

  private note(why: string): void {
    this.complete = false;
    if (!this.notes.includes(why)) this.notes.push(why);
  }

  run(): ExecResult {
    if (nesting >= MAX_NESTING) {
      this.note(`code objects nested more than ${MAX_NESTING} deep are not shown`);
      return { body: [], complete: false, notes: this.notes, moduleGlobals: [] };
    }
    nesting++;
    try {
      return this.runInner();
    } finally {
      nesting--;
    }
  }

  private runInner(): ExecResult {
    try {
      this.ops = this.source.ops(this.code);
    } catch (e) {
      this.note(`cannot disassemble ${this.code.name}: ${e instanceof Error ? e.message : String(e)}`);
      return { body: [], complete: false, notes: this.notes, moduleGlobals: [] };
    }
    let i = 0;
    try {
      for (i = 0; i < this.ops.length; i++) {
        const op = this.ops[i];
        if (this.pending.has(op.off)) {
          const skip = this.merge(op.off, i);
          if (skip < 0) continue;
          i += skip;
          if (i >= this.ops.length) break;
          if (skip > 0) {
            i--;
            continue;
          }
        }
        if (this.stack === null) {
          // Unreachable by plain jumps: exception handlers, comprehension cleanup, duplicated tails.
          const copyEnd = this.chainTailCopyEnd(i);
          if (copyEnd >= 0) this.deadOkUntil = copyEnd;
          if (op.off > this.deadOkUntil && !DEAD_OK.has(op.op) && !(op.op === 'INTRINSIC' && op.s === 'INTRINSIC_STOPITERATION_ERROR')) {
            this.note(`unreachable code (an exception handler, or code the compiler left behind) is not shown (${op.orig} at offset ${op.off})`);
          }
          continue;
        }
        this.curOff = this.ops[i].off;
        this.curIndex = i;
        this.step(this.ops[i], i);
        if (this.skipTo !== null) {
          while (i + 1 < this.ops.length && this.ops[i + 1].off < this.skipTo) i++;
          this.skipTo = null;
        }
      }
      if (this.stack !== null && this.stack.length > 0) this.note('values left on the stack at the end of the code');
      for (const [, arr] of this.pending) if (arr.some((a) => !a.consumed)) this.note('jumps whose target was never reached');
    } catch (e) {
      if (!(e instanceof DecompileFailure)) throw e;
      const op = this.ops[i];
      this.note(`${e.message}${op ? ` (at offset ${op.off}, ${op.orig})` : ''}`);
      this.stmts.push({ k: 'comment', text: `decompiler: stopped here: ${e.message}` });
      // Keep what was inside open for loops inside them, so partial output does not mislead.
      for (let f = this.frames.length - 1; f >= 0; f--) {
        const fr = this.frames[f];
        if (fr.used || fr.stmtCount > this.stmts.length) continue;
        const body = this.stmts.splice(fr.stmtCount);
        this.stmts.push({ k: 'for', target: fr.targetSet ? fr.gen.target : { k: 'name', id: '_' }, iter: fr.gen.iter, body });
      }
    }
    const decls: Stmt[] = [];
    if (this.nonlocals.size) decls.push({ k: 'nonlocal', names: [...this.nonlocals] });
    if (this.globals.size) decls.push({ k: 'global', names: [...this.globals] });
    return { body: [...decls, ...this.stmts], complete: this.complete, notes: this.notes, moduleGlobals: this.moduleGlobals };
  }

  // ---------------------------------------------------------------- stack helpers

  private st(): SV[] {
    if (this.stack === null) this.fail('unreachable code');
    return this.stack;
  }

  private pop(): SV {
    const s = this.st();
    if (s.length === 0) this.fail('stack underflow');
    return s.pop()!;
  }

  private popN(n: number): SV[] {
    const s = this.st();
    if (s.length < n) this.fail('stack underflow');
    return s.splice(s.length - n, n);
  }

  private push(v: SV): void {
    this.st().push(v);
    if (this.track && !this.track.has(v)) this.track.set(v, { code: this.code, offset: this.curOff });
  }

  /**
   * A copy of the stack for another path. Its values become shared: a display among them is extended by
   * copy from then on (see grow), while one only this path holds is extended in place.
   */
  private snapshot(stack: SV[]): SV[] {
    for (const v of stack) this.shared.add(v);
    return [...stack];
  }

  private top(depth = 1): SV {
    const s = this.st();
    // depth 0 (a crafted COPY 0) would read past the top.
    if (depth < 1 || s.length < depth) this.fail('stack underflow');
    return s[s.length - depth];
  }

  /** A stack value as an expression; markers that cannot be expressions fail. */
  private ex(v: SV): Expr {
    switch (v.k) {
      case '$fn':
        return this.fnExpr(v);
      case '$acc':
        if (v.elt === null) {
          if (v.kind === 'gen') this.fail('generator without a yield');
          return v.kind === 'dict' ? { k: 'dict', items: [] } : { k: v.kind, elts: [] };
        }
        return { k: 'comp', kind: v.kind, elt: v.elt, value: v.value ?? undefined, gens: v.gens };
      case '$conv':
        return { k: 'fstr', parts: [{ e: v.e, conv: v.conv, spec: null }] };
      case '$null':
      case '$item':
      case '$unpack':
      case '$saved':
      case '$chainmid':
      case '$chain':
      case '$import':
      case '$from':
      case '$cell':
      case '$closure':
      case '$yielded':
      case '$gen':
      case '$iter':
        this.fail(`unexpected ${v.k.slice(1)} value in an expression`);
      // eslint-disable-next-line no-fallthrough
      default:
        return v;
    }
  }

  private popE(): Expr {
    return this.ex(this.pop());
  }

  // ---------------------------------------------------------------- control flow

  private addArrival(target: number, a: Arrival): void {
    const list = this.pending.get(target);
    if (list) list.push(a);
    else this.pending.set(target, [a]);
  }

  private removeArrival(target: number, a: Arrival): void {
    const list = this.pending.get(target);
    if (!list) return;
    const i = list.indexOf(a);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.pending.delete(target);
  }

  private targetOf(a: Arrival): number {
    for (const [t, list] of this.pending) if (list.includes(a)) return t;
    return -1;
  }

  private nextOff(i: number): number {
    return this.ops[i + 1]?.off ?? Number.MAX_SAFE_INTEGER;
  }

  /**
   * Merges the arrivals at `off` into the current state. Returns how many ops to skip (loop-exit
   * cleanup), or -1 when the code at `off` stays unreachable.
   */
  private merge(off: number, i: number): number {
    const arrivals = this.pending.get(off)!;
    this.pending.delete(off);
    for (const a of arrivals) a.consumed = true;
    let F = this.stack;
    const dead = F === null;
    let skip = 0;

    // Loop exit: restore the stack below the iterator, skip END_FOR / POP_ITER.
    const fx = arrivals.findIndex((a) => a.kind === 'forexit');
    if (fx >= 0) {
      const a = arrivals[fx];
      if (!dead) this.fail('loop exit reached with live state');
      arrivals.splice(fx, 1);
      const idx = this.frames.indexOf(a.frame!);
      if (idx !== this.frames.length - 1) this.fail('loops closed out of order');
      this.frames.pop();
      const fr = a.frame!;
      if (!fr.used) {
        if (!fr.targetSet) this.fail('for loop without a target');
        const body = nestFilters(this.stmts.splice(fr.stmtCount));
        this.emit({ k: 'for', target: fr.gen.target, iter: fr.gen.iter, body });
      }
      F = [...a.stack];
      let j = i;
      if (this.ops[j]?.op === 'END_FOR') j++;
      if (this.ops[j]?.op === 'POP_ITER') j++;
      skip = j - i;
      this.stack = F;
      this.lastDead = null;
      if (arrivals.length === 0) return skip;
    }

    if (dead && arrivals.length === 1 && arrivals[0].kind === 'pop' && fx < 0) {
      const p = arrivals[0];
      const ld = this.lastDead;
      if (ld?.kind === 'continue' && this.frames.length > 0 && p.stmtCount === this.stmts.length) {
        // 3.12+: `POP_JUMP_IF_TRUE body; JUMP_BACKWARD head; body:` is a comprehension filter
        // (or `if not keep: continue` at the start of a for statement's body).
        // 3.8–3.11 keep `if c: continue` as this shape (a line-numbered JUMP back); 3.12+ also `if c: rest`.
        this.addFilter(this.frames[this.frames.length - 1], p.sense ? p.cond! : notE(p.cond!), this.facts.skipJumpIsContinue ? 'continue' : 'nest');
        this.stack = [...p.stack];
        this.lastDead = null;
        return 0;
      }
      if (ld?.kind === 'jump' && ld.arrival.stack.length === p.stack.length + 1 && ld.arrival.src > p.src) {
        // Conditional expression: `test; POP_JUMP_IF_FALSE else; body; JUMP end; else: orelse; end:`.
        const ja = ld.arrival;
        const jt = this.targetOf(ja);
        let body = this.ex(ja.stack[ja.stack.length - 1]);
        const inner = (this.pending.get(jt) ?? []).filter((k) => k.kind === 'keep' && k.src > p.src && k.src < ja.src);
        for (const k of inner.reverse()) {
          body = boolE(k.sense ? 'or' : 'and', k.cond!, body);
          this.removeArrival(jt, k);
        }
        ja.stack = [...ja.stack.slice(0, -1), body];
        ja.ternary = p.sense ? notE(p.cond!) : p.cond!;
        this.stack = [...p.stack];
        this.lastDead = null;
        return 0;
      }
      if ((ld?.kind === 'return' || ld?.kind === 'continue') && (ld.kind === 'continue' || ld.src > p.src) && p.stmtCount !== undefined) {
        const test = p.sense ? notE(p.cond!) : p.cond!;
        const last = this.stmts[this.stmts.length - 1];
        if (ld.kind === 'return' && last?.k === 'return' && this.stmts.length === p.stmtCount + 1 && this.code.name === '<lambda>') {
          // Return duplicated into both branches (3.8+ lambdas): `return body if test else orelse`.
          this.stmts.pop();
          this.retTernaries.push({ cond: test, body: last.value, at: off, stmtIndex: this.stmts.length });
        } else if (this.stmts.length > p.stmtCount) {
          // `if test: …; return …` (or `…; continue`) followed by more statements.
          const body = this.stmts.splice(p.stmtCount);
          if (ld.kind === 'continue') body.push({ k: 'continue' });
          this.emit({ k: 'if', test, body, orelse: [] });
        } else {
          this.fail('conditional jump over nothing');
        }
        this.stack = [...p.stack];
        this.lastDead = null;
        return 0;
      }
      if (ld?.kind === 'jump' && ld.arrival.stack.length === p.stack.length && ld.arrival.src > p.src && p.stmtCount !== undefined && this.stmts.length >= p.stmtCount) {
        // if/else statement: `test; POP_JUMP_IF_FALSE else; body; JUMP end; else: …; end:`.
        const body = this.stmts.splice(p.stmtCount);
        ld.arrival.ifStmt = { test: p.sense ? notE(p.cond!) : p.cond!, body, elseStart: this.stmts.length };
        this.stack = [...p.stack];
        this.lastDead = null;
        return 0;
      }
    }

    for (let n = arrivals.length - 1; n >= 0; n--) {
      const a = arrivals[n];
      if (F === null) {
        if (a.kind === 'jump' && a.ifStmt) {
          const orelse = this.stmts.splice(a.ifStmt.elseStart);
          this.emit({ k: 'if', test: a.ifStmt.test, body: a.ifStmt.body, orelse });
          F = [...a.stack];
          continue;
        }
        if (a.kind === 'pop' || a.kind === 'jump' || a.kind === 'keep') {
          F = [...a.stack];
          continue;
        }
        this.fail('unsupported control flow');
      }
      if (a.kind === 'jump' && a.ifStmt && F.length === a.stack.length) {
        const orelse = this.stmts.splice(a.ifStmt.elseStart);
        this.emit({ k: 'if', test: a.ifStmt.test, body: a.ifStmt.body, orelse });
      } else if (a.kind === 'pop' && F.length === a.stack.length && a.stmtCount !== undefined && this.stmts.length > a.stmtCount && F.every((x, j) => x === a.stack[j])) {
        // `if test: body` with no else.
        const body = this.stmts.splice(a.stmtCount);
        this.emit({ k: 'if', test: a.sense ? notE(a.cond!) : a.cond!, body, orelse: [] });
      } else if (a.kind === 'keep' && F.length === a.stack.length) {
        F = [...F.slice(0, -1), boolE(a.sense ? 'or' : 'and', a.cond!, this.ex(F[F.length - 1]))];
      } else if (a.kind === 'jump' && a.ternary && F.length === a.stack.length) {
        F = [...F.slice(0, -1), { k: 'ifexp', test: a.ternary, body: this.ex(a.stack[a.stack.length - 1]), orelse: this.ex(F[F.length - 1]) }];
      } else if (a.kind === 'pop' && F.length === a.stack.length && this.lastKeep && this.lastKeep.src > a.src && !this.lastKeep.consumed && this.prevRealOp(i)?.off === this.lastKeep.src) {
        // `(a and b) or c`: POP_JUMP_IF_FALSE a → c; b; JUMP_IF_TRUE_OR_POP end; c: …
        const k = this.lastKeep;
        const sp = a.sense!;
        const v = sp !== k.sense ? boolE(sp ? 'or' : 'and', a.cond!, k.cond!) : boolE(sp ? 'and' : 'or', notE(a.cond!), k.cond!);
        k.cond = v;
        k.stack = [...k.stack.slice(0, -1), v];
      } else if (a.kind === 'jump' && F.length === a.stack.length && a.stack.every((x, j) => x === F![j])) {
        // jump over code that leaves nothing behind
      } else {
        this.fail('control flow the decompiler does not model (an if/while statement?)');
      }
    }
    this.stack = F;
    this.lastDead = null;
    return skip;
  }

  private noteChainExit(v: Extract<Marker, { k: '$chain' }>, cleanup: number): void {
    const x: ChainExit = { cleanup, finalIndex: null };
    this.chainExits.set(cleanup, x);
    const list = this.chainExitOf.get(v.chain.left) ?? [];
    list.push(x);
    this.chainExitOf.set(v.chain.left, list);
  }

  /**
   * 3.12+ may give a comparison chain's failure path its own copy of the rest of the expression:
   * `cleanup: SWAP 2; POP_TOP; <same ops as after the final compare>; RETURN_VALUE`. Returns the
   * offset where that copy ends when it is an exact copy, else -1.
   */
  private chainTailCopyEnd(i: number): number {
    const x = this.chainExits.get(this.ops[i].off);
    if (!x || x.finalIndex === null) return -1;
    const a = this.ops[i];
    if (!(a.op === 'ROT_TWO' || (a.op === 'SWAP' && a.n === 2)) || this.ops[i + 1]?.op !== 'POP_TOP') return -1;
    let k = i + 2;
    let m = x.finalIndex + 1;
    for (; k < this.ops.length && m < i; k++, m++) {
      const p = this.ops[k];
      const q = this.ops[m];
      const same = p.orig === q.orig && p.op === q.op && (p.target !== undefined ? p.target === q.target : p.n === q.n);
      if (!same) return -1;
      if (p.op === 'RETURN_VALUE' || p.op === 'JUMP') return p.off;
    }
    return -1;
  }

  private opAt(off: number): Op | undefined {
    if (!this.opIndex) {
      this.opIndex = new Map();
      this.ops.forEach((o, j) => this.opIndex!.set(o.off, j));
    }
    const j = this.opIndex.get(off);
    return j === undefined ? undefined : this.ops[j];
  }

  /** A comparison chain's cleanup (`ROT_TWO/SWAP 2; POP_TOP`) directly followed by RETURN_VALUE. */
  private isChainCleanupBeforeReturn(off: number): boolean {
    const o = this.opAt(off);
    if (!o || !(o.op === 'ROT_TWO' || (o.op === 'SWAP' && o.n === 2))) return false;
    const j = this.opIndex!.get(off)!;
    return this.ops[j + 1]?.op === 'POP_TOP' && this.ops[j + 2]?.op === 'RETURN_VALUE';
  }

  private prevRealOp(i: number): Op | undefined {
    let j = i - 1;
    while (j >= 0 && this.ops[j].op === 'POP_TOP_FALL') j--;
    return this.ops[j];
  }

  private die(kind: 'return' | 'continue', src = 0): void {
    this.stack = null;
    this.lastDead = kind === 'return' ? { kind, src } : { kind };
  }

  private popJump(op: Op, i: number): void {
    let cond = this.popE();
    if (op.s === 'is' || op.s === 'is not') cond = { k: 'cmp', left: cond, ops: [op.s], comps: [constE(NONE)] };
    let arrival: Arrival = { kind: 'pop', src: op.off, stack: this.snapshot(this.st()), cond, sense: op.sense!, stmtCount: this.stmts.length };
    const target = op.target!;
    const next = this.nextOff(i);
    // Fold adjacent conditional jumps into one `and`/`or` condition (the compiler's jump_if in reverse).
    for (;;) {
      const prev = this.condJumps[this.condJumps.length - 1];
      if (!prev || prev.arrival.consumed || prev.stmtCount !== this.stmts.length) break;
      const pa = prev.arrival;
      if (pa.stack.length !== arrival.stack.length || !pa.stack.every((x, j) => x === arrival.stack[j])) break;
      const t1 = this.targetOf(pa);
      const c1 = pa.cond!;
      const c2 = arrival.cond!;
      let merged: Expr;
      let sense: boolean;
      if (t1 === target) {
        sense = pa.sense!;
        merged = boolE(sense ? 'or' : 'and', c1, pa.sense === arrival.sense ? c2 : notE(c2));
      } else if (t1 === next) {
        const p1 = pa.sense ? notE(c1) : c1;
        if (arrival.sense) {
          merged = boolE('and', p1, c2);
          sense = true;
        } else {
          merged = boolE('or', notE(p1), c2);
          sense = false;
        }
      } else break;
      this.removeArrival(t1, pa);
      this.condJumps.pop();
      arrival = { kind: 'pop', src: pa.src, stack: arrival.stack, cond: merged, sense, stmtCount: pa.stmtCount };
    }
    if (target <= op.off) {
      const f = this.frames[this.frames.length - 1];
      if (f && target === f.head) {
        // ≤3.11 comprehension filter: jump back to the loop head when the condition fails.
        // (In a for statement: `if c: continue` when it jumps back on true, else `if c: rest`.)
        this.addFilter(f, arrival.sense ? notE(arrival.cond!) : arrival.cond!, arrival.sense ? 'continue' : 'nest');
        return;
      }
      this.fail('backward conditional jump (a while loop?)');
    }
    this.addArrival(target, arrival);
    this.condJumps.push({ arrival, next, stmtCount: this.stmts.length });
  }

  // ---------------------------------------------------------------- the ops

  private step(op: Op, i: number): void {
    switch (op.op) {
      case 'CONST':
        this.push(constE(op.v!));
        return;
      case 'LOAD_FAST': {
        const b = this.bindings.get(op.s);
        this.push(b ?? nameE(op.s));
        return;
      }
      case 'LOAD_DEREF':
      case 'LOAD_GLOBAL':
        if (op.nullPush === 'before') this.push({ k: '$null', via: 'global' });
        this.push(nameE(op.s));
        if (op.op === 'LOAD_GLOBAL' && op.orig === 'LOAD_GLOBAL') this.loadedGlobals.add(this.top());
        if (op.orig === 'LOAD_COMMON_CONSTANT') this.commonConsts.add(this.top());
        if (op.nullPush === 'after') this.push({ k: '$null', via: 'global' });
        return;
      case 'LOAD_CLOSURE':
        this.push({ k: '$cell', name: op.s });
        return;
      case 'LOAD_FAST_AND_CLEAR':
        this.push({ k: '$saved', name: op.s });
        return;
      case 'PUSH_NULL':
        this.push({ k: '$null', via: 'push' });
        return;
      case 'LOAD_ATTR': {
        const obj = this.popE();
        this.push({ k: 'attr', obj, name: op.s });
        return;
      }
      case 'LOAD_METHOD': {
        const obj = this.popE();
        this.push({ k: 'attr', obj, name: op.s });
        this.push({ k: '$null', via: 'method' });
        return;
      }
      case 'STORE_FAST':
      case 'STORE_DEREF':
      case 'STORE_GLOBAL':
      case 'STORE_NAME':
        this.store({ k: 'name', id: op.s }, op.op);
        return;
      case 'STORE_ATTR': {
        const obj = this.popE();
        this.store({ k: 'attr', obj, name: op.s }, op.op);
        return;
      }
      case 'STORE_SUBSCR': {
        const index = this.popE();
        const obj = this.popE();
        this.store({ k: 'sub', obj, index }, op.op);
        return;
      }
      case 'BINOP': {
        const r = this.popE();
        const l = this.popE();
        this.push({ k: 'bin', op: op.s, l, r });
        return;
      }
      case 'UNARY': {
        const e = this.popE();
        this.push({ k: 'unary', op: op.s, e });
        return;
      }
      case 'COMPARE': {
        const r = this.popE();
        const l = this.pop();
        if (l.k === '$chainmid') {
          const ch = l.chain;
          for (const x of this.chainExitOf.get(ch.left) ?? []) if (x.finalIndex === null) x.finalIndex = this.curIndex;
          this.push({ k: 'cmp', left: ch.left, ops: [...ch.ops, op.s], comps: [...ch.comps, r] });
        } else {
          this.push({ k: 'cmp', left: this.ex(l), ops: [op.s], comps: [r] });
        }
        return;
      }
      case 'CHAIN_COMPARE': {
        const b = this.popE();
        const a = this.pop();
        let ch: Chain;
        if (a.k === '$chainmid') {
          ch = { left: a.chain.left, ops: [...a.chain.ops, op.s], comps: [...a.chain.comps, b] };
        } else ch = { left: this.ex(a), ops: [op.s], comps: [b] };
        this.push({ k: '$chainmid', chain: ch });
        this.push({ k: '$chain', chain: ch });
        return;
      }
      case 'BINARY_SUBSCR': {
        const index = this.popE();
        const obj = this.popE();
        this.push({ k: 'sub', obj, index });
        return;
      }
      case 'BUILD_SLICE':
      case 'BUILD_SLICE_PY2': {
        const step = op.n === 3 ? this.popE() : null;
        const hi = this.popE();
        const lo = this.popE();
        // Python 2 compiles `x[a:b]` to SLICE+n; BUILD_SLICE 3 there means the source had `x[a:b:]`.
        this.push({ k: 'slice', lo: noneToNull(lo), hi: noneToNull(hi), step: step && op.op === 'BUILD_SLICE' ? noneToNull(step) : step });
        return;
      }
      case 'BINARY_SLICE': {
        const hi = this.popE();
        const lo = this.popE();
        const obj = this.popE();
        this.push({ k: 'sub', obj, index: { k: 'slice', lo: noneToNull(lo), hi: noneToNull(hi), step: null } });
        return;
      }
      case 'PY2SLICE': {
        const hi = op.n & 2 ? this.popE() : null;
        const lo = op.n & 1 ? this.popE() : null;
        const obj = this.popE();
        this.push({ k: 'sub', obj, index: { k: 'slice', lo, hi, step: null } });
        return;
      }
      case 'BUILD_TUPLE': {
        const items = this.popN(op.n);
        if (items.some((x) => x.k === '$cell')) {
          this.push({ k: '$closure' });
          return;
        }
        this.push(this.display({ k: 'tuple', elts: items.map((x) => this.ex(x)) }));
        return;
      }
      case 'BUILD_LIST':
        this.push(this.display({ k: 'list', elts: this.popN(op.n).map((x) => this.ex(x)) }));
        return;
      case 'BUILD_SET':
        this.push(this.display({ k: 'set', elts: this.popN(op.n).map((x) => this.ex(x)) }));
        return;
      case 'BUILD_MAP': {
        const flat = this.popN(op.n * 2).map((x) => this.ex(x));
        const items: { key: Expr | null; value: Expr }[] = [];
        for (let j = 0; j < flat.length; j += 2) items.push({ key: flat[j], value: flat[j + 1] });
        this.push(this.display({ k: 'dict', items }));
        return;
      }
      case 'STORE_MAP': {
        const key = this.popE();
        const value = this.popE();
        const d = this.top();
        if (d.k !== 'dict') this.fail('STORE_MAP without a dict');
        this.grow(1, d, [], [{ key, value }]);
        return;
      }
      case 'BUILD_CONST_KEY_MAP': {
        const keys = this.popE();
        const values = this.popN(op.n).map((x) => this.ex(x));
        if (keys.k !== 'const' || keys.v.type !== 'tuple') this.fail('BUILD_CONST_KEY_MAP without a key tuple');
        this.push(this.display({ k: 'dict', items: keys.v.items.map((kv, j) => ({ key: constE(kv), value: values[j] })) }));
        return;
      }
      case 'LIST_EXTEND':
      case 'SET_UPDATE': {
        const v = this.popE();
        const d = this.top(op.n);
        if (d.k !== 'list' && d.k !== 'set') this.fail(`${op.orig} without a display`);
        const fromConst = v.k === 'const' && (v.v.type === 'tuple' || v.v.type === 'frozenset') ? v.v.items : null;
        const added: Expr[] = fromConst && d.elts.length === 0 ? fromConst.map(constE) : [{ k: 'starred', e: v }];
        this.grow(op.n, d, added);
        return;
      }
      case 'DICT_UPDATE':
      case 'DICT_MERGE': {
        const v = this.popE();
        const d = this.top(op.n);
        if (d.k !== 'dict') this.fail(`${op.orig} without a dict`);
        this.grow(op.n, d, [], [{ key: null, value: v }]);
        return;
      }
      case 'LIST_TO_TUPLE': {
        const l = this.popE();
        if (l.k !== 'list') this.fail('LIST_TO_TUPLE without a list');
        this.push({ k: 'tuple', elts: l.elts });
        return;
      }
      case 'BUILD_TUPLE_UNPACK':
      case 'BUILD_TUPLE_UNPACK_WITH_CALL':
      case 'BUILD_LIST_UNPACK':
      case 'BUILD_SET_UNPACK': {
        const parts = this.popN(op.n).map((x) => this.ex(x));
        const elts: Expr[] = [];
        for (const p of parts) {
          if (p.k === 'tuple' || (p.k === 'list' && op.op === 'BUILD_LIST_UNPACK') || (p.k === 'set' && op.op === 'BUILD_SET_UNPACK')) elts.push(...p.elts);
          else if (p.k === 'const' && p.v.type === 'tuple') elts.push(...p.v.items.map(constE));
          else elts.push({ k: 'starred', e: p });
        }
        const kind = op.op === 'BUILD_LIST_UNPACK' ? 'list' : op.op === 'BUILD_SET_UNPACK' ? 'set' : 'tuple';
        this.push({ k: kind, elts });
        return;
      }
      case 'BUILD_MAP_UNPACK':
      case 'BUILD_MAP_UNPACK_WITH_CALL': {
        const parts = this.popN(op.n & 0xff).map((x) => this.ex(x));
        const items: { key: Expr | null; value: Expr }[] = [];
        for (const p of parts) {
          if (p.k === 'dict') items.push(...p.items);
          else items.push({ key: null, value: p });
        }
        this.push({ k: 'dict', items });
        return;
      }
      case 'LIST_APPEND':
      case 'SET_ADD':
      case 'MAP_ADD':
      case 'MAP_ADD_KEY_ON_TOP': {
        let key: Expr | null = null;
        let value: Expr;
        if (op.op === 'MAP_ADD') {
          value = this.popE();
          key = this.popE();
        } else if (op.op === 'MAP_ADD_KEY_ON_TOP') {
          key = this.popE();
          value = this.popE();
        } else value = this.popE();
        const accSv = this.top(op.n);
        const kind = op.op === 'LIST_APPEND' ? 'list' : op.op === 'SET_ADD' ? 'set' : 'dict';
        // Outside a loop it is a long display built one item at a time (3.11+ for > 30 items).
        if (accSv.k === kind && (this.displayDepth.get(accSv) ?? 0) >= this.frames.length) {
          this.grow(op.n, accSv, [value], [{ key, value }]);
          return;
        }
        const acc = this.toAcc(accSv, kind);
        if (kind === 'dict') {
          acc.elt = key;
          acc.value = value;
        } else acc.elt = value;
        acc.gens = this.claimLoops(this.frames.slice(acc.depth));
        return;
      }
      case 'GET_ITER':
      case 'GET_AITER':
        this.push(this.popE());
        return;
      case 'FOR_ITER': {
        const iter = this.popE();
        const frame: Frame = { head: op.off, exit: op.target!, gen: { target: { k: 'name', id: '_' }, iter, ifs: [] }, targetSet: false, used: false, stmtCount: this.stmts.length };
        this.frames.push(frame);
        this.addArrival(op.target!, { kind: 'forexit', src: op.off, stack: this.snapshot(this.st()), frame });
        this.push({ k: '$iter' });
        this.push({ k: '$item', frame });
        return;
      }
      case 'END_FOR':
      case 'POP_ITER':
        this.fail(`${op.orig} outside a loop exit`);
        return;
      case 'UNPACK_SEQUENCE': {
        const src = this.pop();
        const group: UnpackGroup = { source: src, targets: new Array(op.n).fill(undefined) };
        for (let j = op.n - 1; j >= 0; j--) this.push({ k: '$unpack', group, index: j });
        return;
      }
      case 'UNPACK_EX': {
        const before = op.n & 0xff;
        const after = op.n >> 8;
        const src = this.pop();
        const n = before + 1 + after;
        const group: UnpackGroup = { source: src, targets: new Array(n).fill(undefined) };
        (group as UnpackGroup & { star?: number }).star = before;
        for (let j = n - 1; j >= 0; j--) this.push({ k: '$unpack', group, index: j });
        return;
      }
      case 'JUMP': {
        const t = op.target!;
        if (t <= op.off) {
          const f = this.frames[this.frames.length - 1];
          if (!f || f.head !== t) this.fail('backward jump that is not a loop continue (a while loop?)');
          this.die('continue');
          return;
        }
        const a: Arrival = { kind: 'jump', src: op.off, stack: this.snapshot(this.st()) };
        this.addArrival(t, a);
        this.stack = null;
        this.lastDead = { kind: 'jump', arrival: a };
        return;
      }
      case 'PJ': {
        // A comparison chain used as a condition: its early exit goes to a cleanup block
        // (`POP_TOP; JUMP target`) that only repeats what the complete chain's own jump says.
        const tc = this.top();
        if (tc.k === '$chain' && !op.sense) {
          this.noteChainExit(tc, op.target!);
          this.pop();
          return;
        }
        // 3.14: `any(genexpr)` is `any is <builtin any> ? inlined loop : any(genexpr)`; show the call.
        const t = this.top();
        if (
          !op.sense && t.k === 'cmp' && t.ops.length === 1 && t.ops[0] === 'is' && t.left.k === 'name' &&
          this.commonConsts.has(t.comps[0]) && t.comps[0].k === 'name' && t.comps[0].id === t.left.id && op.target! > op.off
        ) {
          this.pop();
          this.skipTo = op.target!;
          return;
        }
        this.popJump(op, i);
        return;
      }
      case 'JK': {
        const v = this.top();
        if (v.k === '$chain') {
          this.noteChainExit(v, op.target!);
          this.pop();
          return;
        }
        const cond = this.ex(v);
        const s = this.st();
        s[s.length - 1] = cond;
        const a: Arrival = { kind: 'keep', src: op.off, stack: this.snapshot(s), cond, sense: op.sense! };
        if (op.target! <= op.off) this.fail('backward jump in an expression');
        this.addArrival(op.target!, a);
        s.pop();
        this.lastKeep = a;
        return;
      }
      case 'POP_TOP_FALL':
        return;
      case 'RETURN_VALUE': {
        let v: Expr;
        const raw = this.pop();
        if (this.genAcc && raw.k === 'const' && raw.v.type === 'none') v = this.ex(this.genAcc);
        else v = this.ex(raw);
        // `return a and b` with the return duplicated: `a; JUMP_IF_FALSE_OR_POP ret; b; RETURN; ret: RETURN`.
        const base = this.st().length;
        const keeps = [...this.pending.entries()]
          .filter(([t]) => this.opAt(t)?.op === 'RETURN_VALUE' || this.isChainCleanupBeforeReturn(t))
          .flatMap(([t, l]) => l.filter((a) => a.kind === 'keep' && !a.consumed && a.src < op.off && a.stack.length === base + 1).map((a) => ({ t, a })))
          .sort((x, y) => y.a.src - x.a.src);
        for (const { t, a } of keeps) {
          v = boolE(a.sense ? 'or' : 'and', a.cond!, v);
          this.removeArrival(t, a);
        }
        while (this.retTernaries.length > 0) {
          const rt = this.retTernaries[this.retTernaries.length - 1];
          const open = [...this.pending.values()].some((l) => l.some((a) => a.kind === 'pop' && a.src > rt.at && !a.consumed));
          if (open) break;
          v = factorIfExp(rt.cond, rt.body, v);
          this.retTernaries.pop();
        }
        this.stmts.push({ k: 'return', value: v });
        this.die('return', op.off);
        return;
      }
      case 'RETURN_GENERATOR':
        this.push({ k: '$gen' });
        return;
      case 'YIELD_VALUE': {
        const v = this.popE();
        if (this.genAcc) {
          this.genAcc.elt = v;
          this.genAcc.gens = this.claimLoops(this.frames);
          this.push({ k: '$yielded' });
        } else this.push({ k: 'yield', value: v });
        return;
      }
      case 'POP_TOP': {
        const v = this.pop();
        if (v.k === '$gen' || v.k === '$yielded' || v.k === '$saved' || v.k === '$null') return;
        if (v.k === '$iter') this.fail('break or return inside a for loop (not modelled)');
        if (v.k === '$import') {
          if (v.names.length) this.emit({ k: 'from', module: v.module, level: v.level, names: v.names });
          return;
        }
        this.emit({ k: 'expr', value: this.ex(v) });
        return;
      }
      case 'DUP_TOP':
      case 'COPY': {
        const n = op.op === 'COPY' ? op.n : 1;
        this.push(this.top(n));
        return;
      }
      case 'DUP_TOP_TWO': {
        const a = this.top(2);
        const b = this.top(1);
        this.push(a);
        this.push(b);
        return;
      }
      case 'ROT_TWO':
      case 'ROT_THREE':
      case 'ROT_FOUR': {
        const n = op.op === 'ROT_TWO' ? 2 : op.op === 'ROT_THREE' ? 3 : 4;
        const s = this.st();
        if (s.length < n) this.fail('stack underflow');
        const t = s.pop()!;
        s.splice(s.length - (n - 1), 0, t);
        return;
      }
      case 'SWAP': {
        const s = this.st();
        if (op.n < 1 || s.length < op.n) this.fail('stack underflow');
        const j = s.length - op.n;
        [s[j], s[s.length - 1]] = [s[s.length - 1], s[j]];
        return;
      }
      case 'IMPORT_NAME': {
        const fromlist = this.popE();
        const level = this.popE();
        this.push({
          k: '$import',
          module: op.s,
          level: level.k === 'const' && level.v.type === 'int' ? Number(level.v.value) : 0,
          fromlist: fromlist.k === 'const' ? fromlist.v : NONE,
          names: [],
        });
        return;
      }
      case 'IMPORT_FROM': {
        const imp = this.top();
        if (imp.k !== '$import') this.fail('IMPORT_FROM without an import');
        this.push({ k: '$from', imp, name: op.s });
        return;
      }
      case 'IMPORT_STAR': {
        const imp = this.pop();
        if (imp.k !== '$import') this.fail('IMPORT_STAR without an import');
        this.emit({ k: 'from', module: imp.module, level: imp.level, names: [{ name: '*', asname: null }] });
        return;
      }
      case 'KW_NAMES': {
        const v = op.v ?? this.code.consts[op.n];
        this.kwNames = v && v.type === 'tuple' ? v.items.map((x) => (x.type === 'str' ? x.value : '?')) : [];
        return;
      }
      case 'CALL':
      case 'CALL_METHOD':
      case 'CALL_KW':
      case 'CALL_FUNCTION':
      case 'CALL_FUNCTION_KW':
      case 'CALL_PACKED':
      case 'CALL_PACKED_KW':
      case 'CALL_PACKED_VAR':
      case 'CALL_PACKED_VAR_KW':
        this.call(op);
        return;
      case 'CALL_FUNCTION_EX':
      case 'CALL_FUNCTION_EX_NULL':
      case 'CALL_FUNCTION_EX_KWSLOT': {
        let kwargs: Expr | null = null;
        if (op.op === 'CALL_FUNCTION_EX_KWSLOT') {
          // No flag; the kwargs slot is always there (NULL when there are none).
          const kw = this.pop();
          kwargs = kw.k === '$null' ? null : this.ex(kw);
        } else if (op.n & 1) kwargs = this.popE();
        const args = this.popE();
        let f = this.pop();
        if (op.op !== 'CALL_FUNCTION_EX') {
          if (f.k === '$null') f = this.pop();
          else if (this.st().length && this.top().k === '$null') this.pop();
        }
        this.push(this.makeCall(this.ex(f), starArgs(args), kwargs ? starKw(kwargs) : []));
        return;
      }
      case 'MAKE_FUNCTION':
      case 'MAKE_FUNCTION_FLAGS':
      case 'MAKE_FUNCTION_COUNTS':
      case 'MAKE_CLOSURE_COUNTS':
        this.makeFunction(op);
        return;
      case 'SET_FUNCTION_ATTRIBUTE': {
        const fn = this.pop();
        const attr = this.pop();
        if (fn.k !== '$fn') this.fail('SET_FUNCTION_ATTRIBUTE without a function');
        if (op.n & 0x01) fn.defaults = attr;
        else if (op.n & 0x02) fn.kwdefaults = attr;
        else if (op.n & 0x08) fn.closure = true;
        else this.note('annotations are not shown');
        this.push(fn);
        return;
      }
      case 'FORMAT_VALUE': {
        const spec = op.n & 4 ? this.popE() : null;
        const e = this.popE();
        const conv = (['', 's', 'r', 'a'] as const)[op.n & 3];
        this.push({ k: 'fstr', parts: [{ e, conv, spec: spec ? fparts(spec) : null }] });
        return;
      }
      case 'CONVERT_VALUE': {
        const e = this.popE();
        this.push({ k: '$conv', e, conv: (['', 's', 'r', 'a'] as const)[op.n] ?? '' });
        return;
      }
      case 'FORMAT_SIMPLE':
      case 'FORMAT_WITH_SPEC': {
        const spec = op.op === 'FORMAT_WITH_SPEC' ? this.popE() : null;
        const v = this.pop();
        const e = v.k === '$conv' ? v.e : this.ex(v);
        const conv = v.k === '$conv' ? v.conv : '';
        this.push({ k: 'fstr', parts: [{ e, conv, spec: spec ? fparts(spec) : null }] });
        return;
      }
      case 'BUILD_STRING': {
        const items = this.popN(op.n).map((x) => this.ex(x));
        this.push({ k: 'fstr', parts: items.flatMap((x) => fparts(x)) });
        return;
      }
      case 'RAISE_VARARGS': {
        const cause = op.n >= 2 ? this.popE() : null;
        const exc = op.n >= 1 ? this.popE() : null;
        this.emit({ k: 'raise', exc, cause });
        this.die('return', op.off);
        return;
      }
      case 'EXEC_STMT': {
        // Python 2 `exec body [in globals[, locals]]`: the compiler passes None / DUP_TOP for omitted parts.
        const locals = this.pop();
        const globals = this.pop();
        const body = this.popE();
        const g = globals.k === 'const' && globals.v.type === 'none' ? null : this.ex(globals);
        const l = locals === globals || (locals.k === 'const' && locals.v.type === 'none') ? null : this.ex(locals);
        this.emit({ k: 'exec2', body, globals: g, locals: l });
        return;
      }
      case 'PRINT_ITEM': {
        const v = this.popE();
        const last = this.stmts[this.stmts.length - 1];
        if (last?.k === 'print2' && !last.newline && this.printOpen) last.values.push(v);
        else this.emit({ k: 'print2', values: [v], newline: false });
        this.printOpen = true;
        return;
      }
      case 'PRINT_NEWLINE': {
        const last = this.stmts[this.stmts.length - 1];
        if (last?.k === 'print2' && !last.newline && this.printOpen) last.newline = true;
        else this.emit({ k: 'print2', values: [], newline: true });
        this.printOpen = false;
        return;
      }
      case 'DELETE_FAST':
      case 'DELETE_NAME':
      case 'DELETE_GLOBAL':
      case 'DELETE_DEREF':
        if (op.op === 'DELETE_GLOBAL' && this.isFunction()) this.globals.add(op.s);
        this.emit({ k: 'del', targets: [{ k: 'name', id: op.s }] });
        return;
      case 'DELETE_ATTR':
        this.emit({ k: 'del', targets: [{ k: 'attr', obj: this.popE(), name: op.s }] });
        return;
      case 'DELETE_SUBSCR': {
        const index = this.popE();
        const obj = this.popE();
        this.emit({ k: 'del', targets: [{ k: 'sub', obj, index }] });
        return;
      }
      case 'INTRINSIC':
        this.fail(`intrinsic ${op.s}`);
        return;
      default:
        this.fail(`opcode ${op.orig} is not modelled`);
    }
  }

  private addModuleGlobals(names: string[]): void {
    for (const n of names) if (!this.moduleGlobals.includes(n)) this.moduleGlobals.push(n);
  }

  /**
   * Adds a statement. A pending `if c: return a` (kept open in case the code turns out to be
   * `return a if c else b`) becomes a real if statement once other statements follow it.
   */
  private emit(s: Stmt): void {
    this.printOpen = false;
    while (s.k !== 'filter' && this.retTernaries.length > 0) {
      const rt = this.retTernaries.pop()!;
      this.stmts.splice(rt.stmtIndex, 0, { k: 'if', test: rt.cond, body: [{ k: 'return', value: rt.body }], orelse: [] });
    }
    this.stmts.push(s);
  }

  private addFilter(f: Frame, keep: Expr, style: 'nest' | 'continue' = 'nest'): void {
    const st: Stmt = { k: 'filter', keep, style };
    this.filterFrames.set(st, f);
    this.emit(st);
  }

  /** The loops of a comprehension: their filter statements become `if` clauses. */
  private claimLoops(frames: Frame[]): Generator[] {
    if (frames.length === 0) return [];
    const start = frames[0].stmtCount;
    const body = this.stmts.slice(start);
    for (const st of body) {
      const f = st.k === 'filter' ? this.filterFrames.get(st) : undefined;
      if (!f || !frames.includes(f)) this.fail('statements inside a comprehension');
    }
    this.stmts.splice(start);
    for (const f of frames) {
      f.used = true;
      const ifs = body.filter((st) => this.filterFrames.get(st) === f).map((st) => (st as { keep: Expr }).keep);
      f.gen.ifs = [...f.gen.ifs, ...ifs];
    }
    return frames.map((f) => f.gen);
  }

  /**
   * Adds elements (or dict items) to the display at `depth`. A display that a saved path also holds (3.12+
   * copies code into both branches of a conditional) is replaced by an extended copy; otherwise it grows in
   * place, so a long display built one item at a time stays linear.
   */
  private grow(depth: number, display: Extract<Expr, { k: 'list' | 'set' | 'dict' }>, elts: Expr[], items: { key: Expr | null; value: Expr }[] = []): void {
    if (!this.shared.has(display)) {
      if (display.k === 'dict') for (const it of items) display.items.push(it);
      else for (const e of elts) display.elts.push(e);
      return;
    }
    this.replaceTop(depth, display.k === 'dict' ? { ...display, items: [...display.items, ...items] } : { ...display, elts: [...display.elts, ...elts] });
  }

  /** Replaces the value at `depth` (keeping its display depth). */
  private replaceTop(depth: number, e: Expr): void {
    const s = this.st();
    const old = s[s.length - depth];
    const d = this.displayDepth.get(old);
    if (d !== undefined) this.displayDepth.set(e, d);
    s[s.length - depth] = e;
  }

  private display<T extends Expr>(e: T): T {
    this.displayDepth.set(e, this.frames.length);
    return e;
  }

  /** Turns an empty display on the stack into a comprehension accumulator (in place: snapshots share it). */
  private toAcc(sv: SV, kind: 'list' | 'set' | 'dict'): Extract<Marker, { k: '$acc' }> {
    if (sv.k === '$acc') return sv;
    if (sv.k !== kind) this.fail(`${kind} comprehension without its accumulator`);
    const depth = this.displayDepth.get(sv) ?? 0;
    const rec = sv as unknown as Record<string, unknown>;
    for (const key of Object.keys(rec)) delete rec[key];
    const acc = Object.assign(rec, { k: '$acc', kind, elt: null, value: null, gens: [], depth });
    return acc as unknown as Extract<Marker, { k: '$acc' }>;
  }

  private store(t: Target, how: string): void {
    const v = this.pop();
    if (how === 'STORE_GLOBAL' && this.isFunction()) this.globals.add((t as { id: string }).id);
    if (how === 'STORE_DEREF' && t.k === 'name' && this.code.freevars.includes(t.id)) this.nonlocals.add(t.id);
    switch (v.k) {
      case '$item':
        v.frame.gen.target = t;
        v.frame.targetSet = true;
        return;
      case '$unpack': {
        const g = v.group;
        g.targets[v.index] = (g as UnpackGroup & { star?: number }).star === v.index ? { k: 'starred', t } : t;
        if (g.targets.every((x) => x !== undefined)) {
          const tt: Target = { k: 'tuple', elts: g.targets as Target[] };
          if (g.source.k === '$item') {
            g.source.frame.gen.target = tt;
            g.source.frame.targetSet = true;
          } else this.emit({ k: 'assign', targets: [tt], value: this.ex(g.source) });
        }
        return;
      }
      case '$saved':
        return; // 3.12+ inlined comprehension restoring its loop variable
      case '$import': {
        const first = v.module.split('.')[0];
        const name = (t as { id: string }).id;
        if (v.fromlist.type === 'none' && name === first) this.emit({ k: 'import', names: [{ name: v.module, asname: null }] });
        else this.emit({ k: 'import', names: [{ name: v.module, asname: name }] });
        return;
      }
      case '$from': {
        const name = (t as { id: string }).id;
        if (v.imp.fromlist.type === 'none') this.emit({ k: 'import', names: [{ name: v.imp.module, asname: name }] });
        else v.imp.names.push({ name: v.name, asname: name === v.name ? null : name });
        return;
      }
      case '$fn':
        if (v.code.name !== '<lambda>' && t.k === 'name' && t.id === v.code.name) {
          this.emit({ k: 'def', fn: this.fnDef(v) });
          return;
        }
        break;
      default:
        break;
    }
    const e = this.ex(v);
    const s = this.stack;
    const nextOp = this.ops[this.curIndex + 1];
    if (s && s.length > 0 && s[s.length - 1] === v && nextOp && (/^STORE_/.test(nextOp.op) || nextOp.op === 'UNPACK_SEQUENCE')) {
      // `a = b = value`: DUP_TOP; STORE a; STORE b. The next store joins this statement.
      this.emit({ k: 'assign', targets: [t], value: e });
      s[s.length - 1] = e;
      return;
    }
    if (t.k === 'name' && s && s.length > 0 && s[s.length - 1] === v) {
      s[s.length - 1] = { k: 'walrus', target: t.id, value: e };
      return;
    }
    if (e.k === 'bin' && e.op.endsWith('=') && e.op !== '==' && sameTarget(e.l, t)) {
      this.emit({ k: 'augassign', target: t, op: e.op.slice(0, -1), value: e.r });
      return;
    }
    const last = this.stmts[this.stmts.length - 1];
    if (last?.k === 'assign' && last.value === e) {
      last.targets.push(t);
      return;
    }
    this.emit({ k: 'assign', targets: [t], value: e });
  }

  private isFunction(): boolean {
    return (this.code.flags & 0x02) !== 0 || this.code.name !== '<module>';
  }

  private call(op: Op): void {
    let kwnames: string[] = [];
    let extraStar: Expr | null = null;
    let extraKw: Expr | null = null;
    let argc = op.n;
    if (op.op === 'CALL_KW' || op.op === 'CALL_FUNCTION_KW') {
      const names = this.popE();
      if (names.k !== 'const' || names.v.type !== 'tuple') this.fail('keyword call without a names tuple');
      kwnames = names.v.items.map((x) => (x.type === 'str' ? x.value : '?'));
    } else if (op.op === 'CALL_PACKED_KW') {
      extraKw = this.popE();
    } else if (op.op === 'CALL' && this.kwNames) {
      kwnames = this.kwNames;
      this.kwNames = null;
    }
    if (op.op === 'CALL_PACKED_VAR' || op.op === 'CALL_PACKED_VAR_KW') {
      if (op.op === 'CALL_PACKED_VAR_KW') extraKw = this.popE();
      extraStar = this.popE();
    }
    const keywords: Keyword[] = [];
    let args: Expr[];
    if (op.op.startsWith('CALL_PACKED')) {
      const nkw = (argc >> 8) & 0xff;
      const npos = argc & 0xff;
      const pairs = this.popN(nkw * 2).map((x) => this.ex(x));
      for (let j = 0; j < pairs.length; j += 2) {
        const key = pairs[j];
        keywords.push({ name: key.k === 'const' && key.v.type === 'str' ? key.v.value : key.k === 'const' && key.v.type === 'bytes' ? new TextDecoder().decode(key.v.value) : '?', value: pairs[j + 1] });
      }
      args = this.popN(npos).map((x) => this.ex(x));
      argc = npos;
    } else {
      const all = this.popN(argc).map((x) => this.ex(x));
      const nk = kwnames.length;
      args = all.slice(0, all.length - nk);
      all.slice(all.length - nk).forEach((value, j) => keywords.push({ name: kwnames[j], value }));
    }
    if (extraStar) args.push({ k: 'starred', e: extraStar });
    if (extraKw) keywords.push({ name: null, value: extraKw });
    let func: SV;
    if (op.op === 'CALL' || op.op === 'CALL_KW') {
      // `mod.f()` with mod known to be an imported module compiles to LOAD_GLOBAL NULL+mod; LOAD_ATTR f.
      const b = this.top(1);
      const a = this.top(2);
      const f = a.k === '$null' ? b : b.k === '$null' ? a : null;
      const other = f === a ? b : a;
      if (f && f.k === 'attr' && f.obj.k === 'name' && this.loadedGlobals.has(f.obj) && other.k === '$null' && other.via !== 'method' && !this.moduleGlobals.includes(f.obj.id)) {
        this.moduleGlobals.push(f.obj.id);
      }
    }
    if (op.op === 'CALL_METHOD' || (op.op === 'CALL' || op.op === 'CALL_KW')) {
      const b = this.pop();
      const a = this.pop();
      if (a.k === '$null') func = b;
      else if (b.k === '$null') func = a;
      else {
        func = a;
        args.unshift(this.ex(b));
      }
    } else func = this.pop();
    // A comprehension (≤3.11) is a call of a function made from its code object, with the outer iterable.
    if (func.k === '$fn' && COMP_NAMES[func.code.name] && args.length === 1 && keywords.length === 0) {
      this.push(this.comprehension(func.code, args[0]));
      return;
    }
    this.push(this.makeCall(this.ex(func), args, keywords));
  }

  private makeCall(func: Expr, args: Expr[], keywords: Keyword[]): Expr {
    return { k: 'call', func, args, keywords };
  }

  private comprehension(code: CodeObject, iter: Expr): Expr {
    const sub = new CodeExecutor(code, this.source, new Map([['.0', iter]]), this.track);
    const r = sub.run();
    if (!r.complete) for (const n of r.notes) this.note(`${code.name}: ${n}`);
    this.addModuleGlobals(sub.moduleGlobals);
    const ret = r.body.find((s) => s.k === 'return');
    if (!ret || ret.k !== 'return' || ret.value.k !== 'comp') this.fail(`${code.name} body not understood`);
    return ret.value;
  }

  private makeFunction(op: Op): void {
    let codeV: SV;
    const fn: Extract<Marker, { k: '$fn' }> = { k: '$fn', code: null as unknown as CodeObject, defaults: null, kwdefaults: null, closure: false };
    if (op.op === 'MAKE_FUNCTION') {
      codeV = this.pop();
    } else if (op.op === 'MAKE_FUNCTION_FLAGS') {
      if (op.qualname) this.pop();
      codeV = this.pop();
      if (op.n & 0x08) {
        this.pop();
        fn.closure = true;
      }
      if (op.n & 0x04) {
        this.pop();
        this.note('annotations are not shown');
      }
      if (op.n & 0x02) fn.kwdefaults = this.pop();
      if (op.n & 0x01) fn.defaults = this.pop();
    } else {
      if (op.qualname) this.pop();
      codeV = this.pop();
      if (op.op === 'MAKE_CLOSURE_COUNTS') {
        this.pop();
        fn.closure = true;
      }
      const ndef = op.n & 0xff;
      const nkw = (op.n >> 8) & 0xff;
      const nann = (op.n >> 16) & 0x7fff;
      if (nann) {
        this.popN(nann);
        this.note('annotations are not shown');
      }
      if (nkw) {
        const pairs = this.popN(nkw * 2).map((x) => this.ex(x));
        const items: { key: Expr | null; value: Expr }[] = [];
        for (let j = 0; j < pairs.length; j += 2) items.push({ key: pairs[j], value: pairs[j + 1] });
        fn.kwdefaults = { k: 'dict', items };
      }
      if (ndef) fn.defaults = { k: 'tuple', elts: this.popN(ndef).map((x) => this.ex(x)) };
    }
    if (codeV.k !== 'const' || codeV.v.type !== 'code') this.fail('MAKE_FUNCTION without a code object');
    fn.code = codeV.v.code;
    this.push(fn);
  }

  private fnDef(f: Extract<Marker, { k: '$fn' }>): FunctionDef {
    const defaults: Expr[] = [];
    const kwdefaults: { name: string; value: Expr }[] = [];
    if (f.defaults) {
      const d = this.ex(f.defaults);
      if (d.k === 'tuple') defaults.push(...d.elts);
      else if (d.k === 'const' && d.v.type === 'tuple') defaults.push(...d.v.items.map(constE));
      else this.fail('defaults that are not a tuple');
    }
    if (f.kwdefaults) {
      const d = this.ex(f.kwdefaults);
      if (d.k !== 'dict') this.fail('keyword defaults that are not a dict');
      for (const it of d.items) {
        if (!it.key || it.key.k !== 'const' || it.key.v.type !== 'str') this.fail('keyword default without a name');
        kwdefaults.push({ name: it.key.v.value, value: it.value });
      }
    }
    const sub = decompileFunctionBody(f.code, this.source, this.track);
    if (!sub.complete) for (const n of sub.notes) this.note(`${f.code.name}: ${n}`);
    this.addModuleGlobals(sub.moduleGlobals);
    return { ...sub, defaults, kwdefaults };
  }

  private fnExpr(f: Extract<Marker, { k: '$fn' }>): Expr {
    if (f.code.name !== '<lambda>') this.fail(`function ${f.code.name} used as a value`);
    return { k: 'lambda', fn: this.fnDef(f) };
  }
}

/** Decompiles one code object into a FunctionDef (without defaults: those live in the caller). */
export function decompileFunctionBody(code: CodeObject, source: OpSource, track?: WeakMap<object, ExprOrigin>): FunctionDef {
  const r = new CodeExecutor(code, source, new Map(), track).run();
  const isLambda = code.name === '<lambda>';
  const fn: FunctionDef = {
    code,
    name: code.name,
    isLambda,
    defaults: [],
    kwdefaults: [],
    body: r.body,
    freevars: [...code.freevars],
    complete: r.complete,
    notes: [...r.notes],
    moduleGlobals: [...r.moduleGlobals],
  };
  if (isLambda && !(r.body.length === 1 && r.body[0].k === 'return')) {
    fn.complete = false;
    if (!fn.notes.length) fn.notes.push('lambda body is not a single expression');
  }
  if (!isLambda) {
    const facts = factsFor(source.version);
    const doc = facts.docstring(code);
    if (doc) r.body.unshift({ k: 'expr', value: constE(doc) });
    // The implicit `return None` at the end of a def is not source.
    const last = r.body[r.body.length - 1];
    if (last?.k === 'return' && last.value.k === 'const' && last.value.v.type === 'none' && !facts.explicitReturnNone(code)) r.body.pop();
  }
  return fn;
}
