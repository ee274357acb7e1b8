/**
 * CPython's repr() of marshal values, per major version (Python 2 spells str/unicode/long/set differently).
 * Used by the disassembler (argrepr of constants), the code summary and the decompiler.
 */
import type { CodeObject, PyValue } from './objects';

export interface ReprOptions {
  /** What replaces a code object's memory address; the goldens use "0xADDR". */
  address?: string;
}

export const DEFAULT_CODE_ADDRESS = '0xADDR';

/** True for "2.x" version strings. */
export function isPy2(version: string): boolean {
  return version.startsWith('2');
}

export function reprPyValue(v: PyValue, version: string, options: ReprOptions = {}): string {
  const py2 = isPy2(version);
  const r = (x: PyValue): string => reprPyValue(x, version, options);
  switch (v.type) {
    case 'none':
      return 'None';
    case 'bool':
      return v.value ? 'True' : 'False';
    case 'ellipsis':
      return 'Ellipsis';
    case 'stopiteration':
      return py2 ? "<type 'exceptions.StopIteration'>" : "<class 'StopIteration'>";
    case 'int':
      return v.value.toString() + (py2 && v.long ? 'L' : '');
    case 'float':
      return reprFloat(v.value);
    case 'complex':
      return reprComplex(v.real, v.imag);
    case 'str':
      return py2 ? 'u' + reprPy2Unicode(v.value) : reprStr(v.value);
    case 'bytes':
      return (py2 ? '' : 'b') + reprBytes(v.value);
    case 'tuple':
      if (v.items.length === 1) return `(${r(v.items[0])},)`;
      return `(${v.items.map(r).join(', ')})`;
    case 'list':
      return `[${v.items.map(r).join(', ')}]`;
    case 'dict': {
      const body = `{${v.entries.map(([k, x]) => `${r(k)}: ${r(x)}`).join(', ')}}`;
      return v.frozen ? `frozendict(${body})` : body;
    }
    case 'set':
      if (v.items.length === 0) return 'set()';
      return py2 ? `set([${v.items.map(r).join(', ')}])` : `{${v.items.map(r).join(', ')}}`;
    case 'frozenset':
      if (v.items.length === 0) return 'frozenset()';
      return py2 ? `frozenset([${v.items.map(r).join(', ')}])` : `frozenset({${v.items.map(r).join(', ')}})`;
    case 'slice':
      return `slice(${r(v.start)}, ${r(v.stop)}, ${r(v.step)})`;
    case 'code':
      return reprCode(v.code, options);
  }
}

export function reprCode(code: CodeObject, options: ReprOptions = {}): string {
  const addr = options.address ?? DEFAULT_CODE_ADDRESS;
  return `<code object ${code.name} at ${addr}, file "${code.filename}", line ${code.firstlineno}>`;
}

/** repr(float): shortest round-trip digits, exponent form outside 1e-4 <= |x| < 1e16 (float_repr_style 'short'). */
export function reprFloat(x: number): string {
  return formatFloatR(x, true);
}

/** format(x, 'r') with or without Py_DTSF_ADD_DOT_0. */
function formatFloatR(x: number, addDot0: boolean): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return (Object.is(x, -0) ? '-0' : '0') + (addDot0 ? '.0' : '');
  const sign = x < 0 ? '-' : '';
  // toExponential() without an argument gives the shortest digits that round-trip, like David Gay's mode 0.
  const [mant, expStr] = Math.abs(x).toExponential().split('e');
  const digits = mant.replace('.', '');
  const exp = Number(expStr);
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp).toString().padStart(2, '0');
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e}`;
  }
  let s: string;
  if (exp < 0) s = '0.' + '0'.repeat(-exp - 1) + digits;
  else if (digits.length <= exp + 1) s = digits + '0'.repeat(exp + 1 - digits.length) + (addDot0 ? '.0' : '');
  else s = digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
  return sign + s;
}

export function reprComplex(real: number, imag: number): string {
  if (real === 0 && !Object.is(real, -0)) return formatFloatR(imag, false) + 'j';
  const re = formatFloatR(real, false);
  let im = formatFloatR(imag, false);
  if (!im.startsWith('-')) im = '+' + im;
  return `(${re}${im}j)`;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** bytes repr body (with quotes, without the b prefix); also Python 2 str. */
export function reprBytes(b: Uint8Array): string {
  let hasSingle = false;
  let hasDouble = false;
  for (const c of b) {
    if (c === 0x27) hasSingle = true;
    else if (c === 0x22) hasDouble = true;
  }
  const q = hasSingle && !hasDouble ? '"' : "'";
  let out = q;
  for (const c of b) {
    if (c === q.charCodeAt(0) || c === 0x5c) out += '\\' + String.fromCharCode(c);
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c < 0x20 || c >= 0x7f) out += '\\x' + hex(c, 2);
    else out += String.fromCharCode(c);
  }
  return out + q;
}

// Python's str.isprintable(): not in Cc, Cf, Cs, Co, Cn, Zl, Zp, Zs (space excepted).
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/** Python 3 str repr. */
export function reprStr(s: string): string {
  const hasSingle = s.includes("'");
  const hasDouble = s.includes('"');
  const q = hasSingle && !hasDouble ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === q || ch === '\\') out += '\\' + ch;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + hex(cp, 2);
    else if (cp < 0x7f) out += ch;
    else if (ch !== ' ' && (NON_PRINTABLE.test(ch) || (cp >= 0xd800 && cp <= 0xdfff))) {
      if (cp <= 0xff) out += '\\x' + hex(cp, 2);
      else if (cp <= 0xffff) out += '\\u' + hex(cp, 4);
      else out += '\\U' + hex(cp, 8);
    } else out += ch;
  }
  return out + q;
}

/** Python 2 unicode repr body (the caller adds the u prefix): every non-ASCII character escaped. */
export function reprPy2Unicode(s: string): string {
  const hasSingle = s.includes("'");
  const hasDouble = s.includes('"');
  const q = hasSingle && !hasDouble ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === q || ch === '\\') out += '\\' + ch;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + hex(cp, 2);
    else if (cp < 0x7f) out += ch;
    else if (cp <= 0xff) out += '\\x' + hex(cp, 2);
    else if (cp <= 0xffff) out += '\\u' + hex(cp, 4);
    else out += '\\U' + hex(cp, 8);
  }
  return out + q;
}
