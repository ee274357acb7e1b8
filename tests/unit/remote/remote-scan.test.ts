/**
 * Inspecting files where they are hosted (core/io/http-source.ts, core/remote/): against local servers, the same
 * verdicts as scanning the file on disk, reading a fraction of it, with GET requests only, to the given origin
 * and where it redirects; 429 retried; a server without range support is a clear error; a Hub repository listed
 * through a fake Hub API and scanned from the CLI.
 */
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main';
import { HttpSource, RemoteError } from '../../../src/core/io/http-source';
import { parseHfTarget } from '../../../src/core/remote/hf';
import { scanUrl } from '../../../src/core/remote/scan-url';
import type { FileReport } from '../../../src/core/report';
import { scanPath } from '../../../src/node/scan-path';
import { diskFile, serveRanged, startServer, type LoggedRequest, type TestServer } from './servers';
// The bench's own generators of large sparse inputs (a real .h5 with a dataset declared at full size, a .keras
// whose stored weights member is a hole): a gigabyte apparent, a few kilobytes on disk.
import { makeH5, makeKeras } from '../../../scripts/bench/make-inputs.mjs';

const fixtures = path.resolve(__dirname, '../../fixtures');
const FILES = [
  'mal_os_system.h5',
  'mal_os_system.keras',
  'resnet_like_graph.h5',
  'resnet_like_graph.keras',
  'no_lambda.h5',
  'no_lambda.keras',
  'two_lambdas.h5',
  'nested_submodel_lambda.keras',
  'crafted/external_kernel_passwd.h5',
  'crafted/training_config_lambda_layer_names.h5',
  'pickle/payload-p2.pkl',
  'savedmodel/keras_metadata_example.pb',
];
const bytesOf = (name: string) => new Uint8Array(readFileSync(path.join(fixtures, name)));

const log: LoggedRequest[] = [];
let a: TestServer; // the given origin: files, redirects, a 429, the fake Hub
let b: TestServer; // the second origin redirects lead to (a CDN)
let plain: TestServer; // ignores Range, sends no CORS headers
const flaky = new Set<string>();
const big = mkdtempSync(path.join(tmpdir(), 'lambdalens-remote-'));
const GiB = 1024 ** 3;

beforeAll(async () => {
  await makeH5(path.join(big, 'big.h5'), GiB);
  await makeKeras(path.join(big, 'big.keras'), GiB);
  b = await startServer((req, res, url) => {
    const name = decodeURIComponent(url.pathname.replace(/^\/cdn\//, ''));
    if (!url.pathname.startsWith('/cdn/')) return void res.writeHead(404).end();
    serveRanged(req, res, bytesOf(name));
  }, log);
  a = await startServer((req, res, url) => {
    const p = decodeURIComponent(url.pathname);
    if (p.startsWith('/files/')) return serveRanged(req, res, bytesOf(p.slice('/files/'.length)));
    if (p.startsWith('/big/')) return serveRanged(req, res, diskFile(path.join(big, path.basename(p))));
    if (p.startsWith('/redirect/')) return void res.writeHead(302, { Location: `${b.origin}/cdn/${encodeURIComponent(p.slice('/redirect/'.length))}` }).end();
    if (p.startsWith('/flaky/')) {
      // The first request for each file is told to come back (Retry-After: 0); the rest are served.
      if (!flaky.has(p)) {
        flaky.add(p);
        return void res.writeHead(429, { 'Retry-After': '0' }).end('slow down');
      }
      return serveRanged(req, res, bytesOf(p.slice('/flaky/'.length)));
    }
    // Fake Hub: the tree API in two pages, and resolve/ redirecting to the CDN.
    if (p === '/api/models/owner/repo/tree/main') {
      const page2 = url.searchParams.get('cursor') === '2';
      const entries = page2
        ? [
            { type: 'file', path: 'weights/resnet_like_graph.h5', size: 1393480, oid: 'x', lfs: { oid: 'y', size: 1393480, pointerSize: 134 } },
            { type: 'file', path: 'notes.bin', size: 10, oid: 'z' },
          ]
        : [
            { type: 'file', path: 'README.md', size: 100, oid: 'a' },
            { type: 'directory', path: 'weights', oid: 'b', size: 0 },
            { type: 'file', path: 'mal_os_system.keras', size: 17811, oid: 'c' },
          ];
      const headers: Record<string, string> = { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' };
      if (!page2) headers.Link = `<${a.origin}/api/models/owner/repo/tree/main?recursive=1&cursor=2>; rel="next"`;
      return void res.writeHead(200, headers).end(JSON.stringify(entries));
    }
    const resolve = /^\/owner\/repo\/resolve\/main\/(.+)$/.exec(p);
    if (resolve) {
      const target = { 'mal_os_system.keras': 'mal_os_system.keras', 'weights/resnet_like_graph.h5': 'resnet_like_graph.h5', 'notes.bin': 'MANIFEST.json' }[resolve[1]];
      if (!target) return void res.writeHead(404).end();
      return void res.writeHead(302, { Location: `${b.origin}/cdn/${encodeURIComponent(target)}` }).end();
    }
    res.writeHead(404).end();
  }, log);
  plain = await startServer((req, res, url) => {
    const bytes = bytesOf(decodeURIComponent(url.pathname.slice(1)));
    res.writeHead(200, { 'Content-Length': String(bytes.length) }).end(bytes);
  }, log);
});

afterAll(async () => {
  await Promise.all([a?.close(), b?.close(), plain?.close()]);
  rmSync(big, { recursive: true, force: true });
});

function expectSameVerdict(remote: FileReport, local: FileReport): void {
  expect(remote.error).toBeUndefined();
  expect(remote.verdict).toBe(local.verdict);
  expect(remote.format).toBe(local.format);
  expect(remote.size).toBe(local.size);
  expect(remote.findings.map((f) => f.id)).toEqual(local.findings.map((f) => f.id));
  expect(remote.skipped).toEqual(local.skipped);
}

describe('a file served with Range: same verdict as on disk, a fraction of the bytes', () => {
  for (const name of FILES) {
    it(name, async () => {
      const local = await scanPath(path.join(fixtures, name), { hash: false });
      const from = log.length;
      const remote = await scanUrl(`${a.origin}/files/${name}`, { path: path.join(fixtures, name) });
      expectSameVerdict(remote, local);
      expect(remote.remote).toBeDefined();
      expect(remote.remote!.failure).toBeUndefined();
      expect(remote.remote!.requests).toBe(log.length - from);
      // Opening asks for both ends at once (64 KiB each): a small file comes twice, in one round trip; a file of a
      // few megabytes is then read whole in one more (its metadata is spread between its weights).
      expect(remote.remote!.bytesRead).toBeLessThanOrEqual(local.size + Math.min(local.size, 128 * 1024) + 8 * 1024);
      expect(remote.remote!.requests).toBeLessThanOrEqual(local.size > 128 * 1024 ? 4 : 2);
      console.log(`${name}: ${remote.remote!.bytesRead} of ${local.size} bytes in ${remote.remote!.requests} requests`);
    });
  }
});

describe('a gigabyte model: kilobytes read, in a few round trips', () => {
  for (const name of ['big.h5', 'big.keras']) {
    it(name, async () => {
      const local = await scanPath(path.join(big, name), { hash: false });
      const remote = await scanUrl(`${a.origin}/big/${name}`, { path: path.join(big, name) });
      expectSameVerdict(remote, local);
      expect(remote.verdict).toBe('dangerous');
      expect(remote.size).toBeGreaterThanOrEqual(GiB * 0.99);
      expect(remote.remote!.bytesRead).toBeLessThan(512 * 1024);
      expect(remote.remote!.requests).toBeLessThan(40);
      console.log(`${name}: ${remote.remote!.bytesRead} of ${remote.size} bytes in ${remote.remote!.requests} requests`);
    });
  }
});

describe('what is sent', () => {
  it('a redirect to another origin: later requests go there directly; GET only, no credentials or referrer', async () => {
    const from = log.length;
    const name = 'resnet_like_graph.keras';
    const remote = await scanUrl(`${a.origin}/redirect/${name}`, { path: path.join(fixtures, name) });
    expectSameVerdict(remote, await scanPath(path.join(fixtures, name), { hash: false }));
    expect(remote.remote!.redirectedTo).toBe(b.origin);
    const sent = log.slice(from);
    expect(new Set(sent.map((r) => r.origin))).toEqual(new Set([a.origin, b.origin]));
    expect(sent.every((r) => r.method === 'GET' && r.range !== undefined)).toBe(true);
    expect(sent.some((r) => r.cookie || r.authorization || r.referer)).toBe(false);
    // Only the opening pair went through the redirect.
    expect(sent.filter((r) => r.origin === a.origin).length).toBe(2);
    console.log(`${name} via redirect: ${remote.remote!.bytesRead} bytes of ${remote.size} in ${remote.remote!.requests} requests`);
  });

  it('429 with Retry-After is retried, and the scan completes', async () => {
    const name = 'mal_os_system.h5';
    const remote = await scanUrl(`${a.origin}/flaky/${name}`, { path: path.join(fixtures, name) });
    expectSameVerdict(remote, await scanPath(path.join(fixtures, name), { hash: false }));
    expect(remote.remote!.requests).toBeGreaterThanOrEqual(3);
  });
});

describe('servers that cannot be read in parts', () => {
  it('a server that ignores Range: a clear error suggesting download, without downloading the file', async () => {
    const name = 'resnet_like_graph.h5';
    const remote = await scanUrl(`${plain.origin}/${name}`);
    expect(remote.verdict).toBe('error');
    expect(remote.error?.code).toBe('unreadable');
    expect(remote.remote?.failure).toBe('no-range');
    expect(remote.verdictReason).toMatch(/does not support range requests.*download the file/);
    expect(remote.remote!.bytesRead).toBeLessThan(bytesOf(name).length);
  });
  it('a small file from such a server is read whole (nothing more to save)', async () => {
    const name = 'mal_os_system.h5';
    expectSameVerdict(await scanUrl(`${plain.origin}/${name}`, { path: path.join(fixtures, name) }), await scanPath(path.join(fixtures, name), { hash: false }));
  });
  it('without CORS headers, a page could not read it: typed error when CORS is required', async () => {
    await expect(HttpSource.open(`${plain.origin}/mal_os_system.h5`, { requireCors: true })).rejects.toMatchObject({ code: 'cors' });
    await expect(HttpSource.open(`${a.origin}/files/mal_os_system.h5`, { requireCors: true })).resolves.toBeInstanceOf(HttpSource);
  });
  it('missing file, bad address, unreachable host', async () => {
    expect((await scanUrl(`${a.origin}/nothing-here`)).remote?.failure).toBe('http');
    expect((await scanUrl('ftp://example.invalid/x.h5')).remote?.failure).toBe('bad-url');
    const closed = await startServer(() => {}, []);
    await closed.close();
    const r = await scanUrl(`${closed.origin}/x.h5`, { http: { retryBaseMs: 1 } });
    expect(r.remote?.failure).toBe('network');
    expect(r.error?.message).toMatch(/CORS/);
  });
  it('RemoteError carries its code', () => {
    expect(new RemoteError('no-range', 'x', 'u').code).toBe('no-range');
  });
});

describe('Hugging Face targets', () => {
  it('parses hf:// and Hub page addresses', () => {
    expect(parseHfTarget('hf://owner/repo')).toEqual({ kind: 'repo', ref: { repo: 'owner/repo', revision: 'main' } });
    expect(parseHfTarget('hf://owner/repo@v1.0')).toEqual({ kind: 'repo', ref: { repo: 'owner/repo', revision: 'v1.0' } });
    expect(parseHfTarget('https://huggingface.co/owner/repo')).toEqual({ kind: 'repo', ref: { repo: 'owner/repo', revision: 'main' } });
    expect(parseHfTarget('https://huggingface.co/owner/repo/tree/dev')).toEqual({ kind: 'repo', ref: { repo: 'owner/repo', revision: 'dev' } });
    expect(parseHfTarget('https://huggingface.co/owner/repo/blob/main/a/b.h5')).toEqual({ kind: 'file', url: 'https://huggingface.co/owner/repo/resolve/main/a/b.h5' });
    expect(parseHfTarget('https://huggingface.co/datasets/owner/repo')).toBeNull();
    expect(parseHfTarget('https://example.com/owner/repo')).toBeNull();
    expect(parseHfTarget('hf://../x')).toBeNull();
  });

  it('lambdalens scan hf://owner/repo: the listed model files, confirmed by bytes, same verdicts; GET only', async () => {
    const from = log.length;
    let out = '';
    let err = '';
    const code = await main(['scan', 'hf://owner/repo', '--hf-endpoint', a.origin, '--json', '--concurrency', '2'], (s) => (out += s), (s) => (err += s));
    expect(err).toBe('');
    expect(code).toBe(1);
    const envelope = JSON.parse(out) as { files: FileReport[]; skipped: { path: string; reason: string }[] };
    const reports = envelope.files;
    expect(envelope.skipped.map((x) => x.path)).toEqual(['hf://owner/repo@main/notes.bin']);
    // README.md is not a model name; notes.bin is, but its bytes are not a model, so it is skipped.
    expect(reports.map((r) => r.path)).toEqual(['hf://owner/repo@main/mal_os_system.keras', 'hf://owner/repo@main/weights/resnet_like_graph.h5']);
    expectSameVerdict(reports[0], await scanPath(path.join(fixtures, 'mal_os_system.keras'), { hash: false }));
    expectSameVerdict(reports[1], await scanPath(path.join(fixtures, 'resnet_like_graph.h5'), { hash: false }));
    expect(reports.every((r) => r.remote?.redirectedTo === b.origin)).toBe(true);
    const sent = log.slice(from);
    expect(sent.every((r) => r.method === 'GET' && (r.origin === a.origin || r.origin === b.origin))).toBe(true);
    expect(sent.some((r) => r.cookie || r.authorization || r.referer)).toBe(false);
    expect(sent.filter((r) => r.path.startsWith('/api/')).length).toBe(2);
  });

  it('--from-file and a plain address; text output says what was read', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lambdalens-urls-'));
    try {
      const list = path.join(dir, 'urls.txt');
      writeFileSync(list, `# models\n${a.origin}/files/no_lambda.keras\n\n${a.origin}/files/mal_eval.h5\n`);
      let out = '';
      const code = await main(['scan', '--from-file', list], (s) => (out += s), () => {});
      expect(code).toBe(1);
      expect(out).toMatch(/no_lambda\.keras\s+CLEAN/);
      expect(out).toMatch(/mal_eval\.h5\s+DANGEROUS/);
      expect(out).toMatch(/remote: read [\d.]+ KB of [\d.]+ KB in \d+ requests/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a repository the Hub does not list is an error report, exit 2', async () => {
    let out = '';
    const code = await main(['scan', 'hf://owner/missing', '--hf-endpoint', a.origin, '--json'], (s) => (out += s), () => {});
    expect(code).toBe(2);
    const [report] = (JSON.parse(out) as { files: FileReport[] }).files;
    expect(report.error?.message).toMatch(/HTTP 404.*public/);
  });
});
