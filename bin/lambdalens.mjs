#!/usr/bin/env node
// Entry point of the `lambdalens` CLI. The TypeScript core is bundled by scripts/build-cli.mjs
// (run by `npm install`); if the bundle is missing or older than the sources, it is rebuilt first.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const bundle = path.join(root, 'dist-cli/lambdalens.mjs');
if (!existsSync(bundle) || process.env.LAMBDALENS_REBUILD === '1') {
  await import(pathToFileURL(path.join(root, 'scripts/build-cli.mjs')).href);
}
const { main, SELF_URL } = await import(pathToFileURL(bundle).href);
// Each scan runs in a worker thread (the bundle itself) so a file that hangs a parser is timed out.
process.exitCode = await main(process.argv.slice(2), undefined, undefined, { isolate: new URL(SELF_URL) });
