/**
 * One CPython version's opcode facts (Lib/opcode.py, Lib/dis.py of that version), as data plus quick lookups.
 * The pyXY.ts files are generated from the real interpreters by scripts/golden/build_opcode_tables.py;
 * py30–py35 are written by hand from CPython's Lib/opcode.py at those tags (best effort, no interpreter here).
 */
export interface OpcodeTableData {
  version: string;
  generatedFrom: string;
  /** opcode → name, real opcodes only (< 256). */
  opname: Record<number, string>;
  HAVE_ARGUMENT: number;
  EXTENDED_ARG: number;
  hasconst: number[];
  hasname: number[];
  hasjrel: number[];
  hasjabs: number[];
  haslocal: number[];
  hasfree: number[];
  hascompare: number[];
  /** 3.12+: opcodes taking an argument (older: op >= HAVE_ARGUMENT). */
  hasarg?: number[];
  hasexc?: number[];
  hasjump?: number[];
  cmp_op: string[];
  /** 3.11+: BINARY_OP argument → [NB_ name, operator text]. */
  nb_ops?: [string, string][];
  /** 3.11+: number of 2-byte inline cache entries after each opcode. */
  inline_cache?: Record<number, number>;
  intrinsic_1_descs?: string[];
  intrinsic_2_descs?: string[];
  MIN_INSTRUMENTED_OPCODE?: number;
  dis_common_constants?: string[];
  dis_special_method_names?: string[];
  dis_MAKE_FUNCTION_FLAGS?: string[];
  dis_FUNCTION_ATTR_FLAGS?: string[];
}

export class OpcodeTable {
  readonly version: string;
  /** major*100 + minor, e.g. 311. */
  readonly vnum: number;
  private readonly names = new Map<number, string>();
  private readonly byName = new Map<string, number>();
  private readonly sets: Record<
    'const' | 'name' | 'jrel' | 'jabs' | 'local' | 'free' | 'compare' | 'arg' | 'exc',
    Set<number>
  >;

  constructor(readonly data: OpcodeTableData) {
    this.version = data.version;
    const [maj, min] = data.version.split('.').map(Number);
    this.vnum = maj * 100 + min;
    for (const [k, v] of Object.entries(data.opname)) {
      this.names.set(Number(k), v);
      this.byName.set(v, Number(k));
    }
    this.sets = {
      const: new Set(data.hasconst),
      name: new Set(data.hasname),
      jrel: new Set([...data.hasjrel, ...(data.hasjump ?? [])].filter((op) => !data.hasjabs.includes(op))),
      jabs: new Set(data.hasjabs),
      local: new Set(data.haslocal),
      free: new Set(data.hasfree),
      compare: new Set(data.hascompare),
      arg: new Set(data.hasarg ?? []),
      exc: new Set(data.hasexc ?? []),
    };
  }

  /** True when the opcode exists in this version (as something the compiler could have written). */
  exists(op: number): boolean {
    const name = this.names.get(op);
    if (name === undefined) return false;
    // Cache slots, placeholders and run-time-only opcodes never start an instruction in marshalled code.
    if (name === 'CACHE' || name === 'RESERVED' || name === 'ENTER_EXECUTOR' || name.startsWith('INSTRUMENTED_')) return false;
    return this.data.MIN_INSTRUMENTED_OPCODE === undefined || op < this.data.MIN_INSTRUMENTED_OPCODE;
  }
  name(op: number): string | undefined {
    return this.names.get(op);
  }
  opcode(name: string): number | undefined {
    return this.byName.get(name);
  }
  hasArg(op: number): boolean {
    // Before 3.12 dis decides by HAVE_ARGUMENT alone, even for unknown opcodes.
    return this.data.hasarg ? this.sets.arg.has(op) : op >= this.data.HAVE_ARGUMENT;
  }
  isConst(op: number): boolean {
    return this.sets.const.has(op);
  }
  isName(op: number): boolean {
    return this.sets.name.has(op);
  }
  isJrel(op: number): boolean {
    return this.sets.jrel.has(op);
  }
  isJabs(op: number): boolean {
    return this.sets.jabs.has(op);
  }
  isLocal(op: number): boolean {
    return this.sets.local.has(op);
  }
  isFree(op: number): boolean {
    return this.sets.free.has(op);
  }
  isCompare(op: number): boolean {
    return this.sets.compare.has(op);
  }
  cacheEntries(op: number): number {
    return this.data.inline_cache?.[op] ?? 0;
  }
  /** 3.6+ write 2-byte "wordcode"; earlier versions 1- or 3-byte instructions. */
  get wordcode(): boolean {
    return this.vnum >= 306;
  }
}
