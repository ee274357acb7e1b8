/**
 * A ByteSource over HTTP range requests: a hosted model is inspected by reading the few kilobytes the readers
 * need (a zip's central directory and configs, HDF5 metadata), never the weights.
 *
 * What it sends: GET requests with a `Range` header, nothing else — no credentials (cookies, HTTP auth), no
 * referrer, no body; redirects are followed (hub CDNs). Round trips are what cost, so:
 *   - opening asks for the first and the last 64 KiB at once (one round trip): the HDF5 superblock and root
 *     header, a zip's central directory and usually its config, and the file's size from Content-Range;
 *   - later reads go through a block cache; a run of missing blocks is one request, concurrent reads of the same
 *     block share it, and a miss that continues the previous one reads ahead (doubling, bounded); a file of a
 *     few megabytes is read whole on its first miss (its metadata is spread between small weights);
 *   - after a redirect, later requests go straight to where it led (a signed CDN address), falling back to the
 *     given address once if that one stops working.
 * A server that ignores ranges (200 for a ranged GET) or hides Content-Range (CORS) gets a RemoteError saying
 * so and suggesting download-and-drop; 429 and 5xx are retried with backoff, honouring Retry-After (bounded).
 */
import { sliceBlocks } from './blocks';
import type { RemoteFailure } from '../report';
import type { ByteSource } from './byte-source';

/** bad-url, no-range (the server ignores Range), cors (the page may not read the answer), network (no answer;
 * in a browser also missing CORS), http (an error status), changed (between requests), budget, aborted. */
export type RemoteErrorCode = RemoteFailure;

/** Why a remote file could not be read; `code` is for hosts, the message for people. */
export class RemoteError extends Error {
  override readonly name = 'RemoteError';
  constructor(
    readonly code: RemoteErrorCode,
    message: string,
    readonly url: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** What reading the file cost: the report's `remote` field is made from this. */
export interface HttpStats {
  url: string;
  /** Where the last redirect led (differs from `url` when the host redirects to a CDN). */
  finalUrl: string;
  size: number;
  /** Bytes of response bodies received (including retried and discarded ones). */
  bytesRead: number;
  /** GET requests sent by this source (each may have been redirected; retries count). */
  requests: number;
  retries: number;
  /** Wall time with at least one request in flight. */
  networkMs: number;
}

/** The subset of `fetch` this source uses (injectable: tests, a proxy, a rate limiter). */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface HttpSourceOptions {
  fetch?: FetchLike;
  signal?: AbortSignal;
  /** Name for messages and the report (default: the last part of the URL's path). */
  name?: string;
  /** Bytes per cache block (a power of two). */
  blockSize?: number;
  /** Bytes read at each end of the file on open. */
  openBytes?: number;
  /** Most bytes one read-ahead fetches. */
  maxReadahead?: number;
  /**
   * Files up to this size are read whole on the first miss after opening: in a small model, metadata sits
   * between small weights all through the file, and walking it block by block would cost dozens of round trips
   * to save a few hundred kilobytes.
   */
  wholeFileBytes?: number;
  /** Bytes of blocks kept. */
  maxCacheBytes?: number;
  /** Bytes this source may receive in total. */
  maxBytes?: number;
  /** Retries after 429 / 5xx / a network failure. */
  retries?: number;
  /** First backoff delay; doubled per retry, with jitter. */
  retryBaseMs?: number;
  /** Longest wait (Retry-After or backoff) before giving up. */
  maxRetryDelayMs?: number;
  /** Check Access-Control-Allow-Origin on every answer, as a page would need it (the CLI does not). */
  requireCors?: boolean;
}

const DEFAULTS = {
  // Small: scattered probes (HDF5 user-block signatures at 512, 1024, … 1 GiB) cost a block each; streams read ahead.
  blockSize: 4 * 1024,
  wholeFileBytes: 2 * 1024 * 1024,
  openBytes: 64 * 1024,
  maxReadahead: 1024 * 1024,
  maxCacheBytes: 64 * 1024 * 1024,
  maxBytes: 512 * 1024 * 1024,
  retries: 4,
  retryBaseMs: 200,
  maxRetryDelayMs: 10_000,
};

const DOWNLOAD_HINT = 'download the file and open it from disk instead';
/** A file a range-less server may send whole is accepted when it is this small. */
const WHOLE_FILE_BYTES = 256 * 1024;

interface RangedAnswer {
  /** File offset of `bytes`. */
  start: number;
  bytes: Uint8Array;
  total: number;
  finalUrl: string;
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', abort);
      resolve();
    }
    function abort() {
      clearTimeout(timer);
      reject(new Error('aborted'));
    }
    signal?.addEventListener('abort', abort, { once: true });
  });
}

/** Retry-After in ms (seconds or an HTTP date), or null. */
export function retryAfterMs(value: string | null, at = Date.now()): number | null {
  if (!value) return null;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - at);
}

/** `bytes a-b/total` (total may be `*`); `bytes * /total` for 416. */
function parseContentRange(value: string | null): { start: number; end: number; total: number | null } | { start: null; total: number } | null {
  if (!value) return null;
  const m = /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(value);
  if (m) return { start: Number(m[1]), end: Number(m[2]), total: m[3] === '*' ? null : Number(m[3]) };
  const u = /^\s*bytes\s+\*\/(\d+)\s*$/i.exec(value);
  return u ? { start: null, total: Number(u[1]) } : null;
}

function lastPathPart(url: string): string {
  try {
    const parts = new URL(url).pathname.split('/').filter(Boolean);
    return decodeURIComponent(parts[parts.length - 1] ?? url);
  } catch {
    return url;
  }
}

function cancel(res: Response): void {
  res.body?.cancel().catch(() => {});
}

/** Reads at most `cap` bytes of a body; null when it is longer (the rest is not downloaded). */
async function readCapped(res: Response, cap: number): Promise<Uint8Array | null> {
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > cap) {
      await reader.cancel().catch(() => {});
      return null;
    }
    parts.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export class HttpSource implements ByteSource {
  readonly stats: HttpStats;
  /** The first RemoteError any read met: hosts report it even when a reader turned it into another error. */
  failure: RemoteError | null = null;
  private readonly options: typeof DEFAULTS & Pick<HttpSourceOptions, 'requireCors'>;
  private readonly doFetch: FetchLike;
  /** Block index → its bytes (or the request bringing them); insertion order is the eviction order. */
  private readonly blocks = new Map<number, Promise<Uint8Array>>();
  private inFlight = 0;
  private busySince = 0;
  /** Block just past the last miss's fetch, and how far that fetch read ahead: the next miss there reads further. */
  private stream = { end: -1, ahead: 0 };
  private fellBack = false;

  private constructor(
    readonly url: string,
    readonly name: string,
    private readonly signal: AbortSignal | undefined,
    options: HttpSourceOptions,
  ) {
    this.options = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as typeof DEFAULTS &
      Pick<HttpSourceOptions, 'requireCors'>;
    this.doFetch = options.fetch ?? ((u, init) => fetch(u, init));
    this.stats = { url, finalUrl: url, size: 0, bytesRead: 0, requests: 0, retries: 0, networkMs: 0 };
  }

  get size(): number {
    return this.stats.size;
  }

  /** Opens `url`: one round trip for both ends of the file and its size. Throws RemoteError. */
  static async open(url: string, options: HttpSourceOptions = {}): Promise<HttpSource> {
    const source = HttpSource.create(url, options);
    await source.start();
    return source;
  }

  /** Checks the address, sends nothing. Throws RemoteError ('bad-url'). */
  static create(url: string, options: HttpSourceOptions = {}): HttpSource {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new RemoteError('bad-url', `not a URL: ${url}`, url);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new RemoteError('bad-url', `only http(s) addresses can be read (${parsed.protocol})`, url);
    if (parsed.username || parsed.password) throw new RemoteError('bad-url', 'addresses with a user name or password are not read (no credentials are ever sent)', url);
    return new HttpSource(parsed.href, options.name ?? lastPathPart(parsed.href), options.signal, options);
  }

  /** Reads both ends of the file and learns its size: one round trip. Throws RemoteError; `stats` count it either way. */
  async start(): Promise<void> {
    const n = this.options.openBytes;
    const [head, tail] = await Promise.all([this.ranged(`bytes=0-${n - 1}`, true), this.ranged(`bytes=-${n}`, true)]);
    if (head.total !== tail.total) this.fail(new RemoteError('changed', `the file changed while it was being read (${head.total} then ${tail.total} bytes)`, this.url));
    this.stats.size = head.total;
    this.stats.finalUrl = tail.finalUrl !== this.url ? tail.finalUrl : head.finalUrl;
    this.store(head.start, head.bytes);
    this.store(tail.start, tail.bytes);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const start = Math.max(0, Math.min(offset, this.size));
    const end = Math.min(this.size, start + Math.max(0, length));
    if (end <= start) return new Uint8Array(0);
    const bs = this.options.blockSize;
    const first = Math.floor(start / bs);
    const last = Math.floor((end - 1) / bs);
    const pending: Promise<Uint8Array>[] = [];
    for (let b = first; b <= last; ) {
      const have = this.blocks.get(b);
      if (have) {
        // Touched: moved to the end of the eviction order.
        this.blocks.delete(b);
        this.blocks.set(b, have);
        pending.push(have);
        b++;
        continue;
      }
      let runEnd = b;
      while (runEnd + 1 <= last && !this.blocks.has(runEnd + 1)) runEnd++;
      runEnd = this.readahead(b, runEnd);
      const run = this.fetchBlocks(b, runEnd);
      for (let k = b; k <= Math.min(runEnd, last); k++) pending.push(run[k - b]);
      b = Math.min(runEnd, last) + 1;
    }
    return sliceBlocks(await Promise.all(pending), first, last, start, end, bs);
  }

  /** Extends a run of misses that continues the previous miss's fetch (a reader walking forward). */
  private readahead(first: number, runEnd: number): number {
    const bs = this.options.blockSize;
    if (this.size <= this.options.wholeFileBytes) {
      // The rest of the file up to the next block already here (the tail read on open), in one request.
      let end = runEnd;
      while (end + 1 < Math.ceil(this.size / bs) && !this.blocks.has(end + 1)) end++;
      return end;
    }
    const continues = first >= this.stream.end && first <= this.stream.end + Math.max(1, this.stream.ahead);
    const ahead = continues ? Math.min(Math.max(1, this.stream.ahead * 2), Math.floor(this.options.maxReadahead / bs)) : 0;
    let end = runEnd;
    const lastBlock = Math.ceil(this.size / bs) - 1;
    while (end < Math.min(lastBlock, runEnd + ahead) && !this.blocks.has(end + 1)) end++;
    this.stream = { end: end + 1, ahead: continues ? ahead : 0 };
    return end;
  }

  /** One request for blocks first…last; each block's promise is cached until it fails. */
  private fetchBlocks(first: number, last: number): Promise<Uint8Array>[] {
    const bs = this.options.blockSize;
    const from = first * bs;
    const to = Math.min(this.size, (last + 1) * bs);
    const answer = this.ranged(`bytes=${from}-${to - 1}`, false).then((a) => {
      if (a.start > from || a.start + a.bytes.length < to) {
        throw this.fail(new RemoteError('http', `the server answered bytes ${a.start}–${a.start + a.bytes.length} when asked for ${from}–${to}`, this.url));
      }
      return a;
    });
    const run: Promise<Uint8Array>[] = [];
    for (let b = first; b <= last; b++) {
      const block = answer.then((a) => a.bytes.subarray(b * bs - a.start, Math.min(this.size, (b + 1) * bs) - a.start));
      block.catch(() => this.blocks.delete(b));
      this.keep(b, block);
      run.push(block);
    }
    return run;
  }

  /** Stores the whole blocks inside [start, start + bytes.length) (the file's last block may be short). */
  private store(start: number, bytes: Uint8Array): void {
    const bs = this.options.blockSize;
    const end = start + bytes.length;
    for (let b = Math.ceil(start / bs); b * bs < end; b++) {
      const blockEnd = Math.min(this.size, (b + 1) * bs);
      if (blockEnd > end) break;
      this.keep(b, Promise.resolve(bytes.subarray(b * bs - start, blockEnd - start)));
    }
  }

  private keep(b: number, block: Promise<Uint8Array>): void {
    this.blocks.set(b, block);
    const max = Math.max(1, Math.floor(this.options.maxCacheBytes / this.options.blockSize));
    while (this.blocks.size > max) this.blocks.delete(this.blocks.keys().next().value!);
  }

  private fail(e: RemoteError): RemoteError {
    this.failure ??= e;
    return e;
  }

  /**
   * One ranged GET with retries. `opening`: the size is not known yet (a range-less server is told apart from a
   * small file here). Every RemoteError is also recorded as the source's failure.
   */
  private async ranged(range: string, opening: boolean): Promise<RangedAnswer> {
    try {
      return await this.rangedOnce(range, opening);
    } catch (e) {
      if (e instanceof RemoteError) throw this.fail(e);
      throw e;
    }
  }

  private async rangedOnce(range: string, opening: boolean): Promise<RangedAnswer> {
    let url = opening ? this.url : this.stats.finalUrl;
    for (let attempt = 0; ; attempt++) {
      if (this.signal?.aborted) throw new RemoteError('aborted', 'stopped', this.url);
      let res: Response;
      this.begin();
      try {
        this.stats.requests++;
        res = await this.doFetch(url, {
          method: 'GET',
          headers: { Range: range },
          credentials: 'omit',
          referrerPolicy: 'no-referrer',
          redirect: 'follow',
          mode: 'cors',
          signal: this.signal,
        });
      } catch (e) {
        this.end();
        if (this.signal?.aborted) throw new RemoteError('aborted', 'stopped', this.url);
        if (attempt < Math.min(2, this.options.retries)) {
          await this.backoff(attempt, null);
          continue;
        }
        throw new RemoteError(
          'network',
          `could not reach ${new URL(url).host} (${e instanceof Error ? e.message : String(e)}); in a browser this is also what a server that does not allow cross-origin reads (CORS) looks like — ${DOWNLOAD_HINT}`,
          this.url,
        );
      }
      try {
        if (res.status === 429 || (res.status >= 500 && res.status !== 501 && res.status !== 505)) {
          cancel(res);
          if (attempt < this.options.retries) {
            await this.backoff(attempt, retryAfterMs(res.headers.get('retry-after')));
            continue;
          }
          throw new RemoteError('http', `HTTP ${res.status} from ${new URL(res.url || url).host} after ${attempt + 1} attempts`, this.url, res.status);
        }
        if (this.options.requireCors && !res.headers.get('access-control-allow-origin')) {
          cancel(res);
          throw new RemoteError('cors', `${new URL(res.url || url).host} does not allow pages on other sites to read this file (no CORS headers); ${DOWNLOAD_HINT}`, this.url);
        }
        if (!opening && !this.fellBack && url !== this.url && [401, 403, 404, 410].includes(res.status)) {
          // A signed CDN address may expire: ask the given address again (and follow its new redirect).
          cancel(res);
          this.fellBack = true;
          url = this.url;
          continue;
        }
        return await this.answer(res, url, range, opening);
      } finally {
        this.end();
      }
    }
  }

  private async answer(res: Response, url: string, range: string, opening: boolean): Promise<RangedAnswer> {
    const finalUrl = res.url || url;
    if (res.status === 206) {
      const cr = parseContentRange(res.headers.get('content-range'));
      if (!cr || cr.start === null || cr.total === null) {
        cancel(res);
        throw new RemoteError(
          cr ? 'no-range' : 'cors',
          cr
            ? `${new URL(finalUrl).host} does not say how large the file is (Content-Range without a total); ${DOWNLOAD_HINT}`
            : `${new URL(finalUrl).host} answered a range request without a readable Content-Range header (a server must list it in Access-Control-Expose-Headers for pages to read it); ${DOWNLOAD_HINT}`,
          this.url,
        );
      }
      if (!opening && cr.total !== this.size) throw new RemoteError('changed', `the file changed while it was being read (${this.size} then ${cr.total} bytes)`, this.url);
      const expected = cr.end - cr.start + 1;
      const bytes = await readCapped(res, expected);
      this.stats.bytesRead += bytes?.length ?? expected;
      if (!bytes || bytes.length !== expected) throw new RemoteError('http', `${new URL(finalUrl).host} sent a range of a different length than it announced`, this.url);
      this.charge();
      return { start: cr.start, bytes, total: cr.total, finalUrl };
    }
    if (res.status === 416) {
      cancel(res);
      const cr = parseContentRange(res.headers.get('content-range'));
      // An empty file has no byte to range over; anything else unsatisfiable is an error.
      if (opening && cr && cr.total === 0) return { start: 0, bytes: new Uint8Array(0), total: 0, finalUrl };
      throw new RemoteError('http', `HTTP 416 (range not satisfiable) for ${range}`, this.url, 416);
    }
    if (res.status === 200) {
      // The server ignored Range. A small file sent whole is fine; a large one would mean downloading all of it.
      const declared = Number(res.headers.get('content-length') ?? NaN);
      const bytes = opening && !(declared > WHOLE_FILE_BYTES) ? await readCapped(res, WHOLE_FILE_BYTES) : (cancel(res), null);
      this.stats.bytesRead += bytes?.length ?? 0;
      if (!bytes) {
        throw new RemoteError(
          'no-range',
          `${new URL(finalUrl).host} does not support range requests (it answered a request for part of the file with the whole file${Number.isFinite(declared) ? `, ${declared} bytes` : ''}), so the file cannot be inspected without downloading it; ${DOWNLOAD_HINT}`,
          this.url,
          200,
        );
      }
      this.charge();
      return { start: 0, bytes, total: bytes.length, finalUrl };
    }
    cancel(res);
    throw new RemoteError('http', `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''} from ${new URL(finalUrl).host}`, this.url, res.status);
  }

  private charge(): void {
    if (this.stats.bytesRead > this.options.maxBytes) {
      throw new RemoteError('budget', `reading this file needed more than ${this.options.maxBytes} bytes; ${DOWNLOAD_HINT}`, this.url);
    }
  }

  private async backoff(attempt: number, retryAfter: number | null): Promise<void> {
    const delay = retryAfter ?? this.options.retryBaseMs * 2 ** attempt * (0.75 + Math.random() / 2);
    if (delay > this.options.maxRetryDelayMs) {
      throw new RemoteError('http', `the server asks to wait ${Math.round(delay / 1000)} s before retrying, longer than this scan waits`, this.url, 429);
    }
    this.stats.retries++;
    try {
      await sleep(delay, this.signal);
    } catch {
      throw new RemoteError('aborted', 'stopped', this.url);
    }
  }

  private begin(): void {
    if (this.inFlight++ === 0) this.busySince = now();
  }

  private end(): void {
    if (--this.inFlight === 0) this.stats.networkMs += now() - this.busySince;
  }
}
