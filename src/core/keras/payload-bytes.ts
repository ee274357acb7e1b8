/**
 * Turning config strings back into marshal bytes, the two ways Keras ever wrote them (THREATS.md §A.1–A.2):
 * MIME base64 (Keras ≥ 2.1.2, tf.keras, tf_keras, Keras 3) and `raw_unicode_escape` text (Keras 1.x).
 */

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict base64 (whitespace and missing padding tolerated, nothing else); null when it is not base64. */
export function decodeBase64(text: string): Uint8Array | null {
  const clean = text.replace(/[\r\n\t ]/g, '');
  if (clean.length === 0 || !B64.test(clean) || clean.length % 4 === 1) return null;
  const table = BASE64_INDEX;
  const body = clean.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((body.length * 3) / 4));
  let o = 0;
  for (let i = 0; i < body.length; i += 4) {
    const a = table[body.charCodeAt(i)];
    const b = table[body.charCodeAt(i + 1)];
    const c = i + 2 < body.length ? table[body.charCodeAt(i + 2)] : 0;
    const d = i + 3 < body.length ? table[body.charCodeAt(i + 3)] : 0;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = n >> 16;
    if (i + 2 < body.length) out[o++] = (n >> 8) & 0xff;
    if (i + 3 < body.length) out[o++] = n & 0xff;
  }
  return out.subarray(0, o);
}

const BASE64_INDEX = (() => {
  const t = new Uint8Array(128);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) t[alphabet.charCodeAt(i)] = i;
  return t;
})();

export function encodeBase64(bytes: Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += alphabet[(n >> 18) & 63] + alphabet[(n >> 12) & 63];
    out += i + 1 < bytes.length ? alphabet[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.length ? alphabet[n & 63] : '=';
  }
  return out;
}

/**
 * Inverse of Python's `bytes.decode('raw_unicode_escape')` as Keras 1 used it: characters up to U+00FF are
 * the bytes themselves; anything above was written as a `\uXXXX` / `\UXXXXXXXX` escape by `.encode()`.
 */
export function rawUnicodeEscapeToBytes(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp <= 0xff) out.push(cp);
    else {
      const esc = cp <= 0xffff ? `\\u${cp.toString(16).padStart(4, '0')}` : `\\U${cp.toString(16).padStart(8, '0')}`;
      for (let i = 0; i < esc.length; i++) out.push(esc.charCodeAt(i));
    }
  }
  return Uint8Array.from(out);
}

/** First byte of a marshalled code object: 'c' (Python 2, ≤ 3.3) or 'c' | FLAG_REF (3.4+). */
export function startsLikeCode(bytes: Uint8Array): boolean {
  return bytes.length >= 16 && (bytes[0] === 0xe3 || bytes[0] === 0x63);
}

export interface PayloadCandidate {
  bytes: Uint8Array;
  encoding: 'base64' | 'raw_unicode_escape';
}

/**
 * Base64 as the loaders decode it: `codecs.decode(code.encode('ascii'), 'base64')` in Keras's `func_load`,
 * i.e. `binascii.a2b_base64` without strict mode (CPython 2.7–3.14 alike): every character outside the
 * alphabet is skipped, a complete padding ends the data, a dangling partial group is an error. Null where
 * Python raises (non-ASCII text, bad length or padding); the loader then falls back to raw_unicode_escape.
 * So `4wEA@AAA…` or `!!4wEAAAA…` load as code: junk characters must not hide a payload from us.
 */
export function decodeBase64AsPython(text: string): Uint8Array | null {
  const out = new Uint8Array(Math.floor((text.length * 3) / 4) + 3);
  let o = 0;
  let quad = 0;
  let left = 0;
  let pads = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch > 0x7f) return null; // UnicodeEncodeError in code.encode('ascii')
    if (ch === 0x3d) {
      // '=': ends the data once the group is complete; ignored earlier in a group
      if (quad >= 2 && quad + ++pads >= 4) return out.subarray(0, o);
      continue;
    }
    const v = BASE64_VALUE[ch];
    if (v < 0) continue;
    pads = 0;
    if (quad === 0) left = v;
    else if (quad === 1) {
      out[o++] = (left << 2) | (v >> 4);
      left = v & 0x0f;
    } else if (quad === 2) {
      out[o++] = (left << 4) | (v >> 2);
      left = v & 0x03;
    } else out[o++] = (left << 6) | v;
    quad = (quad + 1) % 4;
  }
  return quad === 0 ? out.subarray(0, o) : null;
}

const BASE64_VALUE = (() => {
  const t = new Int8Array(128).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) t[alphabet.charCodeAt(i)] = i;
  return t;
})();

/**
 * Base64 a loader would accept: Python's decoding first; failing that, strict base64 with missing padding
 * tolerated, which other readers accept (fail closed: show the code rather than drop it).
 */
export function decodeBase64Loosely(text: string): Uint8Array | null {
  return decodeBase64AsPython(text) ?? decodeBase64(text);
}

/** The first byte base64 text decodes to, as Python would (junk and early '=' skipped), without decoding it all. */
function firstBase64Byte(text: string): number | null {
  let first = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch > 0x7f) return null;
    const v = BASE64_VALUE[ch];
    if (v < 0) continue;
    if (first < 0) first = v;
    else return (first << 2) | (v >> 4);
  }
  return null;
}

/**
 * Cheap screen of a config string: could it hold marshal code? The caller confirms by parsing the marshal
 * stream, so this only needs to be fast and never miss a real payload a loader would run.
 */
export function payloadCandidate(text: string): PayloadCandidate | null {
  if (text.length < 16) return null;
  const lead = firstBase64Byte(text);
  if (lead === 0xe3 || lead === 0x63) {
    const bytes = decodeBase64Loosely(text);
    if (bytes && startsLikeCode(bytes)) return { bytes, encoding: 'base64' };
  }
  const c0 = text.charCodeAt(0);
  // raw_unicode_escape: 0xE3 then a little-endian int32 argcount (small); Python 2: 'c' then the same.
  if ((c0 === 0xe3 || c0 === 0x63) && text.charCodeAt(3) === 0 && text.charCodeAt(4) === 0) {
    const bytes = rawUnicodeEscapeToBytes(text);
    if (startsLikeCode(bytes)) return { bytes, encoding: 'raw_unicode_escape' };
  }
  return null;
}
