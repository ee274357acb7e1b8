/**
 * NumPy .npy header reader (numpy/lib/format.py layout): magic "\x93NUMPY", major/minor version,
 * header length (u16 for v1, u32 for v2/v3), then a Python dict literal with 'descr', 'fortran_order'
 * and 'shape', read by a tiny literal parser (never eval).
 *
 * Reports whether the dtype holds Python objects (then the data is a pickle: R-NPZ-PICKLE, handed to
 * the pickle scanner) and the declared data size for the bomb check (R-BOMBS).
 * Never throws: problems end in `error` with a byte offset.
 */
import { type PickleScan, type PickleScanOptions, scanPickle } from '../pickle/scan';

export const NPY_MAGIC = Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59);

/** Parsed literal: tuples become arrays (marked), dicts become null-prototype records. */
export type PyLiteral = string | number | boolean | null | PyLiteral[] | { [key: string]: PyLiteral };

export interface NpyInfo {
  version?: { major: number; minor: number };
  /** Header text length in bytes. */
  headerLength?: number;
  /** Offset of the array data (after magic, version, length and header). */
  dataOffset?: number;
  headerText?: string;
  descr?: PyLiteral;
  fortranOrder?: boolean;
  shape?: number[];
  /** 'O' appears as a field type anywhere in descr (incl. structured dtypes): the data is a pickle. */
  objectDtype: boolean;
  /** Bytes per element, when every typestr in descr is understood. */
  itemsize?: number;
  elementCount?: number;
  /** elementCount × itemsize (a float: may exceed 2^53 for hostile headers). */
  declaredDataBytes?: number;
  /** Bytes actually present after the header. */
  availableDataBytes?: number;
  /** For object dtypes: the scan of the pickle after the header (offsets relative to dataOffset). */
  pickle?: PickleScan;
  error?: { message: string; offset: number };
}

export interface NpyOptions {
  /** Largest header accepted (numpy itself defaults to 10 000 bytes for untrusted loads). */
  maxHeaderBytes?: number;
  maxLiteralDepth?: number;
  /** Scan the pickle of object arrays (default true). */
  scanObjectPickle?: boolean;
  pickle?: PickleScanOptions;
}

export function isNpy(bytes: Uint8Array): boolean {
  if (bytes.length < NPY_MAGIC.length) return false;
  return NPY_MAGIC.every((b, i) => bytes[i] === b);
}

class LiteralError extends Error {
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(message);
  }
}

export function parseNpy(bytes: Uint8Array, options: NpyOptions = {}): NpyInfo {
  const info: NpyInfo = { objectDtype: false };
  const maxHeader = options.maxHeaderBytes ?? 1 << 20;
  if (!isNpy(bytes)) return { ...info, error: { message: 'not a .npy file (magic \\x93NUMPY missing)', offset: 0 } };
  if (bytes.length < 10) return { ...info, error: { message: 'truncated .npy preamble', offset: bytes.length } };
  const major = bytes[6];
  const minor = bytes[7];
  info.version = { major, minor };
  let headerLength: number;
  let start: number;
  if (major === 1) {
    headerLength = bytes[8] | (bytes[9] << 8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) return { ...info, error: { message: 'truncated .npy preamble', offset: bytes.length } };
    headerLength = (bytes[8] | (bytes[9] << 8) | (bytes[10] << 16)) + bytes[11] * 0x1000000;
    start = 12;
  } else {
    return { ...info, error: { message: `unsupported .npy version ${major}.${minor}`, offset: 6 } };
  }
  info.headerLength = headerLength;
  if (headerLength > maxHeader) return { ...info, error: { message: `header of ${headerLength} bytes exceeds the ${maxHeader}-byte limit`, offset: 8 } };
  if (start + headerLength > bytes.length) {
    return { ...info, error: { message: `header of ${headerLength} bytes runs past the end of the file`, offset: start } };
  }
  info.dataOffset = start + headerLength;
  const raw = bytes.subarray(start, start + headerLength);
  // v1/v2 headers are latin-1, v3 UTF-8.
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(raw);
  info.headerText = text;

  let dict: PyLiteral;
  try {
    dict = parseLiteral(text, options.maxLiteralDepth ?? 32);
  } catch (err) {
    const pos = err instanceof LiteralError ? err.pos : 0;
    return { ...info, error: { message: `bad header literal: ${err instanceof Error ? err.message : String(err)}`, offset: start + pos } };
  }
  if (dict === null || typeof dict !== 'object' || Array.isArray(dict)) {
    return { ...info, error: { message: 'header is not a dict', offset: start } };
  }
  const descr = dict.descr;
  const fortran = dict.fortran_order;
  const shape = dict.shape;
  if (descr === undefined || fortran === undefined || shape === undefined) {
    return { ...info, error: { message: "header lacks one of 'descr', 'fortran_order', 'shape'", offset: start } };
  }
  info.descr = descr;
  if (typeof fortran !== 'boolean') return { ...info, error: { message: "'fortran_order' is not a bool", offset: start } };
  info.fortranOrder = fortran;
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)) {
    return { ...info, error: { message: "'shape' is not a tuple of non-negative ints", offset: start } };
  }
  info.shape = shape as number[];
  info.elementCount = info.shape.reduce((a, b) => a * b, 1);
  info.availableDataBytes = bytes.length - info.dataOffset;

  const dt = describeDtype(descr, 0);
  info.objectDtype = dt.object;
  if (dt.itemsize !== undefined) {
    info.itemsize = dt.itemsize;
    info.declaredDataBytes = info.elementCount * dt.itemsize;
  }
  if (dt.error) return { ...info, error: { message: dt.error, offset: start } };

  if (info.objectDtype && options.scanObjectPickle !== false) {
    info.pickle = scanPickle(bytes.subarray(info.dataOffset), options.pickle);
  }
  return info;
}

// ---------------------------------------------------------------- dtype

interface DtypeFacts {
  object: boolean;
  itemsize?: number;
  error?: string;
}

const KIND_SIZES: Record<string, number | undefined> = { b: 1, '?': 1, O: 8 };

/** itemsize of a numpy typestr ("<f4", "|O", "<U10", "|S5", "<M8[ns]", "V8"); undefined if not understood. */
export function typestrItemsize(typestr: string): { object: boolean; itemsize?: number } {
  const m = /^([<>|=]?)([a-zA-Z?])(\d*)(\[[a-zA-Z0-9]+\])?$/.exec(typestr);
  if (!m) return { object: typestr.includes('O') };
  const kind = m[2];
  const n = m[3] === '' ? undefined : Number(m[3]);
  if (kind === 'O') return { object: true, itemsize: 8 };
  if (kind === 'U') return { object: false, itemsize: (n ?? 0) * 4 };
  if ('biufcSaVMm'.includes(kind) && n !== undefined) return { object: false, itemsize: n };
  const fixed = KIND_SIZES[kind];
  return { object: false, itemsize: fixed };
}

function describeDtype(descr: PyLiteral, depth: number): DtypeFacts {
  if (depth > 16) return { object: false, error: 'descr nested too deeply' };
  if (typeof descr === 'string') {
    const t = typestrItemsize(descr);
    return t.itemsize === undefined ? { object: t.object, error: `unknown typestr ${JSON.stringify(descr)}` } : t;
  }
  if (Array.isArray(descr)) {
    // Structured: [(name, typestr_or_descr[, shape]), ...]
    let object = false;
    let size: number | undefined = 0;
    let error: string | undefined;
    for (const field of descr) {
      if (!Array.isArray(field) || field.length < 2) {
        error ??= 'structured descr field is not a (name, type[, shape]) tuple';
        continue;
      }
      const sub = describeDtype(field[1], depth + 1);
      object ||= sub.object;
      error ??= sub.error;
      let count = 1;
      if (field.length > 2) {
        const s = field[2];
        if (typeof s === 'number') count = s;
        else if (Array.isArray(s) && s.every((d) => typeof d === 'number')) count = (s as number[]).reduce((a, b) => a * b, 1);
      }
      size = size === undefined || sub.itemsize === undefined ? undefined : size + sub.itemsize * count;
    }
    return error ? { object, itemsize: size, error } : { object, itemsize: size };
  }
  return { object: false, error: 'descr is neither a typestr nor a list of fields' };
}

// ---------------------------------------------------------------- Python literal subset

/** Parses a Python literal (dict/list/tuple/str/int/float/True/False/None). Throws LiteralError. */
function parseLiteral(text: string, maxDepth: number): PyLiteral {
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const fail = (msg: string): never => {
    throw new LiteralError(`${msg} at header char ${i}`, i);
  };
  const value = (depth: number): PyLiteral => {
    if (depth > maxDepth) fail('literal nested too deeply');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const out = Object.create(null) as { [key: string]: PyLiteral };
      for (;;) {
        ws();
        if (text[i] === '}') {
          i++;
          return out;
        }
        const k = value(depth + 1);
        if (typeof k !== 'string') fail('dict key is not a string');
        ws();
        if (text[i] !== ':') fail("expected ':'");
        i++;
        out[k as string] = value(depth + 1);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== '}') fail("expected ',' or '}'");
      }
    }
    if (c === '[' || c === '(') {
      const close = c === '[' ? ']' : ')';
      i++;
      const out: PyLiteral[] = [];
      for (;;) {
        ws();
        if (text[i] === close) {
          i++;
          return out;
        }
        out.push(value(depth + 1));
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== close) fail(`expected ',' or '${close}'`);
      }
    }
    if (c === "'" || c === '"') return str();
    const m = /^(?:[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?L?|True|False|None)/.exec(text.slice(i, i + 64));
    if (!m) return fail('unexpected character');
    i += m[0].length;
    if (m[0] === 'True') return true;
    if (m[0] === 'False') return false;
    if (m[0] === 'None') return null;
    return Number(m[0].replace(/L$/, ''));
  };
  const str = (): string => {
    const q = text[i++];
    let out = '';
    while (i < text.length && text[i] !== q) {
      if (text[i] === '\\') {
        const e = text[i + 1];
        const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };
        if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 4), 16));
          i += 4;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else {
          out += simple[e] ?? `\\${e ?? ''}`;
          i += 2;
        }
      } else out += text[i++];
    }
    if (i >= text.length) fail('unterminated string');
    i++;
    return out;
  };
  const v = value(0);
  ws();
  if (i < text.length) fail('trailing characters after the literal');
  return v;
}
