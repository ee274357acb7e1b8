/**
 * Sharing a report without uploading it: the report travels in the URL fragment (never sent to a server),
 * as `#report=<base64url(deflate-raw(JSON))>`. Reports over the size budget are trimmed in steps, each named
 * in `shared.stripped`. Decoding treats the fragment as hostile: size limit before inflating, an inflate
 * output limit (deflate bombs), JSON limits, then a structural check of the report.
 */
import { parseJson } from '../json/parse';
import type { FileReport } from '../report';
import { assertFileReport } from './report-validate';

/** Default budget for the fragment text (characters after `#`). Browsers and chat tools cope with this. */
export const SHARE_FRAGMENT_BUDGET = 32 * 1024;

export interface DecodeLimits {
  /** Longest accepted `report=` value (base64url characters), checked before anything is decoded. */
  maxEncodedChars: number;
  /** Most bytes inflate may produce before it is stopped. */
  maxInflatedBytes: number;
  maxDepth: number;
  maxNodes: number;
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = {
  maxEncodedChars: 512 * 1024,
  maxInflatedBytes: 8 * 1024 * 1024,
  maxDepth: 64,
  maxNodes: 500_000,
};

/** What was removed to fit the budget, in the order it was removed. */
export type StripStep =
  | 'layers'
  | 'members'
  | 'disassembly'
  | 'payload-base64'
  | 'strings>2000'
  | 'strings>400'
  | 'strings>120'
  | 'code-details'
  | `findings>${number}`;

/** A report as it came out of a link: `shared.stripped` says what the sender's link left out. */
export interface SharedReport extends FileReport {
  shared?: { stripped: StripStep[] };
}

export interface ShareEncodeOptions {
  budget?: number;
  /** Leave the config-derived layer list out even when it fits (the sender's choice). */
  dropLayers?: boolean;
  /** Also open this layer on arrival (`&layer=`). */
  layer?: string;
}

export interface ShareLink {
  /** `#report=…` (plus `&layer=…`), ready to append to the page URL. */
  fragment: string;
  stripped: StripStep[];
  /** True when even the last step did not reach the budget (the fragment is still valid, only long). */
  overBudget: boolean;
}

export type ShareDecodeResult = { ok: true; report: SharedReport; layer?: string } | { ok: false; error: string };

// ---------- base64url ----------

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const INDEX = (() => {
  const t = new Int16Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) t[ALPHABET.charCodeAt(i)] = i;
  return t;
})();

export function base64UrlEncode(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    chunk += ALPHABET[(n >> 18) & 63] + ALPHABET[(n >> 12) & 63];
    if (i + 1 < bytes.length) chunk += ALPHABET[(n >> 6) & 63];
    if (i + 2 < bytes.length) chunk += ALPHABET[n & 63];
    if (chunk.length >= 8192) {
      parts.push(chunk);
      chunk = '';
    }
  }
  parts.push(chunk);
  return parts.join('');
}

/** Strict: only the URL alphabet, no padding, no length ≡ 1 (mod 4). Null otherwise. */
export function base64UrlDecode(text: string): Uint8Array | null {
  if (text.length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    const count = Math.min(4, text.length - i);
    for (let j = 0; j < 4; j++) {
      let v = 0;
      if (j < count) {
        const c = text.charCodeAt(i + j);
        v = c < 128 ? INDEX[c] : -1;
        if (v < 0) return null;
      }
      n = (n << 6) | v;
    }
    out[o++] = (n >> 16) & 0xff;
    if (count > 2) out[o++] = (n >> 8) & 0xff;
    if (count > 3) out[o++] = n & 0xff;
  }
  return out.subarray(0, o);
}

// ---------- deflate-raw via the platform's streams (Chromium, Firefox, Safari 16.4+, Node 20) ----------

async function deflateRaw(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

class InflateLimitError extends Error {}

/** Inflates, stopping (and cancelling the stream) as soon as the output passes `limit` bytes. */
async function inflateRawBounded(bytes: Uint8Array, limit: number): Promise<Uint8Array> {
  const reader = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('deflate-raw')).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > limit) throw new InflateLimitError(`the report inflates to more than ${limit} bytes`);
      chunks.push(value);
    }
  } catch (e) {
    await reader.cancel().catch(() => {});
    throw e;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

// ---------- fragments ----------

function fragmentParams(hash: string): Map<string, string> {
  const params = new Map<string, string>();
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  for (const part of text.split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq);
    if (!params.has(key)) params.set(key, part.slice(eq + 1));
  }
  return params;
}

function decodeComponent(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** `#layer=<path>`: a deep link to one layer of the report already on the page. */
export function layerFragment(path: string): string {
  return `#layer=${encodeURIComponent(path)}`;
}

/** The parts of a fragment: the encoded report (still encoded), the layer path and the finding id (decoded). */
export function parseFragment(hash: string): { report?: string; layer?: string; finding?: string } {
  const params = fragmentParams(hash);
  const out: { report?: string; layer?: string; finding?: string } = {};
  const findingText = params.get('finding');
  const finding = findingText !== undefined ? decodeComponent(findingText) : undefined;
  if (finding !== undefined && finding.length <= 4096) out.finding = finding;
  const report = params.get('report');
  if (report !== undefined) out.report = report;
  const layerText = params.get('layer');
  const layer = layerText !== undefined ? decodeComponent(layerText) : undefined;
  if (layer !== undefined && layer.length <= 4096) out.layer = layer;
  return out;
}

// ---------- stripping ----------

type Mutable = SharedReport;

function clipStrings(value: unknown, max: number): unknown {
  if (typeof value === 'string') return value.length > max ? `${value.slice(0, max)}…` : value;
  if (Array.isArray(value)) return value.map((v) => clipStrings(v, max));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = clipStrings(v, max);
    return out;
  }
  return value;
}

/** Each step returns a smaller copy, or null when it has nothing to remove. */
const STEPS: { step: StripStep; apply(r: Mutable): Mutable | null }[] = [
  { step: 'layers', apply: (r) => (r.layers.length ? { ...r, layers: [] } : null) },
  { step: 'members', apply: (r) => (r.members?.length ? { ...r, members: undefined } : null) },
  {
    step: 'disassembly',
    apply: (r) =>
      r.findings.some((f) => f.payload?.decoded.disassembly !== undefined)
        ? {
            ...r,
            findings: r.findings.map((f) =>
              f.payload ? { ...f, payload: { ...f.payload, decoded: { ...f.payload.decoded, disassembly: undefined } } } : f,
            ),
          }
        : null,
  },
  {
    step: 'payload-base64',
    apply: (r) =>
      r.findings.some((f) => f.payload?.base64)
        ? { ...r, findings: r.findings.map((f) => (f.payload ? { ...f, payload: { ...f.payload, base64: '' } } : f)) }
        : null,
  },
  { step: 'strings>2000', apply: (r) => clipStrings(r, 2000) as Mutable },
  { step: 'strings>400', apply: (r) => clipStrings(r, 400) as Mutable },
  { step: 'strings>120', apply: (r) => clipStrings(r, 120) as Mutable },
  {
    step: 'code-details',
    apply: (r) => ({
      ...r,
      findings: r.findings.map((f) => ({
        ...f,
        evidence: {},
        payload: f.payload && {
          ...f.payload,
          defaults: undefined,
          closure: undefined,
          decoded: { ...f.payload.decoded, names: f.payload.decoded.names.slice(0, 20), strings: f.payload.decoded.strings.slice(0, 10), code: undefined, pythonVersions: f.payload.decoded.pythonVersions.map((v) => ({ version: v.version, evidence: [] })) },
        },
      })),
    }),
  },
];

async function encodeReport(report: SharedReport): Promise<string> {
  return base64UrlEncode(await deflateRaw(new TextEncoder().encode(JSON.stringify(report))));
}

/** Encodes `report` into a fragment within `budget`, stripping in steps; `shared.stripped` records them. */
export async function encodeShareLink(report: FileReport, options: ShareEncodeOptions = {}): Promise<ShareLink> {
  const budget = options.budget ?? SHARE_FRAGMENT_BUDGET;
  const layerPart = options.layer !== undefined ? `&layer=${encodeURIComponent(options.layer)}` : '';
  const fits = (encoded: string) => `report=${encoded}${layerPart}`.length <= budget;
  const stripped: StripStep[] = [];
  let current: Mutable = { ...report, shared: { stripped } };
  const build = async (): Promise<string> => encodeReport({ ...current, shared: { stripped: [...stripped] } });

  if (options.dropLayers && current.layers.length) {
    current = { ...current, layers: [] };
    stripped.push('layers');
  }
  let encoded = await build();
  for (const { step, apply } of STEPS) {
    if (fits(encoded)) break;
    if (stripped.includes(step)) continue;
    const next = apply(current);
    if (!next) continue;
    current = next;
    stripped.push(step);
    encoded = await build();
  }
  // Last resort: keep the verdict and as many findings as fit (halving).
  let keep = current.findings.length;
  const all = current.findings;
  while (!fits(encoded) && keep > 0) {
    keep = Math.floor(keep / 2);
    current = { ...current, findings: all.slice(0, keep) };
    const step: StripStep = `findings>${keep}`;
    const at = stripped.findIndex((s) => s.startsWith('findings>'));
    if (at >= 0) stripped[at] = step;
    else stripped.push(step);
    encoded = await build();
  }
  return { fragment: `#report=${encoded}${layerPart}`, stripped: [...stripped], overBudget: !fits(encoded) };
}

/** Decodes and checks a fragment (`#report=…[&layer=…]`). Never throws; a bad link is `{ ok: false }`. */
export async function decodeShareLink(hash: string, limits: Partial<DecodeLimits> = {}): Promise<ShareDecodeResult> {
  const lim = { ...DEFAULT_DECODE_LIMITS, ...limits };
  if (hash.length > lim.maxEncodedChars + 8192) return { ok: false, error: 'the link is too long' };
  const { report: encoded, layer } = parseFragment(hash);
  if (encoded === undefined) return { ok: false, error: 'the link has no report' };
  if (encoded.length > lim.maxEncodedChars) return { ok: false, error: `the report in the link is over ${lim.maxEncodedChars} characters` };
  const compressed = base64UrlDecode(encoded);
  if (!compressed || compressed.length === 0) return { ok: false, error: 'the report in the link is not base64url' };
  let text: string;
  try {
    const bytes = await inflateRawBounded(compressed, lim.maxInflatedBytes);
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    if (e instanceof InflateLimitError) return { ok: false, error: e.message };
    return { ok: false, error: 'the report in the link is damaged (not deflate data or not UTF-8)' };
  }
  let value: unknown;
  try {
    value = parseJson(text, { maxBytes: lim.maxInflatedBytes, maxDepth: lim.maxDepth, maxNodes: lim.maxNodes });
  } catch (e) {
    return { ok: false, error: `the report in the link is not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  try {
    assertFileReport(value);
  } catch (e) {
    return { ok: false, error: `the link does not hold a lambdalens report: ${e instanceof Error ? e.message : String(e)}` };
  }
  const report = value as SharedReport;
  const stripped = (value as { shared?: { stripped?: unknown } }).shared?.stripped;
  report.shared = {
    stripped: Array.isArray(stripped) ? (stripped.filter((s) => typeof s === 'string' && s.length < 40).slice(0, 20) as StripStep[]) : [],
  };
  return layer !== undefined ? { ok: true, report, layer } : { ok: true, report };
}
