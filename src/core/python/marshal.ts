/**
 * A bounded reader for CPython's `marshal` format (2.7 and 3.0–3.15), producing plain records (objects.ts).
 * Nothing read here is ever executed. Every failure is a `MarshalError` carrying the byte offset; hard limits
 * on depth, object count, ref table size, input size and string length keep hostile input from hanging us.
 * Facts: /work/shared/reference/MARSHAL.md (CPython Python/marshal.c at each release tag).
 */
import type { CodeLayout, CodeObject, PyValue } from './objects';

export class MarshalError extends Error {
  /** Byte offset in the stream where reading failed. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(MarshalError.text(message, offset));
    this.name = 'MarshalError';
    this.offset = offset;
  }

  /** The message text: what went wrong and where. */
  static text(message: string, offset: number): string {
    return `${message} (at byte ${offset})`;
  }
}

export interface MarshalLimits {
  /** Nesting depth of containers/code objects (CPython: 2000). */
  maxDepth: number;
  /** Objects read in total, refs included. */
  maxObjects: number;
  /** Entries in the FLAG_REF table (and the Py2 interned-string table). */
  maxRefs: number;
  /** Whole input size. */
  maxBytes: number;
  /** Longest single str/bytes. */
  maxStringLength: number;
}

export const DEFAULT_MARSHAL_LIMITS: MarshalLimits = {
  maxDepth: 200,
  maxObjects: 1_000_000,
  maxRefs: 1_000_000,
  maxBytes: 64 * 1024 * 1024,
  maxStringLength: 16 * 1024 * 1024,
};

/** Which format features a stream used: evidence for version inference. */
export interface MarshalFeatures {
  /** Type codes seen (the byte without FLAG_REF), as one-character strings. */
  typeCodes: Set<string>;
  /** FLAG_REF (0x80) was set on some type byte (marshal v3+, CPython ≥ 3.4). */
  flagRef: boolean;
}

export interface MarshalResult {
  value: PyValue;
  /** The code-object layout used (null when the stream holds no code object). */
  layout: CodeLayout | null;
  features: MarshalFeatures;
  /** Bytes consumed (equals the input length for a successful whole-stream read). */
  bytesRead: number;
  /** Layouts that were tried and why they were rejected (evidence / error reporting). */
  rejected: { layout: CodeLayout; error: string }[];
}

const FLAG_REF = 0x80;

/** Reads one marshal object that must cover the whole stream; tries each code layout in turn. */
export function readMarshal(
  bytes: Uint8Array,
  options: { layout?: CodeLayout; limits?: Partial<MarshalLimits> } = {},
): MarshalResult {
  const limits = { ...DEFAULT_MARSHAL_LIMITS, ...options.limits };
  if (bytes.length > limits.maxBytes) {
    throw new MarshalError(`input of ${bytes.length} bytes exceeds the ${limits.maxBytes}-byte limit`, 0);
  }
  if (bytes.length === 0) throw new MarshalError('empty input', 0);
  const layouts: CodeLayout[] = options.layout ? [options.layout] : ['py311', 'py38', 'py30', 'py2'];
  const rejected: { layout: CodeLayout; error: string }[] = [];
  let best: ReadFailure | null = null;
  // Without a code object the py3 layouts read identically; only py2 (string semantics) still differs.
  let onlyPy2 = false;
  for (const layout of layouts) {
    if (onlyPy2 && layout !== 'py2') continue;
    const reader = new Reader(bytes, layout, limits);
    try {
      const value = reader.readTop();
      if (reader.pos !== bytes.length) {
        throw new ReadFailure(`${bytes.length - reader.pos} trailing bytes after the object`, reader.pos);
      }
      return { value, layout: reader.sawCode ? layout : null, features: reader.features, bytesRead: reader.pos, rejected };
    } catch (e) {
      if (!(e instanceof ReadFailure)) throw e;
      rejected.push({ layout, error: MarshalError.text(e.reason, e.offset) });
      if (!reader.sawCode) onlyPy2 = true;
      // Report the attempt that got furthest: usually the right layout meeting the real defect.
      if (!best || e.offset > best.offset) best = e;
    }
  }
  throw best ? new MarshalError(best.reason, best.offset) : new MarshalError('unreadable marshal data', 0);
}

/**
 * A read that failed at a byte offset, before it becomes a MarshalError. A plain object: readMarshal tries
 * up to four code-object layouts and most attempts fail, so no stack trace is captured for them.
 */
class ReadFailure {
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {}
}

/** Reads a marshal stream whose top object must be a code object. */
export function readCodeObject(
  bytes: Uint8Array,
  options: { layout?: CodeLayout; limits?: Partial<MarshalLimits> } = {},
): MarshalResult & { code: CodeObject; layout: CodeLayout } {
  const r = readMarshal(bytes, options);
  if (r.value.type !== 'code' || r.layout === null) {
    throw new MarshalError(`top-level object is a ${r.value.type}, not a code object`, 0);
  }
  return { ...r, code: r.value.code, layout: r.layout };
}

const utf8Fatal = new TextDecoder('utf-8', { fatal: true });

class Reader {
  pos = 0;
  depth = 0;
  objects = 0;
  refs: (PyValue | null)[] = [];
  /** Py2 interned-string table for 'R'. */
  interned: PyValue[] = [];
  sawCode = false;
  readonly py2: boolean;
  features: MarshalFeatures = { typeCodes: new Set(), flagRef: false };

  constructor(
    private readonly b: Uint8Array,
    private readonly layout: CodeLayout,
    private readonly limits: MarshalLimits,
  ) {
    this.py2 = layout === 'py2';
  }

  readTop(): PyValue {
    const v = this.readObject();
    if (v === null) throw new ReadFailure('NULL object at top level', 0);
    return v;
  }

  private need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.b.length) {
      throw new ReadFailure(`truncated: ${what} needs ${n} bytes, ${this.b.length - this.pos} left`, this.pos);
    }
  }

  private u8(): number {
    this.need(1, 'byte');
    return this.b[this.pos++];
  }

  private i32(): number {
    this.need(4, 'int32');
    const b = this.b;
    const p = this.pos;
    this.pos += 4;
    return b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
  }

  private f64(): number {
    this.need(8, 'float64');
    const v = new DataView(this.b.buffer, this.b.byteOffset + this.pos, 8).getFloat64(0, true);
    this.pos += 8;
    return v;
  }

  private take(n: number, what: string): Uint8Array {
    if (n > this.limits.maxStringLength) {
      throw new ReadFailure(`${what} of ${n} bytes exceeds the ${this.limits.maxStringLength}-byte limit`, this.pos);
    }
    this.need(n, what);
    const out = this.b.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  private length(what: string): number {
    const at = this.pos;
    const n = this.i32();
    if (n < 0) throw new ReadFailure(`negative ${what} length ${n}`, at);
    return n;
  }

  private textFloat(): number {
    const at = this.pos;
    const n = this.u8();
    const raw = this.take(n, 'text float');
    const s = String.fromCharCode(...raw).trim();
    const lower = s.toLowerCase();
    if (lower === 'inf' || lower === '+inf' || lower === 'infinity') return Infinity;
    if (lower === '-inf' || lower === '-infinity') return -Infinity;
    if (lower === 'nan' || lower === '+nan' || lower === '-nan') return NaN;
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) {
      throw new ReadFailure(`bad text float ${JSON.stringify(s)}`, at);
    }
    return Number(s);
  }

  private decodeUtf8(raw: Uint8Array, at: number): string {
    try {
      return utf8Fatal.decode(raw);
    } catch {
      return decodeUtf8SurrogatePass(raw, at);
    }
  }

  /** Reads an object; returns null only for TYPE_NULL ('0'), which only a dict may contain. */
  private readObject(): PyValue | null {
    if (++this.objects > this.limits.maxObjects) {
      throw new ReadFailure(`more than ${this.limits.maxObjects} objects`, this.pos);
    }
    if (this.depth >= this.limits.maxDepth) {
      throw new ReadFailure(`nesting deeper than ${this.limits.maxDepth}`, this.pos);
    }
    const at = this.pos;
    const code = this.u8();
    const flag = (code & FLAG_REF) !== 0;
    const type = String.fromCharCode(code & ~FLAG_REF);
    if (flag) {
      if (this.py2) throw new ReadFailure('FLAG_REF in a Python 2 stream', at);
      this.features.flagRef = true;
    }
    this.features.typeCodes.add(type);
    this.depth++;
    try {
      return this.readTyped(type, flag, at);
    } finally {
      this.depth--;
    }
  }

  /** Appends a finished scalar to the ref table when FLAG_REF asked for it. */
  private ref(v: PyValue, flag: boolean, at: number): PyValue {
    if (flag) this.pushRef(v, at);
    return v;
  }

  private pushRef(v: PyValue | null, at: number): number {
    if (this.refs.length >= this.limits.maxRefs) {
      throw new ReadFailure(`ref table larger than ${this.limits.maxRefs}`, at);
    }
    this.refs.push(v);
    return this.refs.length - 1;
  }

  /** Containers reserve their slot before their children (pre-order numbering, like r_ref_reserve). */
  private reserve(flag: boolean, at: number): number {
    return flag ? this.pushRef(null, at) : -1;
  }

  private fill(slot: number, v: PyValue): PyValue {
    if (slot >= 0) this.refs[slot] = v;
    return v;
  }

  private child(what: string): PyValue {
    const at = this.pos;
    const v = this.readObject();
    if (v === null) throw new ReadFailure(`NULL object in ${what}`, at);
    return v;
  }

  private items(n: number, what: string): PyValue[] {
    // Every item takes at least one byte: refuse counts the remaining input cannot hold.
    if (n > this.b.length - this.pos) {
      throw new ReadFailure(`${what} of ${n} items but only ${this.b.length - this.pos} bytes left`, this.pos);
    }
    const out: PyValue[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.child(what);
    return out;
  }

  private readTyped(type: string, flag: boolean, at: number): PyValue | null {
    switch (type) {
      case '0':
        return null;
      case 'N':
        return { type: 'none' };
      case 'F':
        return { type: 'bool', value: false };
      case 'T':
        return { type: 'bool', value: true };
      case 'S':
        return { type: 'stopiteration' };
      case '.':
        return { type: 'ellipsis' };
      case 'i':
        return this.ref({ type: 'int', value: BigInt(this.i32()) }, flag, at);
      case 'I': {
        this.need(8, 'int64');
        const v = new DataView(this.b.buffer, this.b.byteOffset + this.pos, 8).getBigInt64(0, true);
        this.pos += 8;
        return this.ref({ type: 'int', value: v }, flag, at);
      }
      case 'l':
        return this.ref(this.readLong(at), flag, at);
      case 'g':
        return this.ref({ type: 'float', value: this.f64() }, flag, at);
      case 'f':
        return this.ref({ type: 'float', value: this.textFloat() }, flag, at);
      case 'y': {
        const real = this.f64();
        const imag = this.f64();
        return this.ref({ type: 'complex', real, imag }, flag, at);
      }
      case 'x': {
        const real = this.textFloat();
        const imag = this.textFloat();
        return this.ref({ type: 'complex', real, imag }, flag, at);
      }
      case 's': {
        const n = this.length('bytes');
        return this.ref({ type: 'bytes', value: this.take(n, 'bytes') }, flag, at);
      }
      case 't': {
        const n = this.length('interned string');
        const raw = this.take(n, 'interned string');
        if (this.py2) {
          // Py2 interned str: a byte string, also appended to the table 'R' indexes.
          const v: PyValue = { type: 'bytes', value: raw, interned: true };
          if (this.interned.length >= this.limits.maxRefs) {
            throw new ReadFailure(`interned-string table larger than ${this.limits.maxRefs}`, at);
          }
          this.interned.push(v);
          return v;
        }
        return this.ref({ type: 'str', value: this.decodeUtf8(raw, at), interned: true }, flag, at);
      }
      case 'R': {
        if (!this.py2) throw new ReadFailure("string ref 'R' outside a Python 2 stream", at);
        const i = this.i32();
        if (i < 0 || i >= this.interned.length) {
          throw new ReadFailure(`string ref ${i} outside the table of ${this.interned.length}`, at);
        }
        return this.interned[i];
      }
      case 'u': {
        const n = this.length('str');
        return this.ref({ type: 'str', value: this.decodeUtf8(this.take(n, 'str'), at) }, flag, at);
      }
      case 'a':
      case 'A':
      case 'z':
      case 'Z': {
        if (this.py2) throw new ReadFailure(`type '${type}' in a Python 2 stream`, at);
        const n = type === 'a' || type === 'A' ? this.length('ascii str') : this.u8();
        const raw = this.take(n, 'ascii str');
        let s = '';
        for (let i = 0; i < raw.length; i += 8192) s += String.fromCharCode(...raw.subarray(i, i + 8192));
        const v: PyValue = type === 'A' || type === 'Z' ? { type: 'str', value: s, interned: true } : { type: 'str', value: s };
        return this.ref(v, flag, at);
      }
      case '(':
      case ')':
      case '[':
      case '<':
      case '>': {
        if (type === ')' && this.py2) throw new ReadFailure("small tuple ')' in a Python 2 stream", at);
        const n = type === ')' ? this.u8() : this.length('sequence');
        const slot = this.reserve(flag, at);
        const items = this.items(n, 'sequence');
        const kind = type === '(' || type === ')' ? 'tuple' : type === '[' ? 'list' : type === '<' ? 'set' : 'frozenset';
        return this.fill(slot, { type: kind, items });
      }
      case '{':
      case '}': {
        const slot = this.reserve(flag, at);
        const entries: [PyValue, PyValue][] = [];
        for (;;) {
          const k = this.readObject();
          if (k === null) break;
          entries.push([k, this.child('dict value')]);
        }
        return this.fill(slot, type === '}' ? { type: 'dict', entries, frozen: true } : { type: 'dict', entries });
      }
      case ':': {
        if (this.py2) throw new ReadFailure("slice ':' in a Python 2 stream", at);
        const slot = this.reserve(flag, at);
        const start = this.child('slice');
        const stop = this.child('slice');
        const step = this.child('slice');
        return this.fill(slot, { type: 'slice', start, stop, step });
      }
      case 'c': {
        const slot = this.reserve(flag, at);
        return this.fill(slot, { type: 'code', code: this.readCode(at) });
      }
      case 'r': {
        if (this.py2) throw new ReadFailure("ref 'r' in a Python 2 stream", at);
        const i = this.i32();
        if (i < 0 || i >= this.refs.length) throw new ReadFailure(`ref ${i} outside the table of ${this.refs.length}`, at);
        const v = this.refs[i];
        if (v === null) throw new ReadFailure(`ref ${i} to an object still being read`, at);
        return v;
      }
      case '?':
        throw new ReadFailure("unknown object '?' (an unmarshallable value was written)", at);
      default:
        throw new ReadFailure(`unknown type code 0x${type.charCodeAt(0).toString(16).padStart(2, '0')}`, at);
    }
  }

  private readLong(at: number): PyValue {
    const n = this.i32();
    if (n < -0x1000000 || n > 0x1000000) throw new ReadFailure(`long of ${n} digits is too large`, at);
    const size = Math.abs(n);
    this.need(size * 2, 'long digits');
    let v = 0n;
    for (let i = 0; i < size; i++) {
      const d = this.b[this.pos + 2 * i] | (this.b[this.pos + 2 * i + 1] << 8);
      if (d > 0x7fff) throw new ReadFailure('long digit out of range', this.pos + 2 * i);
      if (i === size - 1 && d === 0) throw new ReadFailure('unnormalized long', this.pos + 2 * i);
      v |= BigInt(d) << BigInt(15 * i);
    }
    this.pos += size * 2;
    const value = n < 0 ? -v : v;
    return this.py2 ? { type: 'int', value, long: true } : { type: 'int', value };
  }

  // --- code objects --------------------------------------------------------------------------------

  private count(what: string): number {
    const at = this.pos;
    const v = this.i32();
    if (v < 0 || v > 0xffffff) throw new ReadFailure(`implausible ${what} ${v}`, at);
    return v;
  }

  private bytesField(what: string): Uint8Array {
    const at = this.pos;
    const v = this.child(what);
    if (v.type !== 'bytes') throw new ReadFailure(`${what} is a ${v.type}, expected bytes`, at);
    return v.value;
  }

  private tupleField(what: string): PyValue[] {
    const at = this.pos;
    const v = this.child(what);
    if (v.type !== 'tuple') throw new ReadFailure(`${what} is a ${v.type}, expected a tuple`, at);
    return v.items;
  }

  private strOf(v: PyValue, what: string, at: number): string {
    if (v.type === 'str') return v.value;
    if (this.py2 && v.type === 'bytes') return decodeBytesLenient(v.value);
    throw new ReadFailure(`${what} is a ${v.type}, expected a string`, at);
  }

  private strField(what: string): string {
    const at = this.pos;
    return this.strOf(this.child(what), what, at);
  }

  private namesField(what: string): string[] {
    const at = this.pos;
    return this.tupleField(what).map((v) => this.strOf(v, what, at));
  }

  private readCode(at: number): CodeObject {
    this.sawCode = true;
    const layout = this.layout;
    const argcount = this.count('co_argcount');
    const posonlyargcount = layout === 'py38' || layout === 'py311' ? this.count('co_posonlyargcount') : 0;
    const kwonlyargcount = layout === 'py2' ? 0 : this.count('co_kwonlyargcount');
    const nlocalsRaw = layout === 'py311' ? -1 : this.count('co_nlocals');
    const stacksize = this.count('co_stacksize');
    const flagsAt = this.pos;
    const flags = this.i32() >>> 0;
    if (flags > 0x7fffffff) throw new ReadFailure(`implausible co_flags 0x${flags.toString(16)}`, flagsAt);
    const code = this.bytesField('co_code');
    const consts = this.tupleField('co_consts');
    const names = this.namesField('co_names');
    let varnames: string[];
    let freevars: string[];
    let cellvars: string[];
    let localsplusnames: string[] | undefined;
    let localspluskinds: Uint8Array | undefined;
    if (layout === 'py311') {
      localsplusnames = this.namesField('co_localsplusnames');
      const kindsAt = this.pos;
      localspluskinds = this.bytesField('co_localspluskinds');
      if (localspluskinds.length !== localsplusnames.length) {
        throw new ReadFailure(
          `co_localspluskinds has ${localspluskinds.length} entries for ${localsplusnames.length} names`,
          kindsAt,
        );
      }
      varnames = [];
      freevars = [];
      cellvars = [];
      for (let i = 0; i < localsplusnames.length; i++) {
        const k = localspluskinds[i];
        if (k & 0x20) varnames.push(localsplusnames[i]);
        if (k & 0x40) cellvars.push(localsplusnames[i]);
        if (k & 0x80) freevars.push(localsplusnames[i]);
      }
    } else {
      varnames = this.namesField('co_varnames');
      freevars = this.namesField('co_freevars');
      cellvars = this.namesField('co_cellvars');
    }
    const filename = this.strField('co_filename');
    const name = this.strField('co_name');
    const qualname = layout === 'py311' ? this.strField('co_qualname') : undefined;
    const firstlineno = this.count('co_firstlineno');
    const linetable = this.bytesField(layout === 'py311' || layout === 'py38' ? 'co_linetable' : 'co_lnotab');
    const exceptiontable = layout === 'py311' ? this.bytesField('co_exceptiontable') : undefined;
    const nlocals = nlocalsRaw >= 0 ? nlocalsRaw : varnames.length;
    if (layout !== 'py311' && varnames.length > nlocals) {
      throw new ReadFailure(`co_nlocals ${nlocals} is less than the ${varnames.length} varnames`, at);
    }
    if (argcount + kwonlyargcount > varnames.length + (layout === 'py311' ? cellvars.length : 0)) {
      throw new ReadFailure(`more arguments (${argcount + kwonlyargcount}) than local names`, at);
    }
    const out: CodeObject = {
      layout,
      argcount,
      posonlyargcount,
      kwonlyargcount,
      nlocals,
      stacksize,
      flags,
      code,
      consts,
      names,
      varnames,
      freevars,
      cellvars,
      filename,
      name,
      firstlineno,
      linetable,
      streamOffset: at,
    };
    if (localsplusnames) out.localsplusnames = localsplusnames;
    if (localspluskinds) out.localspluskinds = localspluskinds;
    if (qualname !== undefined) out.qualname = qualname;
    if (exceptiontable) out.exceptiontable = exceptiontable;
    return out;
  }
}

/** UTF-8 that, like CPython's "surrogatepass", lets encoded lone surrogates through; anything else is an error. */
function decodeUtf8SurrogatePass(raw: Uint8Array, at: number): string {
  const units: number[] = [];
  let s = '';
  for (let i = 0; i < raw.length; ) {
    const c = raw[i];
    let cp: number;
    let n: number;
    if (c < 0x80) {
      cp = c;
      n = 1;
    } else if (c >= 0xc2 && c < 0xe0) {
      cp = c & 0x1f;
      n = 2;
    } else if (c >= 0xe0 && c < 0xf0) {
      cp = c & 0x0f;
      n = 3;
    } else if (c >= 0xf0 && c < 0xf5) {
      cp = c & 0x07;
      n = 4;
    } else {
      throw new ReadFailure(`invalid UTF-8 byte 0x${c.toString(16)} in a string`, at);
    }
    if (i + n > raw.length) throw new ReadFailure('truncated UTF-8 sequence in a string', at);
    for (let j = 1; j < n; j++) {
      const cc = raw[i + j];
      if ((cc & 0xc0) !== 0x80) throw new ReadFailure('invalid UTF-8 continuation in a string', at);
      cp = (cp << 6) | (cc & 0x3f);
    }
    if ((n === 3 && cp < 0x800) || (n === 4 && (cp < 0x10000 || cp > 0x10ffff))) {
      throw new ReadFailure('overlong UTF-8 in a string', at);
    }
    if (cp > 0xffff) {
      cp -= 0x10000;
      units.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
    } else units.push(cp);
    i += n;
    if (units.length > 8192) {
      s += String.fromCharCode(...units);
      units.length = 0;
    }
  }
  return s + String.fromCharCode(...units);
}

/** Py2 byte strings used as names/filenames: UTF-8 when valid, else Latin-1. */
export function decodeBytesLenient(raw: Uint8Array): string {
  try {
    return utf8Fatal.decode(raw);
  } catch {
    let s = '';
    for (let i = 0; i < raw.length; i += 8192) s += String.fromCharCode(...raw.subarray(i, i + 8192));
    return s;
  }
}
