/**
 * Local HTTP servers for the remote-inspection tests (no internet here): a file server with Range and CORS, a
 * second origin it redirects to, a server that ignores Range, a fake Hugging Face Hub. Every request is logged
 * with its method, path and the headers a privacy check cares about.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeSync, openSync, readSync, statSync } from 'node:fs';

export interface LoggedRequest {
  origin: string;
  method: string;
  path: string;
  range?: string;
  cookie?: string;
  authorization?: string;
  referer?: string;
}

export interface TestServer {
  origin: string;
  log: LoggedRequest[];
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

export async function startServer(handler: Handler, log: LoggedRequest[]): Promise<TestServer> {
  let origin = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    log.push({
      origin,
      method: req.method ?? '?',
      path: url.pathname + url.search,
      ...(req.headers.range ? { range: req.headers.range } : {}),
      ...(req.headers.cookie ? { cookie: req.headers.cookie } : {}),
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      ...(req.headers.referer ? { referer: req.headers.referer } : {}),
    });
    handler(req, res, url);
  });
  // Keep-alive sockets would keep close() waiting.
  server.keepAliveTimeout = 100;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'Content-Range, Content-Length, Accept-Ranges, Link',
};

/** A file's bytes, or a way to read a part of a file too large to hold (a sparse file on disk). */
export type Served = Uint8Array | { length: number; subarray(start: number, end: number): Uint8Array };

/** A file on disk served part by part. */
export function diskFile(file: string): Served {
  const length = statSync(file).size;
  return {
    length,
    subarray(start: number, end: number) {
      const out = new Uint8Array(end - start);
      const fd = openSync(file, 'r');
      try {
        readSync(fd, out, 0, out.length, start);
      } finally {
        closeSync(fd);
      }
      return out;
    },
  };
}

/** Serves `bytes` honouring a single `Range` (as a CDN does), or the whole file without one. */
export function serveRanged(req: IncomingMessage, res: ServerResponse, bytes: Served, cors = true): void {
  const headers: Record<string, string> = { 'Accept-Ranges': 'bytes', 'Content-Type': 'application/octet-stream', ...(cors ? CORS : {}) };
  const range = req.headers.range;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, headers).end();
    return;
  }
  if (!range) {
    res.writeHead(200, { ...headers, 'Content-Length': String(bytes.length) }).end(req.method === 'HEAD' ? undefined : bytes.subarray(0, bytes.length));
    return;
  }
  const m = /^bytes=(\d*)-(\d*)$/.exec(range);
  let start: number;
  let end: number;
  if (!m || (m[1] === '' && m[2] === '')) {
    res.writeHead(416, { ...headers, 'Content-Range': `bytes */${bytes.length}` }).end();
    return;
  }
  if (m[1] === '') {
    start = Math.max(0, bytes.length - Number(m[2]));
    end = bytes.length - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? bytes.length - 1 : Math.min(Number(m[2]), bytes.length - 1);
  }
  if (start >= bytes.length || end < start) {
    res.writeHead(416, { ...headers, 'Content-Range': `bytes */${bytes.length}` }).end();
    return;
  }
  res
    .writeHead(206, { ...headers, 'Content-Range': `bytes ${start}-${end}/${bytes.length}`, 'Content-Length': String(end - start + 1) })
    .end(req.method === 'HEAD' ? undefined : bytes.subarray(start, end + 1));
}
