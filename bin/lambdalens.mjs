#!/usr/bin/env node
// Entry point of the `lambdalens` CLI. The TypeScript core is bundled by scripts/build-cli.mjs (run by
// `npm install`). In a checkout (src/ beside this folder) the bundle is rebuilt when it is missing or older than
// any source, so a changed checkout never runs old code; an installed package ships only the bundle.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const bundle = path.join(root, 'dist-cli/lambdalens.mjs');

/** Newest modification time under the inputs of the bundle (a few hundred files: ~2 ms). */
function newestSource() {
  let newest = 0;
  const visit = (p) => {
    let s;
    try {
      s = statSync(p);
    } catch {
      return;
    }
    if (s.isDirectory()) for (const name of readdirSync(p)) visit(path.join(p, name));
    else newest = Math.max(newest, s.mtimeMs);
  };
  for (const p of ['src', 'scripts/build-cli.mjs', 'scripts/bundle-node.mjs', 'scripts/h5wasm-split.mjs', 'package-lock.json']) visit(path.join(root, p));
  return newest;
}

const checkout = existsSync(path.join(root, 'src/cli/main.ts'));
let reason = null;
if (!existsSync(bundle)) reason = 'no CLI bundle yet';
else if (process.env.LAMBDALENS_REBUILD === '1') reason = 'LAMBDALENS_REBUILD=1';
else if (checkout && newestSource() > statSync(bundle).mtimeMs) reason = 'sources changed since the last build';
if (reason) {
  if (!checkout) {
    process.stderr.write(`lambdalens: ${bundle} is missing and there are no sources to build it from; reinstall the package\n`);
    process.exit(2);
  }
  process.stderr.write(`lambdalens: ${reason}; building the CLI bundle (scripts/build-cli.mjs)\n`);
  await import(pathToFileURL(path.join(root, 'scripts/build-cli.mjs')).href);
}
const { main, SELF_URL } = await import(pathToFileURL(bundle).href);
// Each scan runs in a worker thread (the bundle itself) so a file that hangs a parser is timed out.
try {
  process.exitCode = await main(process.argv.slice(2), undefined, undefined, { isolate: new URL(SELF_URL) });
} catch (e) {
  // An unexpected failure (an unwritable --sarif path, a folder that cannot be listed) is an error, exit 2 — never
  // exit 1, which means "findings". The message may hold a file name from disk: control characters escaped.
  const message = (e instanceof Error ? e.message : String(e)).replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  process.stderr.write(`lambdalens: ${message}\n`);
  process.exitCode = 2;
}
