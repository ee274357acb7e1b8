/**
 * One payload's code tree read as one Python version, each stage done once and kept: every code object is
 * disassembled once (the `dis` text, the decompiler and the indicator scan read the same instruction records)
 * and normalised once, and the whole tree is decompiled once, with the origin of every expression node (the
 * indicators cite offsets from it). Stages run on first use; a stage that failed fails the same way for
 * every reader, so each reader reports it as it always did.
 */
import type { CodeObject } from './objects';
import { disassembleCode, type DisassembledCode } from './disassemble';
import { normalize, type Op } from './decompile/normalize';
import { decompileFunctionBody, type ExprOrigin, type OpSource } from './decompile/exec';
import type { FunctionDef } from './decompile/ast';
import { totalBytecode } from './collect';
import { MAX_DECOMPILED_BYTECODE } from './limits';
import type { ReprOptions } from './repr';

/** The decompiled tree and where each of its expression nodes came from. */
export interface DecompiledTree {
  fn: FunctionDef;
  origins: WeakMap<object, ExprOrigin>;
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

function attempt<T>(run: () => T): Settled<T> {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    return { ok: false, error };
  }
}

function unwrap<T>(s: Settled<T>): T {
  if (s.ok) return s.value;
  throw s.error;
}

function cached<T>(cache: Map<CodeObject, Settled<T>>, code: CodeObject, run: () => T): T {
  let s = cache.get(code);
  if (!s) cache.set(code, (s = attempt(run)));
  return unwrap(s);
}

export class CodeAnalysis implements OpSource {
  private readonly disassembly = new Map<CodeObject, Settled<DisassembledCode>>();
  private readonly normalized = new Map<CodeObject, Settled<Op[]>>();
  private tree: Settled<DecompiledTree | null> | undefined;
  private bytes: number | undefined;

  constructor(
    /** The top-level code object. */
    readonly code: CodeObject,
    /** The version whose opcode table and compiler conventions are applied ("3.11"). */
    readonly version: string,
    /** How constants are shown in the disassembly's argrepr (the ops do not depend on it). */
    readonly reprOptions: ReprOptions = {},
  ) {}

  /** Bytes of bytecode in the whole tree (limits.ts compares this). */
  get bytecode(): number {
    this.bytes ??= totalBytecode(this.code);
    return this.bytes;
  }

  /** One code object's instructions as `dis.dis` lists them. Throws DisassemblyError when they do not resolve. */
  disassembled(code: CodeObject): DisassembledCode {
    return cached(this.disassembly, code, () => disassembleCode(code, this.version, this.reprOptions));
  }

  /** One code object's version-neutral ops (decompile/normalize.ts). Throws what `disassembled` throws. */
  ops(code: CodeObject): Op[] {
    return cached(this.normalized, code, () => normalize(code, this.disassembled(code).instructions, this.version));
  }

  /**
   * The whole tree decompiled, or null when it is larger than MAX_DECOMPILED_BYTECODE. Throws what the
   * decompiler threw (a RangeError for absurdly nested code).
   */
  decompiled(): DecompiledTree | null {
    this.tree ??= attempt(() => {
      if (this.bytecode > MAX_DECOMPILED_BYTECODE) return null;
      const origins = new WeakMap<object, ExprOrigin>();
      return { fn: decompileFunctionBody(this.code, this, origins), origins };
    });
    return unwrap(this.tree);
  }
}
