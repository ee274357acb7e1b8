// Remote inspection bench: bytes read, requests and time to verdict for files served with Range through a local
// proxy that adds a fixed delay to every request (default 50 ms, like a far CDN). Inputs: the 308-layer
// resnet_like_graph fixture (.h5 and .keras) and generated sparse 2 GB .keras and .h5 (make-inputs.mjs, in /tmp).
// The CLI's code (bundled from the current sources) scans each URL in this process: medians of --runs runs.
// Usage: node scripts/bench/remote.mjs [--delay 50] [--runs 5] [--size 2G] [--out /tmp/lambdalens-bench-remote]
import { closeSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { createServer, request } from 'node:http';
import path from 'node:path';
import { bundleCli, benchDir, root } from './bundle.mjs';
import { makeH5, makeKeras, parseSize, sizeLabel } from './make-inputs.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const delay = Number(arg('--delay', '50'));
const runs = Number(arg('--runs', '5'));
const size = parseSize(arg('--size', '2G'));
const out = arg('--out', '/tmp/lambdalens-bench-remote');

mkdirSync(out, { recursive: true });
const inputs = [
  { label: 'resnet_like_graph.h5 (308 layers)', file: path.join(root, 'tests/fixtures/resnet_like_graph.h5') },
  { label: 'resnet_like_graph.keras (308 layers)', file: path.join(root, 'tests/fixtures/resnet_like_graph.keras') },
  { label: `${sizeLabel(size)} .keras (sparse)`, file: path.join(out, `bench-${sizeLabel(size)}.keras`), make: makeKeras },
  { label: `${sizeLabel(size)} .h5 (sparse)`, file: path.join(out, `bench-${sizeLabel(size)}.h5`), make: makeH5 },
];
for (const input of inputs) {
  if (input.make && !(statSync(input.file, { throwIfNoEntry: false })?.size >= size * 0.99)) await input.make(input.file, size);
}

// Origin: files by name, one Range each (what a CDN answers).
const files = new Map(inputs.map((i) => [path.basename(i.file), i.file]));
let originRequests = 0;
const origin = createServer((req, res) => {
  originRequests++;
  const file = files.get(decodeURIComponent(new URL(req.url, 'http://x').pathname.slice(1)));
  if (!file) return void res.writeHead(404).end();
  const total = statSync(file).size;
  const m = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  if (!m) return void res.writeHead(200, { 'Content-Length': String(total) }).end();
  const start = m[1] === '' ? Math.max(0, total - Number(m[2])) : Number(m[1]);
  const end = m[1] === '' || m[2] === '' ? total - 1 : Math.min(total - 1, Number(m[2]));
  const body = Buffer.alloc(end - start + 1);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, body, 0, body.length, start);
  } finally {
    closeSync(fd);
  }
  res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${total}`, 'Content-Length': String(body.length), 'Accept-Ranges': 'bytes' }).end(body);
});
await new Promise((r) => origin.listen(0, '127.0.0.1', r));
const originPort = origin.address().port;

// Proxy: waits `delay` ms, then forwards the request to the origin and streams the answer back.
const proxy = createServer((req, res) => {
  setTimeout(() => {
    const fwd = request({ host: '127.0.0.1', port: originPort, path: req.url, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    fwd.on('error', () => res.writeHead(502).end());
    req.pipe(fwd);
  }, delay);
});
await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
const proxyOrigin = `http://127.0.0.1:${proxy.address().port}`;

await bundleCli();
const { main } = await import(path.join(benchDir, 'cli.mjs'));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kb = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} MB` : `${(n / 1e3).toFixed(1)} KB`);
const rows = [];
for (const input of inputs) {
  const url = `${proxyOrigin}/${encodeURIComponent(path.basename(input.file))}`;
  const times = [];
  let last;
  for (let r = 0; r < runs; r++) {
    let text = '';
    const started = performance.now();
    await main(['scan', url, '--json'], (s) => (text += s), () => {});
    times.push(performance.now() - started);
    last = JSON.parse(text);
  }
  rows.push({
    input: input.label,
    size: statSync(input.file).size,
    verdict: last.verdict,
    bytes: last.remote?.bytesRead,
    requests: last.remote?.requests,
    ms: median(times),
    min: Math.min(...times),
    max: Math.max(...times),
  });
}
proxy.close();
origin.close();
proxy.closeAllConnections();
origin.closeAllConnections();

console.log(`remote inspection through a proxy adding ${delay} ms per request; time to verdict: median of ${runs} runs (min–max)`);
console.log('| input | size | verdict | read | requests | time to verdict |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.input} | ${kb(r.size)} | ${r.verdict} | ${kb(r.bytes)} | ${r.requests} | ${Math.round(r.ms)} ms (${Math.round(r.min)}–${Math.round(r.max)}) |`);
}
