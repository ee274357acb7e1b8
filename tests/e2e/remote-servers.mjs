// Local HTTPS servers for the browser tests of "Open from URL" (the machine has no internet): the ideas of
// tests/unit/remote/servers.ts, ported to plain .mjs for the e2e runner.
//
// Why HTTPS: the page's CSP admits `connect-src 'self' https:` and "Open from URL" accepts https:// addresses only,
// both on purpose (a hosted model is never read over plain http). Rather than weaken either for tests, these
// servers speak TLS with a throw-away self-signed certificate made here by openssl, and the spec's browser
// context sets `ignoreHTTPSErrors` (Playwright's per-context equivalent of --ignore-certificate-errors): the
// page's production code and CSP are exactly what users get.
//
// Servers (each its own origin, every request logged with the headers a privacy check cares about):
//   files   Range + CORS (like a CDN, including the CORS preflight a suffix Range needs), /redirect/<name> → cdn,
//           /flaky/<name> answers 429 (Retry-After: 0) once per file, then serves it
//   cdn     the second origin redirects lead to: /cdn/<name>
//   norange CORS but ignores Range: always 200 with the whole file
//   nocors  Range but no CORS headers at all (neither on answers nor on preflights): what most servers are
//   hub     a fake Hugging Face Hub (tree API in two pages, resolve/ redirecting to cdn); the browser reaches it as
//           https://huggingface.co through --host-resolver-rules (see hubBrowserArgs)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');

/** The fixture's bytes; names are checked against the fixture folder (no path escape). */
export function fixtureBytes(name) {
  const file = path.join(fixtures, path.basename(name));
  return readFileSync(file);
}

let certificate;
function selfSigned() {
  if (certificate) return certificate;
  const dir = mkdtempSync(path.join(tmpdir(), 'lambdalens-e2e-tls-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:huggingface.co'],
    { stdio: 'ignore' },
  );
  certificate = { key: readFileSync(key), cert: readFileSync(cert) };
  return certificate;
}

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'Content-Range, Content-Length, Accept-Ranges, Link',
};

/** The answer to a CORS preflight, as CDNs that serve models to pages give it (a suffix Range is not safelisted). */
function preflight(res) {
  res.writeHead(204, { ...CORS, 'Access-Control-Allow-Methods': 'GET, HEAD', 'Access-Control-Allow-Headers': 'Range, Accept', 'Access-Control-Max-Age': '0' }).end();
}

/** Serves `bytes` honouring one `Range` (as a CDN does), or the whole file without one. */
function serveRanged(req, res, bytes, cors = true) {
  const headers = { 'Accept-Ranges': 'bytes', 'Content-Type': 'application/octet-stream', ...(cors ? CORS : {}) };
  if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, headers).end();
  const range = req.headers.range;
  if (!range) return void res.writeHead(200, { ...headers, 'Content-Length': String(bytes.length) }).end(req.method === 'HEAD' ? undefined : bytes);
  const m = /^bytes=(\d*)-(\d*)$/.exec(range);
  if (!m || (m[1] === '' && m[2] === '')) return void res.writeHead(416, { ...headers, 'Content-Range': `bytes */${bytes.length}` }).end();
  const start = m[1] === '' ? Math.max(0, bytes.length - Number(m[2])) : Number(m[1]);
  const end = m[1] === '' || m[2] === '' ? bytes.length - 1 : Math.min(Number(m[2]), bytes.length - 1);
  if (start >= bytes.length || end < start) return void res.writeHead(416, { ...headers, 'Content-Range': `bytes */${bytes.length}` }).end();
  res
    .writeHead(206, { ...headers, 'Content-Range': `bytes ${start}-${end}/${bytes.length}`, 'Content-Length': String(end - start + 1) })
    .end(req.method === 'HEAD' ? undefined : bytes.subarray(start, end + 1));
}

function startServer(name, handler, log, { cors = true } = {}) {
  let origin = '';
  const server = createServer(selfSigned(), (req, res) => {
    const url = new URL(req.url ?? '/', origin);
    log.push({
      server: name,
      origin,
      method: req.method ?? '?',
      path: url.pathname + url.search,
      host: req.headers.host,
      ...(req.headers.range ? { range: req.headers.range } : {}),
      ...(req.headers.cookie ? { cookie: req.headers.cookie } : {}),
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      ...(req.headers.referer ? { referer: req.headers.referer } : {}),
      ...(req.headers['content-length'] && req.headers['content-length'] !== '0' ? { body: true } : {}),
    });
    if (req.method === 'OPTIONS') return cors ? preflight(res) : void res.writeHead(405).end();
    try {
      handler(req, res, url);
    } catch {
      res.writeHead(404, CORS).end();
    }
  });
  // Keep-alive sockets would keep close() waiting.
  server.keepAliveTimeout = 100;
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      origin = `https://127.0.0.1:${server.address().port}`;
      resolve({
        origin,
        port: server.address().port,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    }),
  );
}

/** The Hub as the page addresses it (the fake hub answers for it through the browser's host mapping). */
export const HUB_ORIGIN = 'https://huggingface.co';

/** Starts all five servers. `log` collects every request any of them receives, in order. */
export async function startRemoteServers() {
  const log = [];
  const flaky = new Set();
  const cdn = await startServer(
    'cdn',
    (req, res, url) => {
      if (!url.pathname.startsWith('/cdn/')) return void res.writeHead(404, CORS).end();
      serveRanged(req, res, fixtureBytes(decodeURIComponent(url.pathname.slice('/cdn/'.length))));
    },
    log,
  );
  const files = await startServer(
    'files',
    (req, res, url) => {
      const p = decodeURIComponent(url.pathname);
      if (p.startsWith('/files/')) return serveRanged(req, res, fixtureBytes(p.slice('/files/'.length)));
      if (p.startsWith('/redirect/')) {
        return void res.writeHead(302, { ...CORS, Location: `${cdn.origin}/cdn/${encodeURIComponent(p.slice('/redirect/'.length))}` }).end();
      }
      if (p.startsWith('/flaky/')) {
        // The first GET for each file is told to come back (Retry-After: 0); the rest are served.
        if (req.method === 'GET' && !flaky.has(p)) {
          flaky.add(p);
          return void res.writeHead(429, { ...CORS, 'Retry-After': '0' }).end('slow down');
        }
        return serveRanged(req, res, fixtureBytes(p.slice('/flaky/'.length)));
      }
      res.writeHead(404, CORS).end();
    },
    log,
  );
  const norange = await startServer(
    'norange',
    (req, res, url) => {
      const bytes = fixtureBytes(decodeURIComponent(url.pathname.slice(1)));
      res.writeHead(200, { ...CORS, 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes.length) }).end(bytes);
    },
    log,
  );
  const nocors = await startServer(
    'nocors',
    (req, res, url) => serveRanged(req, res, fixtureBytes(decodeURIComponent(url.pathname.slice(1))), false),
    log,
    { cors: false },
  );
  const hub = await startServer(
    'hub',
    (req, res, url) => {
      const p = decodeURIComponent(url.pathname);
      // The tree API in two pages (Link: rel="next", on the Hub's own origin as the page addresses it).
      if (p === '/api/models/owner/repo/tree/main') {
        const page2 = url.searchParams.get('cursor') === '2';
        const entries = page2
          ? [
              { type: 'file', path: 'weights/no_lambda.h5', size: 22432, oid: 'x', lfs: { oid: 'y', size: 22432, pointerSize: 134 } },
              { type: 'file', path: 'README.md', size: 10, oid: 'z' },
            ]
          : [
              { type: 'file', path: '.gitattributes', size: 100, oid: 'a' },
              { type: 'directory', path: 'weights', oid: 'b', size: 0 },
              { type: 'file', path: 'mal_os_system.keras', size: 17811, oid: 'c' },
            ];
        const headers = { ...CORS, 'Content-Type': 'application/json' };
        if (!page2) headers.Link = `<${HUB_ORIGIN}/api/models/owner/repo/tree/main?recursive=1&cursor=2>; rel="next"`;
        return void res.writeHead(200, headers).end(JSON.stringify(entries));
      }
      const resolve = /^\/owner\/repo\/resolve\/main\/(.+)$/.exec(p);
      if (resolve) {
        const target = { 'mal_os_system.keras': 'mal_os_system.keras', 'weights/no_lambda.h5': 'no_lambda.h5' }[resolve[1]];
        if (!target) return void res.writeHead(404, CORS).end();
        return void res.writeHead(302, { ...CORS, Location: `${cdn.origin}/cdn/${encodeURIComponent(target)}` }).end();
      }
      res.writeHead(404, CORS).end();
    },
    log,
  );
  return {
    log,
    files,
    cdn,
    norange,
    nocors,
    hub,
    close: () => Promise.all([files.close(), cdn.close(), norange.close(), nocors.close(), hub.close()]),
  };
}

/** Chromium flags that make https://huggingface.co reach the fake hub (and nothing else change). */
export function hubBrowserArgs(hub) {
  return [`--host-resolver-rules=MAP huggingface.co 127.0.0.1:${hub.port}`];
}
