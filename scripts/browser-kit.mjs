// The pieces every browser script shares (e2e tests, benchmarks, screenshots): building the app, a static
// server on 127.0.0.1, Debian's Chromium with the flags this closed network needs, and a real DataTransfer drop.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Never a downloaded browser; background networking off (the machine's network is closed). */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json',
};

/** `vite build` into `outDir` (extra vite arguments appended); returns false when the build failed. */
export function buildApp(outDir, extraArgs = []) {
  const args = [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn', '--outDir', outDir, '--emptyOutDir', ...extraArgs];
  return spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' }).status === 0;
}

/**
 * A tiny static server for `dir` on 127.0.0.1 and a random port (no directory listing, no path escape).
 * `subPath`, when given, serves the same files under that prefix too (the build must work from any base).
 */
export function serveDir(dir, { subPath } = {}) {
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const pathname = subPath && url.pathname.startsWith(subPath) ? url.pathname.slice(subPath.length - 1) : url.pathname;
      let file = path.normalize(path.join(dir, decodeURIComponent(pathname)));
      if (!file.startsWith(dir)) throw new Error('outside');
      if ((await stat(file)).isDirectory()) file = path.join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

export function launchChromium(options = {}) {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, ...options });
}

/**
 * Drops files onto the drop zone with a real DataTransfer built in the page from bytes.
 * Returns performance.now() in the page just before the drop event was dispatched.
 * @param {import('playwright-core').Page} page
 * @param {{ name: string, bytes: Buffer | Uint8Array }[]} files
 */
export async function dropFiles(page, files) {
  const payload = files.map((f) => ({ name: f.name, b64: Buffer.from(f.bytes).toString('base64') }));
  const transfer = await page.evaluateHandle((items) => {
    const dt = new DataTransfer();
    for (const item of items) {
      const binary = atob(item.b64);
      const bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      dt.items.add(new File([bytes], item.name, { type: 'application/octet-stream' }));
    }
    return dt;
  }, payload);
  const zone = page.getByTestId('dropzone');
  await zone.dispatchEvent('dragenter', { dataTransfer: transfer });
  await zone.dispatchEvent('dragover', { dataTransfer: transfer });
  const t0 = await page.evaluate(() => performance.now());
  await zone.dispatchEvent('drop', { dataTransfer: transfer });
  await transfer.dispose();
  return t0;
}
