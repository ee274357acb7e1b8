/**
 * Pickle opcode table (protocols 0–5, CPython Lib/pickle.py / pickletools.py) and a decoder that
 * reads one opcode and its inline argument at a time. Reading is all it does: nothing is imported,
 * constructed or called.
 *
 * Errors: `PickleError` (the one typed error of this module) with the byte offset of the opcode.
 */

/** How an opcode's inline argument is laid out. */
export type PickleArgKind =
  | 'none'
  | 'u1'
  | 'u2'
  | 'i4'
  | 'u4'
  | 'u8'
  | 'decimal-line' // INT, LONG, GET, PUT: decimal text up to "\n"
  | 'float-line' // FLOAT
  | 'text-line' // PERSID
  | 'string-line' // STRING: a Python repr-quoted byte string
  | 'unicode-line' // UNICODE: raw-unicode-escape text
  | 'two-lines' // GLOBAL, INST: "module\nname\n"
  | 'bytes-u1' // SHORT_BINSTRING, SHORT_BINBYTES, SHORT_BINUNICODE
  | 'bytes-i4' // BINSTRING (signed length)
  | 'bytes-u4' // BINBYTES, BINUNICODE
  | 'bytes-u8' // BINUNICODE8, BINBYTES8, BYTEARRAY8
  | 'long-u1' // LONG1: length byte + little-endian two's complement
  | 'long-i4'; // LONG4

export interface OpcodeInfo {
  code: number;
  name: string;
  arg: PickleArgKind;
  /** Protocol that introduced it. */
  proto: number;
}

const table: [string, string, PickleArgKind, number][] = [
  ['(', 'MARK', 'none', 0],
  ['.', 'STOP', 'none', 0],
  ['0', 'POP', 'none', 0],
  ['1', 'POP_MARK', 'none', 1],
  ['2', 'DUP', 'none', 0],
  ['F', 'FLOAT', 'float-line', 0],
  ['I', 'INT', 'decimal-line', 0],
  ['J', 'BININT', 'i4', 1],
  ['K', 'BININT1', 'u1', 1],
  ['L', 'LONG', 'decimal-line', 0],
  ['M', 'BININT2', 'u2', 1],
  ['N', 'NONE', 'none', 0],
  ['P', 'PERSID', 'text-line', 0],
  ['Q', 'BINPERSID', 'none', 1],
  ['R', 'REDUCE', 'none', 0],
  ['S', 'STRING', 'string-line', 0],
  ['T', 'BINSTRING', 'bytes-i4', 1],
  ['U', 'SHORT_BINSTRING', 'bytes-u1', 1],
  ['V', 'UNICODE', 'unicode-line', 0],
  ['X', 'BINUNICODE', 'bytes-u4', 1],
  ['a', 'APPEND', 'none', 0],
  ['b', 'BUILD', 'none', 0],
  ['c', 'GLOBAL', 'two-lines', 0],
  ['d', 'DICT', 'none', 0],
  ['}', 'EMPTY_DICT', 'none', 1],
  ['e', 'APPENDS', 'none', 1],
  ['g', 'GET', 'decimal-line', 0],
  ['h', 'BINGET', 'u1', 1],
  ['i', 'INST', 'two-lines', 0],
  ['j', 'LONG_BINGET', 'u4', 1],
  ['l', 'LIST', 'none', 0],
  [']', 'EMPTY_LIST', 'none', 1],
  ['o', 'OBJ', 'none', 1],
  ['p', 'PUT', 'decimal-line', 0],
  ['q', 'BINPUT', 'u1', 1],
  ['r', 'LONG_BINPUT', 'u4', 1],
  ['s', 'SETITEM', 'none', 0],
  ['t', 'TUPLE', 'none', 0],
  [')', 'EMPTY_TUPLE', 'none', 1],
  ['u', 'SETITEMS', 'none', 1],
  ['G', 'BINFLOAT', 'u8', 1],
  ['\x80', 'PROTO', 'u1', 2],
  ['\x81', 'NEWOBJ', 'none', 2],
  ['\x82', 'EXT1', 'u1', 2],
  ['\x83', 'EXT2', 'u2', 2],
  ['\x84', 'EXT4', 'i4', 2],
  ['\x85', 'TUPLE1', 'none', 2],
  ['\x86', 'TUPLE2', 'none', 2],
  ['\x87', 'TUPLE3', 'none', 2],
  ['\x88', 'NEWTRUE', 'none', 2],
  ['\x89', 'NEWFALSE', 'none', 2],
  ['\x8a', 'LONG1', 'long-u1', 2],
  ['\x8b', 'LONG4', 'long-i4', 2],
  ['B', 'BINBYTES', 'bytes-u4', 3],
  ['C', 'SHORT_BINBYTES', 'bytes-u1', 3],
  ['\x8c', 'SHORT_BINUNICODE', 'bytes-u1', 4],
  ['\x8d', 'BINUNICODE8', 'bytes-u8', 4],
  ['\x8e', 'BINBYTES8', 'bytes-u8', 4],
  ['\x8f', 'EMPTY_SET', 'none', 4],
  ['\x90', 'ADDITEMS', 'none', 4],
  ['\x91', 'FROZENSET', 'none', 4],
  ['\x92', 'NEWOBJ_EX', 'none', 4],
  ['\x93', 'STACK_GLOBAL', 'none', 4],
  ['\x94', 'MEMOIZE', 'none', 4],
  ['\x95', 'FRAME', 'u8', 4],
  ['\x96', 'BYTEARRAY8', 'bytes-u8', 5],
  ['\x97', 'NEXT_BUFFER', 'none', 5],
  ['\x98', 'READONLY_BUFFER', 'none', 5],
];

/** Opcode byte → info (undefined = not a pickle opcode). */
export const OPCODES: readonly (OpcodeInfo | undefined)[] = (() => {
  const out: (OpcodeInfo | undefined)[] = new Array(256).fill(undefined);
  for (const [ch, name, arg, proto] of table) out[ch.charCodeAt(0)] = { code: ch.charCodeAt(0), name, arg, proto };
  return out;
})();

export const HIGHEST_PROTOCOL = 5;

export class PickleError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset})`);
    this.name = 'PickleError';
  }
}

export interface DecodeLimits {
  /** Longest text line (GLOBAL/INST/INT/STRING/UNICODE arguments). */
  maxLineBytes: number;
  /** Longest declared string/bytes payload accepted. */
  maxStringBytes: number;
  /** Longest string decoded into `text`; longer payloads are skipped and marked `truncated`. */
  maxDecodedChars: number;
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = {
  maxLineBytes: 1 << 20,
  maxStringBytes: 1 << 30,
  maxDecodedChars: 1 << 16,
};

/** One decoded opcode. Only the argument fields relevant to its kind are set. */
export interface PickleOp {
  info: OpcodeInfo;
  offset: number;
  /** Offset just past the opcode and its argument. */
  end: number;
  /** Integer argument (u1/u2/i4/u4/u8 and decimal lines that fit a safe integer). */
  int?: number;
  /** Text argument (strings, unicode, decimal/float lines, PERSID). */
  text?: string;
  /** Second text line (GLOBAL/INST name). */
  text2?: string;
  /** Byte length of a string/bytes payload. */
  length?: number;
  /** `text` was cut at maxDecodedChars (or not decoded). */
  truncated?: boolean;
}

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8', { fatal: false });

function readLine(bytes: Uint8Array, pos: number, at: number, limits: DecodeLimits): { line: Uint8Array; next: number } {
  const max = Math.min(bytes.length, pos + limits.maxLineBytes + 1);
  for (let i = pos; i < max; i++) {
    if (bytes[i] === 0x0a) return { line: bytes.subarray(pos, i), next: i + 1 };
  }
  if (max === bytes.length) throw new PickleError('line argument runs past the end of the data', at);
  throw new PickleError(`line argument longer than ${limits.maxLineBytes} bytes`, at);
}

function need(bytes: Uint8Array, pos: number, n: number, at: number, what: string): void {
  if (n > bytes.length - pos) throw new PickleError(`${what} runs past the end of the data`, at);
}

function u32(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16)) + b[p + 3] * 0x1000000;
}

/** Decodes the opcode at `pos`. Throws PickleError for unknown opcodes, truncation and limit breaches. */
export function decodeOp(bytes: Uint8Array, pos: number, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): PickleOp {
  const at = pos;
  if (pos >= bytes.length) throw new PickleError('pickle data ended without STOP', at);
  const info = OPCODES[bytes[pos]];
  if (!info) throw new PickleError(`invalid opcode 0x${bytes[pos].toString(16).padStart(2, '0')}`, at);
  pos++;
  const op: PickleOp = { info, offset: at, end: pos };
  switch (info.arg) {
    case 'none':
      break;
    case 'u1':
      need(bytes, pos, 1, at, info.name);
      op.int = bytes[pos];
      pos += 1;
      break;
    case 'u2':
      need(bytes, pos, 2, at, info.name);
      op.int = bytes[pos] | (bytes[pos + 1] << 8);
      pos += 2;
      break;
    case 'i4':
      need(bytes, pos, 4, at, info.name);
      op.int = bytes[pos] | (bytes[pos + 1] << 8) | (bytes[pos + 2] << 16) | (bytes[pos + 3] << 24);
      pos += 4;
      break;
    case 'u4':
      need(bytes, pos, 4, at, info.name);
      op.int = u32(bytes, pos);
      pos += 4;
      break;
    case 'u8': {
      need(bytes, pos, 8, at, info.name);
      const lo = u32(bytes, pos);
      const hi = u32(bytes, pos + 4);
      op.int = hi * 0x100000000 + lo; // may lose precision above 2^53; only used for bounds
      pos += 8;
      break;
    }
    case 'decimal-line':
    case 'float-line':
    case 'text-line': {
      const { line, next } = readLine(bytes, pos, at, limits);
      op.text = latin1.decode(line);
      if (info.arg === 'decimal-line') {
        const t = op.text.trim().replace(/L$/, '');
        if (!/^[-+]?\d+$/.test(t) && !(info.name === 'INT' && (t === '00' || t === '01'))) {
          throw new PickleError(`${info.name} argument is not a decimal integer`, at);
        }
        const n = Number(t);
        if (Number.isSafeInteger(n)) op.int = n;
      }
      pos = next;
      break;
    }
    case 'string-line': {
      const { line, next } = readLine(bytes, pos, at, limits);
      op.text = decodePythonStringRepr(line, at);
      op.length = line.length;
      pos = next;
      break;
    }
    case 'unicode-line': {
      const { line, next } = readLine(bytes, pos, at, limits);
      op.text = decodeRawUnicodeEscape(line);
      op.length = line.length;
      pos = next;
      break;
    }
    case 'two-lines': {
      const first = readLine(bytes, pos, at, limits);
      const second = readLine(bytes, first.next, at, limits);
      // GLOBAL/INST lines are decoded as UTF-8 by Python 3's unpickler.
      op.text = utf8.decode(first.line);
      op.text2 = utf8.decode(second.line);
      pos = second.next;
      break;
    }
    case 'bytes-u1':
    case 'bytes-i4':
    case 'bytes-u4':
    case 'bytes-u8': {
      const width = info.arg === 'bytes-u1' ? 1 : info.arg === 'bytes-u8' ? 8 : 4;
      need(bytes, pos, width, at, `${info.name} length`);
      let len: number;
      if (width === 1) len = bytes[pos];
      else if (width === 8) len = u32(bytes, pos + 4) * 0x100000000 + u32(bytes, pos);
      else if (info.arg === 'bytes-i4') len = bytes[pos] | (bytes[pos + 1] << 8) | (bytes[pos + 2] << 16) | (bytes[pos + 3] << 24);
      else len = u32(bytes, pos);
      pos += width;
      if (len < 0) throw new PickleError(`${info.name} has a negative length`, at);
      if (len > limits.maxStringBytes) throw new PickleError(`${info.name} length ${len} exceeds the ${limits.maxStringBytes}-byte limit`, at);
      need(bytes, pos, len, at, `${info.name} payload of ${len} bytes`);
      op.length = len;
      const isText = info.name.includes('UNICODE') || info.name.includes('STRING');
      if (isText) {
        const cut = Math.min(len, limits.maxDecodedChars);
        const slice = bytes.subarray(pos, pos + cut);
        // BIN(UNI)STRING of protocols 0-2 is decoded by Python 3 as ASCII/latin-1 text by default.
        op.text = info.name.includes('UNICODE') ? utf8.decode(slice) : latin1.decode(slice);
        if (cut < len) op.truncated = true;
      }
      pos += len;
      break;
    }
    case 'long-u1':
    case 'long-i4': {
      const width = info.arg === 'long-u1' ? 1 : 4;
      need(bytes, pos, width, at, `${info.name} length`);
      const len = width === 1 ? bytes[pos] : bytes[pos] | (bytes[pos + 1] << 8) | (bytes[pos + 2] << 16) | (bytes[pos + 3] << 24);
      pos += width;
      if (len < 0) throw new PickleError(`${info.name} has a negative length`, at);
      if (len > limits.maxStringBytes) throw new PickleError(`${info.name} length ${len} exceeds the limit`, at);
      need(bytes, pos, len, at, `${info.name} payload`);
      op.length = len;
      pos += len;
      break;
    }
  }
  op.end = pos;
  return op;
}

/** STRING argument: a Python 2 repr of a byte string, quoted with ' or ". */
function decodePythonStringRepr(line: Uint8Array, at: number): string {
  let text = latin1.decode(line);
  // Python tolerates trailing whitespace? No: but protocol-0 writers end the repr right before "\n".
  if (text.length >= 2 && (text[0] === "'" || text[0] === '"') && text[text.length - 1] === text[0]) {
    text = text.slice(1, -1);
  } else {
    throw new PickleError('STRING argument is not quoted', at);
  }
  return text.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/gs, (_m, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8) & 0xff);
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '\n': '' };
    return simple[e] ?? `\\${e}`;
  });
}

/** UNICODE argument: raw-unicode-escape (\uXXXX, \UXXXXXXXX; other bytes are latin-1). */
function decodeRawUnicodeEscape(line: Uint8Array): string {
  const text = latin1.decode(line);
  return text.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_m, u4: string | undefined, u8: string | undefined) => {
    const cp = parseInt((u4 ?? u8) as string, 16);
    return cp <= 0x10ffff ? String.fromCodePoint(cp) : _m;
  });
}
