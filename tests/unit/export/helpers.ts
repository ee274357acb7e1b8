/** Shared by the export tests: real reports from the fixtures, and a hostile rewrite of a real .keras. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TextReader, Uint8ArrayReader, Uint8ArrayWriter, ZipReader, ZipWriter, TextWriter } from '@zip.js/zip.js';
import type { FileReport } from '../../../src/core/report';
import { scanPath } from '../../../src/node/scan-path';

export const FIXTURES = path.join(__dirname, '../../fixtures');

const cache = new Map<string, Promise<FileReport>>();

/** Scans a fixture (relative to tests/fixtures) once per test file. */
export function scanFixture(name: string): Promise<FileReport> {
  const file = path.join(FIXTURES, name);
  let p = cache.get(file);
  if (!p) {
    p = scanPath(file);
    cache.set(file, p);
  }
  return p;
}

/** The text of every member of a zip (for config.json of a .keras). */
export async function zipTexts(bytes: Uint8Array): Promise<Map<string, string>> {
  const reader = new ZipReader(new Uint8ArrayReader(bytes), { useWebWorkers: false });
  const out = new Map<string, string>();
  for (const entry of await reader.getEntries()) {
    if (!entry.directory) out.set(entry.filename, await entry.getData!(new TextWriter()));
  }
  await reader.close();
  return out;
}

/** The binary content of every member of a zip. */
export async function zipMembers(bytes: Uint8Array): Promise<Map<string, Uint8Array>> {
  const reader = new ZipReader(new Uint8ArrayReader(bytes), { useWebWorkers: false });
  const out = new Map<string, Uint8Array>();
  for (const entry of await reader.getEntries()) {
    if (!entry.directory) out.set(entry.filename, await entry.getData!(new Uint8ArrayWriter()));
  }
  await reader.close();
  return out;
}

export const HOSTILE_LAYER = 'pay</td><script>alert(1)</script>`x`|col|\n## injected @octocat [link](http://evil.example)\u202e../../etc/passwd';
export const HOSTILE_MODEL = '<img src=x onerror=alert(2)> ```\nbreakout```';

/**
 * mal_os_system.keras with its config rewritten: the Lambda layer and the model get hostile names. The
 * other members are copied unchanged; the result is a file Keras itself would read the same way.
 */
export async function writeHostileKeras(): Promise<string> {
  const original = readFileSync(path.join(FIXTURES, 'mal_os_system.keras'));
  const reader = new ZipReader(new Uint8ArrayReader(new Uint8Array(original)), { useWebWorkers: false });
  const writer = new ZipWriter(new Uint8ArrayWriter(), { useWebWorkers: false });
  for (const entry of await reader.getEntries()) {
    if (entry.directory) continue;
    if (entry.filename === 'config.json') {
      const config = JSON.parse(await entry.getData!(new TextWriter()));
      config.config.name = HOSTILE_MODEL;
      const lambda = config.config.layers.find((l: { class_name: string }) => l.class_name === 'Lambda');
      lambda.config.name = HOSTILE_LAYER;
      await writer.add('config.json', new TextReader(JSON.stringify(config)), { level: 0 });
    } else {
      await writer.add(entry.filename, new Uint8ArrayReader(await entry.getData!(new Uint8ArrayWriter())), { level: 0 });
    }
  }
  await reader.close();
  const dir = mkdtempSync(path.join(tmpdir(), 'lambdalens-export-'));
  const file = path.join(dir, 'hostile `<b>name<i>` | x \n.keras');
  writeFileSync(file, await writer.close());
  return file;
}
