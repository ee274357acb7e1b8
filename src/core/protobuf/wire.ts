/**
 * A tiny protobuf wire-format reader (no schema, no code generation, nothing executed).
 *
 * Everything a SavedModel / keras_metadata.pb reader needs: varints (incl. 64-bit), fixed32/64,
 * length-delimited fields, nested messages with a depth bound, and a field budget shared by a
 * reader and all its sub-readers so a hostile file cannot make us loop for long.
 * Groups (wire types 3/4, deprecated since proto2) are skipped with the same depth bound.
 *
 * Errors: every failure throws `ProtobufError` with the absolute byte offset of the problem.
 * That is the one typed error this module lets out; the message-level readers above it
 * (formats/savedmodel/*) catch it and return error records.
 */

export type WireType = 0 | 1 | 2 | 3 | 4 | 5;

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_START_GROUP = 3;
export const WIRE_END_GROUP = 4;
export const WIRE_FIXED32 = 5;

export type ProtobufErrorCode =
  | 'truncated'
  | 'varint-too-long'
  | 'bad-wire-type'
  | 'bad-field-number'
  | 'depth-limit'
  | 'field-limit'
  | 'group-mismatch'
  | 'value-too-large';

/** The only error this module throws. `offset` is absolute (from the start of the outermost buffer). */
export class ProtobufError extends Error {
  constructor(
    readonly code: ProtobufErrorCode,
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset})`);
    this.name = 'ProtobufError';
  }
}

export interface WireLimits {
  /** Maximum nesting of sub-messages / groups below the outermost reader. */
  maxDepth: number;
  /** Maximum number of field tags read by a reader and all its sub-readers together. */
  maxFields: number;
}

export const DEFAULT_WIRE_LIMITS: WireLimits = { maxDepth: 64, maxFields: 20_000_000 };

export interface Tag {
  field: number;
  wireType: WireType;
  /** Absolute offset of the tag's first byte. */
  offset: number;
}

/** Shared between a reader and its sub-readers. */
interface Budget {
  fieldsLeft: number;
  readonly limits: WireLimits;
  /** Clamp over-long sub-messages to the available bytes instead of failing (for partial results). */
  readonly lenient: boolean;
  /** Offset of the first clamped message length (lenient mode only). */
  truncatedAt?: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

export class WireReader {
  private pos: number;
  private readonly end: number;
  private readonly budget: Budget;

  /**
   * @param buf    the whole buffer (offsets in errors are relative to it, plus `base`)
   * @param start  first byte of this message inside `buf`
   * @param end    one past the last byte of this message
   * @param depth  nesting depth (0 for the outermost message)
   * @param base   added to offsets in errors, for buffers that are a slice of a larger file
   */
  constructor(
    private readonly buf: Uint8Array,
    options: { start?: number; end?: number; depth?: number; base?: number; limits?: Partial<WireLimits>; lenient?: boolean } = {},
    budget?: Budget,
  ) {
    this.pos = options.start ?? 0;
    this.end = options.end ?? buf.length;
    this.depth = options.depth ?? 0;
    this.base = options.base ?? 0;
    if (this.pos < 0 || this.end > buf.length || this.pos > this.end) {
      throw new ProtobufError('truncated', 'message bounds outside the buffer', this.base + Math.max(0, this.pos));
    }
    this.budget = budget ?? {
      fieldsLeft: options.limits?.maxFields ?? DEFAULT_WIRE_LIMITS.maxFields,
      limits: { ...DEFAULT_WIRE_LIMITS, ...options.limits },
      lenient: options.lenient ?? false,
    };
  }

  readonly depth: number;
  readonly base: number;

  /** Absolute offset of the next byte to read. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Lenient mode: offset of the first message length that ran past the data. */
  get truncatedAt(): number | undefined {
    return this.budget.truncatedAt;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Reads the next tag, or null at the end of this message. */
  readTag(): Tag | null {
    if (this.pos >= this.end) return null;
    const offset = this.offset;
    if (--this.budget.fieldsLeft < 0) {
      throw new ProtobufError('field-limit', `more than ${this.budget.limits.maxFields} fields`, offset);
    }
    const key = this.readVarintNumber();
    const wireType = key % 8;
    const field = Math.floor(key / 8);
    if (wireType > 5) throw new ProtobufError('bad-wire-type', `invalid wire type ${wireType}`, offset);
    if (field < 1 || field > 0x1fffffff) {
      throw new ProtobufError('bad-field-number', `invalid field number ${field}`, offset);
    }
    return { field, wireType: wireType as WireType, offset };
  }

  /** Unsigned 64-bit varint (at most 10 bytes). */
  readVarint(): bigint {
    const start = this.offset;
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufError('truncated', 'varint runs past the end of the message', start);
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw new ProtobufError('varint-too-long', 'varint longer than 10 bytes', start);
  }

  /** A varint as a JS number; fails when it does not fit in 2^53 (lengths, counts, ids). */
  readVarintNumber(): number {
    const start = this.offset;
    // Small varints are by far the most common; decode them without BigInt.
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 7; i++) {
      if (this.pos >= this.end) throw new ProtobufError('truncated', 'varint runs past the end of the message', start);
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
    this.pos = start - this.base;
    const big = this.readVarint();
    if (big > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ProtobufError('value-too-large', `varint ${big} does not fit a safe integer`, start);
    }
    return Number(big);
  }

  /** int32/int64 field value (two's complement of the 64-bit varint). */
  readInt64(): bigint {
    return BigInt.asIntN(64, this.readVarint());
  }

  /** int32 semantics: negative values are sign-extended to 10 bytes on the wire. */
  readInt32(): number {
    return Number(BigInt.asIntN(32, this.readVarint()));
  }

  readSint64(): bigint {
    const v = this.readVarint();
    return (v >> 1n) ^ -(v & 1n);
  }

  readBool(): boolean {
    return this.readVarint() !== 0n;
  }

  readFixed32(): number {
    const b = this.take(4);
    return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
  }

  readFixed64(): bigint {
    const lo = BigInt(this.readFixed32());
    const hi = BigInt(this.readFixed32());
    return (hi << 32n) | lo;
  }

  readFloat(): number {
    const b = this.take(4);
    return new DataView(b.buffer, b.byteOffset, 4).getFloat32(0, true);
  }

  readDouble(): number {
    const b = this.take(8);
    return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true);
  }

  /** Length-delimited payload as a view into the buffer (no copy). */
  readBytes(): Uint8Array {
    const start = this.offset;
    const len = this.readVarintNumber();
    if (len > this.end - this.pos) {
      throw new ProtobufError('truncated', `length ${len} runs past the end of the message`, start);
    }
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  /** Length-delimited payload decoded as UTF-8 (invalid sequences become U+FFFD). */
  readString(): string {
    return utf8.decode(this.readBytes());
  }

  /** Absolute offset and length of the next length-delimited payload, then skips it. */
  readBytesSpan(): { offset: number; length: number; bytes: Uint8Array } {
    const header = this.offset;
    const len = this.readVarintNumber();
    if (len > this.end - this.pos) {
      throw new ProtobufError('truncated', `length ${len} runs past the end of the message`, header);
    }
    const offset = this.offset;
    const bytes = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return { offset, length: len, bytes };
  }

  /**
   * A reader over the next length-delimited field, one level deeper, sharing the field budget.
   * In lenient mode a length that runs past the data is clamped (and remembered in `truncatedAt`),
   * so callers can keep what precedes the cut; strings and bytes stay strict.
   */
  readMessage(): WireReader {
    const at = this.offset;
    if (this.depth + 1 > this.budget.limits.maxDepth) {
      throw new ProtobufError('depth-limit', `messages nested deeper than ${this.budget.limits.maxDepth}`, at);
    }
    let len = this.readVarintNumber();
    if (len > this.end - this.pos) {
      if (!this.budget.lenient) throw new ProtobufError('truncated', `length ${len} runs past the end of the message`, at);
      this.budget.truncatedAt ??= at;
      len = this.end - this.pos;
    }
    const sub = new WireReader(
      this.buf,
      { start: this.pos, end: this.pos + len, depth: this.depth + 1, base: this.base },
      this.budget,
    );
    this.pos += len;
    return sub;
  }

  /** Packed repeated varints (or a single unpacked one, as parsers must accept both). */
  readPackedVarints(wireType: WireType): bigint[] {
    if (wireType === WIRE_VARINT) return [this.readVarint()];
    if (wireType !== WIRE_LEN) throw new ProtobufError('bad-wire-type', `expected packed varints, got wire type ${wireType}`, this.offset);
    const sub = this.readMessage();
    const out: bigint[] = [];
    while (!sub.done) {
      if (--this.budget.fieldsLeft < 0) {
        throw new ProtobufError('field-limit', `more than ${this.budget.limits.maxFields} fields`, sub.offset);
      }
      out.push(sub.readVarint());
    }
    return out;
  }

  /** Packed repeated fixed32 floats (or one unpacked). */
  readPackedFloats(wireType: WireType): number[] {
    if (wireType === WIRE_FIXED32) return [this.readFloat()];
    if (wireType !== WIRE_LEN) throw new ProtobufError('bad-wire-type', `expected packed floats, got wire type ${wireType}`, this.offset);
    const sub = this.readMessage();
    const out: number[] = [];
    while (!sub.done) {
      if (--this.budget.fieldsLeft < 0) {
        throw new ProtobufError('field-limit', `more than ${this.budget.limits.maxFields} fields`, sub.offset);
      }
      out.push(sub.readFloat());
    }
    return out;
  }

  /** Skips the value of a field whose tag was just read. Groups are skipped up to the depth limit. */
  skip(tag: Tag): void {
    switch (tag.wireType) {
      case WIRE_VARINT:
        this.readVarint();
        return;
      case WIRE_FIXED64:
        this.take(8);
        return;
      case WIRE_LEN:
        this.readBytes();
        return;
      case WIRE_FIXED32:
        this.take(4);
        return;
      case WIRE_START_GROUP:
        this.skipGroup(tag);
        return;
      case WIRE_END_GROUP:
        throw new ProtobufError('group-mismatch', `end-group for field ${tag.field} without a start`, tag.offset);
    }
  }

  /** Reads one field value of any wire type as a generic value (for dumps and tests). */
  readAny(tag: Tag): bigint | Uint8Array | number {
    switch (tag.wireType) {
      case WIRE_VARINT:
        return this.readVarint();
      case WIRE_FIXED64:
        return this.readFixed64();
      case WIRE_LEN:
        return this.readBytes();
      case WIRE_FIXED32:
        return this.readFixed32();
      default:
        this.skip(tag);
        return new Uint8Array(0);
    }
  }

  private skipGroup(start: Tag): void {
    // Iterative with an explicit stack of open group numbers so depth is bounded without recursion.
    const open: number[] = [start.field];
    while (open.length > 0) {
      if (this.depth + open.length > this.budget.limits.maxDepth) {
        throw new ProtobufError('depth-limit', `groups nested deeper than ${this.budget.limits.maxDepth}`, start.offset);
      }
      const tag = this.readTag();
      if (!tag) throw new ProtobufError('truncated', `group for field ${open[open.length - 1]} not closed`, this.offset);
      if (tag.wireType === WIRE_START_GROUP) {
        open.push(tag.field);
      } else if (tag.wireType === WIRE_END_GROUP) {
        const expected = open.pop();
        if (expected !== tag.field) {
          throw new ProtobufError('group-mismatch', `end-group ${tag.field} closes group ${expected}`, tag.offset);
        }
      } else {
        this.skip(tag);
      }
    }
  }

  private take(n: number): Uint8Array {
    if (n > this.end - this.pos) throw new ProtobufError('truncated', `needs ${n} bytes, message ends`, this.offset);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

/** Convenience: a reader over a whole buffer. */
export function wireReader(bytes: Uint8Array, limits?: Partial<WireLimits>, lenient = false): WireReader {
  return new WireReader(bytes, { limits, lenient });
}

/** A `{ message, offset }` record for any error caught at a format boundary. */
export interface ParseErrorInfo {
  message: string;
  offset?: number;
  code?: string;
}

export function toErrorInfo(err: unknown): ParseErrorInfo {
  if (err instanceof ProtobufError) return { message: err.message, offset: err.offset, code: err.code };
  if (err instanceof RangeError) return { message: `resource limit: ${err.message}`, code: 'range' };
  if (err instanceof Error) return { message: err.message };
  return { message: String(err) };
}
