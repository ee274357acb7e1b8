/**
 * Hugging Face repositories as scan targets: `hf://owner/repo[@revision]` and the repository's page address
 * (`https://huggingface.co/owner/repo`, optionally `/tree/<revision>`). The public Hub API lists the files
 * (`GET /api/models/{repo}/tree/{revision}?recursive=1`, paged by a `Link: <…>; rel="next"` header); the ones whose
 * names look like model files are then scanned at `/{repo}/resolve/{revision}/{path}` (which redirects to the
 * CDN), and the scan's own detection confirms them by their bytes. Public repositories only: no token is ever
 * asked for, read from the environment or sent; requests carry no credentials and no referrer.
 */
import { RemoteError, retryAfterMs, type FetchLike } from '../io/http-source';

export const HF_HUB = 'https://huggingface.co';

export interface HfRepoRef {
  /** owner/name */
  repo: string;
  revision: string;
}

/** A repository to list, or a single file's address to scan as it is. */
export type HfTarget = { kind: 'repo'; ref: HfRepoRef } | { kind: 'file'; url: string };

export interface HfFile {
  path: string;
  size: number;
  /** The address the scan reads (the Hub redirects it to its CDN). */
  url: string;
}

/** File names worth a scan: containers some loader runs code from. The scan's detection has the last word. */
const MODEL_NAME =
  /(\.(h5|hdf5|keras|pb|pbtxt|pkl|pickle|pt|pth|bin|npz|npy|joblib|ckpt|zip|yaml|yml)$)|(^|\/)model\.json$|(^|\/)saved_model\.pb$/i;

export function isModelFileName(path: string): boolean {
  return MODEL_NAME.test(path);
}

const REPO_PART = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function repoOf(owner: string | undefined, name: string | undefined): string | null {
  if (!owner || !name || !REPO_PART.test(owner) || !REPO_PART.test(name)) return null;
  return `${owner}/${name}`;
}

/**
 * `hf://owner/repo[@revision]`, or an address on the Hub (`hub` or huggingface.co): a repository page (optionally
 * `/tree/<revision>`) lists the repository; `/resolve/…` and `/blob/…` addresses are one file. Null: not a Hub target.
 */
export function parseHfTarget(text: string, hub = HF_HUB): HfTarget | null {
  const hf = /^hf:\/\/([^/@]+)\/([^/@]+)(?:@([^/]+))?\/?$/.exec(text.trim());
  if (hf) {
    const repo = repoOf(hf[1], hf[2]);
    if (!repo) return null;
    return { kind: 'repo', ref: { repo, revision: hf[3] ? decodeURIComponent(hf[3]) : 'main' } };
  }
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return null;
  }
  const hubUrl = new URL(hub);
  if (url.origin !== hubUrl.origin && url.host !== 'huggingface.co') return null;
  // Models live at the top level; datasets and spaces under their own prefixes are not model repositories.
  const base = hubUrl.pathname.replace(/\/+$/, '');
  if (!url.pathname.startsWith(base)) return null;
  const parts = url.pathname.slice(base.length).split('/').filter(Boolean).map(decodeURIComponent);
  if (['datasets', 'spaces', 'api', 'docs'].includes(parts[0] ?? '')) return null;
  const repo = repoOf(parts[0], parts[1]);
  if (!repo) return null;
  if (parts.length === 2) return { kind: 'repo', ref: { repo, revision: 'main' } };
  if (parts[2] === 'tree' && parts.length === 4) return { kind: 'repo', ref: { repo, revision: parts[3] } };
  if ((parts[2] === 'resolve' || parts[2] === 'blob') && parts.length >= 5) {
    return { kind: 'file', url: resolveUrl({ repo, revision: parts[3] }, parts.slice(4).join('/'), url.origin === hubUrl.origin ? hub : HF_HUB) };
  }
  return null;
}

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

export function resolveUrl(ref: HfRepoRef, path: string, hub = HF_HUB): string {
  return `${hub.replace(/\/+$/, '')}/${encodePath(ref.repo)}/resolve/${encodeURIComponent(ref.revision)}/${encodePath(path)}`;
}

export interface ListOptions {
  hub?: string;
  fetch?: FetchLike;
  signal?: AbortSignal;
}

/** Entries listed, across pages: a repository with more files than this is cut, and the caller says so. */
const MAX_ENTRIES = 100_000;
const MAX_PAGES = 200;
/** One page of the listing (JSON). */
const MAX_PAGE_BYTES = 32 * 1024 * 1024;

interface TreeEntry {
  type?: unknown;
  path?: unknown;
  size?: unknown;
  lfs?: { size?: unknown } | null;
}

export interface HfListing {
  files: HfFile[];
  /** Files in the repository that were not picked by name. */
  otherFiles: number;
  /** Set when the listing stopped at a limit. */
  truncated: boolean;
}

/** Lists the repository's model files (by name). Throws RemoteError. */
export async function listHfModelFiles(ref: HfRepoRef, options: ListOptions = {}): Promise<HfListing> {
  const hub = (options.hub ?? HF_HUB).replace(/\/+$/, '');
  const doFetch = options.fetch ?? ((u: string, init: RequestInit) => fetch(u, init));
  let next: string | null = `${hub}/api/models/${encodePath(ref.repo)}/tree/${encodeURIComponent(ref.revision)}?recursive=1`;
  const first = next;
  const files: HfFile[] = [];
  let otherFiles = 0;
  let entries = 0;
  for (let page = 0; next && page < MAX_PAGES && entries < MAX_ENTRIES; page++) {
    const res = await getJson(doFetch, next, first, options.signal);
    const body = await res.text();
    if (body.length > MAX_PAGE_BYTES) throw new RemoteError('budget', 'the Hub listing is too large', first);
    let list: unknown;
    try {
      list = JSON.parse(body);
    } catch {
      throw new RemoteError('http', `the Hub answered the listing of ${ref.repo} with something that is not JSON`, first);
    }
    if (!Array.isArray(list)) throw new RemoteError('http', `the Hub's listing of ${ref.repo} is not a list`, first);
    for (const e of list as TreeEntry[]) {
      entries++;
      if (e.type !== 'file' || typeof e.path !== 'string') continue;
      if (!isModelFileName(e.path)) {
        otherFiles++;
        continue;
      }
      const size = typeof e.lfs?.size === 'number' ? e.lfs.size : typeof e.size === 'number' ? e.size : 0;
      files.push({ path: e.path, size, url: resolveUrl(ref, e.path, hub) });
    }
    next = nextLink(res.headers.get('link'), hub);
  }
  files.sort((a, b) => a.path.localeCompare(b.path));
  return { files, otherFiles, truncated: next !== null };
}

/** The `rel="next"` address of a Link header, only on the Hub's own origin. */
function nextLink(header: string | null, hub: string): string | null {
  if (!header) return null;
  for (const part of header.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part);
    if (!m) continue;
    try {
      const url = new URL(m[1], hub);
      return url.origin === new URL(hub).origin ? url.href : null;
    } catch {
      return null;
    }
  }
  return null;
}

async function getJson(doFetch: FetchLike, url: string, reportAs: string, signal: AbortSignal | undefined): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    let res: Response;
    try {
      res = await doFetch(url, { method: 'GET', headers: { Accept: 'application/json' }, credentials: 'omit', referrerPolicy: 'no-referrer', redirect: 'follow', mode: 'cors', signal });
    } catch (e) {
      if (signal?.aborted) throw new RemoteError('aborted', 'stopped', reportAs);
      throw new RemoteError('network', `could not reach the Hub at ${new URL(url).host} (${e instanceof Error ? e.message : String(e)})`, reportAs);
    }
    if ((res.status === 429 || res.status >= 500) && attempt < 3) {
      res.body?.cancel().catch(() => {});
      const wait = retryAfterMs(res.headers.get('retry-after')) ?? 300 * 2 ** attempt;
      if (wait > 10_000) throw new RemoteError('http', `the Hub asks to wait ${Math.round(wait / 1000)} s`, reportAs, res.status);
      await new Promise((r) => setTimeout(r, wait));
      continue;
    }
    if (res.status === 401 || res.status === 403 || res.status === 404) {
      res.body?.cancel().catch(() => {});
      throw new RemoteError('http', `the Hub does not list this repository (HTTP ${res.status}): it does not exist, or it is private or gated (only public repositories are read; no token is ever sent)`, reportAs, res.status);
    }
    if (!res.ok) {
      res.body?.cancel().catch(() => {});
      throw new RemoteError('http', `HTTP ${res.status} from the Hub listing`, reportAs, res.status);
    }
    return res;
  }
}
