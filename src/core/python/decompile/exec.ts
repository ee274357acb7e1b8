/**
 * Symbolic execution of one code object's normalised ops: a stack of expressions instead of values.
 * Forward jumps leave "arrivals" at their target; when the scan reaches a target the arrivals are merged
 * back into expressions (and/or, conditional expressions, comparison chains, comprehension filters).
 * Anything that does not fit these shapes marks the result incomplete instead of guessing.
 * This file holds the state and the merging; each op's effect is a handler in ./ops/ (one module per kind
 * of operation, one table); the version differences were settled by normalize.ts.
 */
import type { CodeObject, PyValue } from '../objects';
import { boolE, constE, notE, NONE, type Expr, type FunctionDef, type Generator, type Stmt, type Target } from './ast';
import { compilerFacts, type CompilerFacts, type Op } from './normalize';
import { HANDLERS } from './ops';
import { nestFilters } from './tree';

/** Where the executor gets each code object's ops: normalised once per payload (see analysis.ts). */
export interface OpSource {
  readonly version: string;
  /** Throws when the code object cannot be disassembled. */
  ops(code: CodeObject): Op[];
}

/** One op's effect on the executor (the handlers in ./ops/, one module per kind of operation). */
export type Handler = (vm: CodeExecutor, op: Op, i: number) => void;
export type HandlerTable = Record<string, Handler>;

/** Stack values that are not (yet) expressions. */
export type Marker =
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

export type SV = Expr | Marker;

export interface Chain {
  left: Expr;
  ops: string[];
  comps: Expr[];
}

/** Where a comparison chain's early exit goes, and where its complete comparison ended. */
interface ChainExit {
  cleanup: number;
  finalIndex: number | null;
}

export interface Frame {
  head: number;
  exit: number;
  gen: Generator;
  targetSet: boolean;
  /** Statements emitted before the loop started (a for statement's body starts here). */
  stmtCount: number;
  /** Set when a comprehension or generator expression claims this loop. */
  used: boolean;
}

export interface UnpackGroup {
  source: SV;
  targets: (Target | undefined)[];
  /** UNPACK_EX: the index of the starred target. */
  star?: number;
}

export interface Arrival {
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

export interface ExecResult {
  body: Stmt[];
  complete: boolean;
  notes: string[];
  moduleGlobals: string[];
}

/**
 * The executor's state and the control-flow machinery (arrivals, merges, comparison-chain exits, nested
 * code objects). What one op does is its handler's business (./ops/); the members handlers use are public.
 */
export class CodeExecutor {
  private readonly facts: CompilerFacts;
  ops: Op[] = [];
  stack: SV[] | null = [];
  /** Stack values that some saved path also holds (never changed in place). */
  readonly shared = new WeakSet<object>();
  readonly pending = new Map<number, Arrival[]>();
  readonly stmts: Stmt[] = [];
  readonly frames: Frame[] = [];
  private readonly condJumps: CondEntry[] = [];
  private readonly notes: string[] = [];
  private complete = true;
  lastDead: { kind: 'jump'; arrival: Arrival } | { kind: 'return'; src: number } | { kind: 'continue' } | null = null;
  lastKeep: Arrival | null = null;
  kwNames: string[] | null = null;
  readonly retTernaries: { cond: Expr; body: Expr; at: number; stmtIndex: number }[] = [];
  private readonly filterFrames = new WeakMap<Stmt, Frame>();
  /** Comparison-chain cleanup blocks, by offset (3.12+ copies the rest of the expression after them). */
  private readonly chainExits = new Map<number, ChainExit>();
  readonly chainExitOf = new WeakMap<object, ChainExit[]>();
  /** Dead code up to this offset is a verified copy of code already shown. */
  private deadOkUntil = -1;
  readonly genAcc: Extract<Marker, { k: '$acc' }> | null = null;
  readonly globals = new Set<string>();
  readonly nonlocals = new Set<string>();
  readonly displayDepth = new WeakMap<object, number>();
  /** Builtins loaded by 3.14+ LOAD_COMMON_CONSTANT. */
  readonly commonConsts = new WeakSet<object>();
  /** Set by a step that skips ahead (3.14 inlined any()/all()/tuple() fast path). */
  skipTo: number | null = null;
  /** Name expressions produced by LOAD_GLOBAL. */
  readonly loadedGlobals = new WeakSet<object>();
  readonly moduleGlobals: string[] = [];

  private curOff = 0;
  private opIndex: Map<number, number> | null = null;
  /** A Python 2 print statement still collecting items (PRINT_ITEM … PRINT_NEWLINE). */
  printOpen = false;
  curIndex = 0;

  constructor(
    readonly code: CodeObject,
    private readonly source: OpSource,
    /** `.0` of a comprehension body: the outer iterable. */
    readonly bindings: Map<string, Expr> = new Map(),
    /** Where each expression node came from (code object and offset), for evidence. */
    private readonly track?: WeakMap<object, ExprOrigin>,
  ) {
    this.facts = factsFor(source.version);
    if (code.name === '<genexpr>') this.genAcc = { k: '$acc', kind: 'gen', elt: null, value: null, gens: [], depth: 0 };
  }

  fail(why: string): never {
    throw new DecompileFailure(why);
  }

  note(why: string): void {
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

  st(): SV[] {
    if (this.stack === null) this.fail('unreachable code');
    return this.stack;
  }

  pop(): SV {
    const s = this.st();
    if (s.length === 0) this.fail('stack underflow');
    return s.pop()!;
  }

  popN(n: number): SV[] {
    const s = this.st();
    if (s.length < n) this.fail('stack underflow');
    return s.splice(s.length - n, n);
  }

  push(v: SV): void {
    this.st().push(v);
    if (this.track && !this.track.has(v)) this.track.set(v, { code: this.code, offset: this.curOff });
  }

  /**
   * A copy of the stack for another path. Its values become shared: a display among them is extended by
   * copy from then on (see grow), while one only this path holds is extended in place.
   */
  snapshot(stack: SV[]): SV[] {
    for (const v of stack) this.shared.add(v);
    return [...stack];
  }

  top(depth = 1): SV {
    const s = this.st();
    // depth 0 (a crafted COPY 0) would read past the top.
    if (depth < 1 || s.length < depth) this.fail('stack underflow');
    return s[s.length - depth];
  }

  /** A stack value as an expression; markers that cannot be expressions fail. */
  ex(v: SV): Expr {
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

  popE(): Expr {
    return this.ex(this.pop());
  }

  // ---------------------------------------------------------------- control flow

  addArrival(target: number, a: Arrival): void {
    const list = this.pending.get(target);
    if (list) list.push(a);
    else this.pending.set(target, [a]);
  }

  removeArrival(target: number, a: Arrival): void {
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

  noteChainExit(v: Extract<Marker, { k: '$chain' }>, cleanup: number): void {
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

  opAt(off: number): Op | undefined {
    if (!this.opIndex) {
      this.opIndex = new Map();
      this.ops.forEach((o, j) => this.opIndex!.set(o.off, j));
    }
    const j = this.opIndex.get(off);
    return j === undefined ? undefined : this.ops[j];
  }

  /** A comparison chain's cleanup (`ROT_TWO/SWAP 2; POP_TOP`) directly followed by RETURN_VALUE. */
  isChainCleanupBeforeReturn(off: number): boolean {
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

  die(kind: 'return' | 'continue', src = 0): void {
    this.stack = null;
    this.lastDead = kind === 'return' ? { kind, src } : { kind };
  }

  popJump(op: Op, i: number): void {
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

  // ---------------------------------------------------------------- dispatch

  private step(op: Op, i: number): void {
    const handle = HANDLERS.get(op.op);
    if (!handle) this.fail(`opcode ${op.orig} is not modelled`);
    handle(this, op, i);
  }

  private addModuleGlobals(names: string[]): void {
    for (const n of names) if (!this.moduleGlobals.includes(n)) this.moduleGlobals.push(n);
  }

  /**
   * Adds a statement. A pending `if c: return a` (kept open in case the code turns out to be
   * `return a if c else b`) becomes a real if statement once other statements follow it.
   */
  emit(s: Stmt): void {
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
  claimLoops(frames: Frame[]): Generator[] {
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

  comprehension(code: CodeObject, iter: Expr): Expr {
    const sub = new CodeExecutor(code, this.source, new Map([['.0', iter]]), this.track);
    const r = sub.run();
    if (!r.complete) for (const n of r.notes) this.note(`${code.name}: ${n}`);
    this.addModuleGlobals(sub.moduleGlobals);
    const ret = r.body.find((s) => s.k === 'return');
    if (!ret || ret.k !== 'return' || ret.value.k !== 'comp') this.fail(`${code.name} body not understood`);
    return ret.value;
  }

  fnDef(f: Extract<Marker, { k: '$fn' }>): FunctionDef {
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
