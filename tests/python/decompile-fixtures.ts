/** Test helpers for the decompiler/indicator tests: Keras fixture payloads and source normalisation. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BlobReader, TextWriter, ZipReader } from '@zip.js/zip.js';
import h5wasm from 'h5wasm/node';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

export interface FixtureLambda {
  layer_name: string;
  json_pointer: string;
  source: string;
  stored_defaults: unknown;
  stored_closure: unknown;
  benign: boolean | string;
  co_freevars: string[];
}

export interface FixtureExpected {
  file: string;
  fixture: string;
  format: string;
  lambdas: FixtureLambda[];
}

export function fixtureExpectations(): FixtureExpected[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.expected.json'))
    .map((f) => JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')) as FixtureExpected)
    .filter((e) => e.lambdas.length > 0);
}

async function modelConfig(file: string, format: string): Promise<unknown> {
  const path = join(FIXTURES, file);
  if (format === 'keras_v3_zip') {
    const zip = new ZipReader(new BlobReader(new Blob([readFileSync(path)])));
    const entry = (await zip.getEntries()).find((e) => e.filename === 'config.json');
    if (!entry || entry.directory) throw new Error(`${file}: no config.json`);
    const text = await entry.getData(new TextWriter());
    await zip.close();
    return JSON.parse(text);
  }
  await h5wasm.ready;
  const f = new h5wasm.File(path, 'r');
  try {
    return JSON.parse(String(f.attrs['model_config'].value));
  } finally {
    f.close();
  }
}

function pointer(doc: unknown, ptr: string): unknown {
  let cur = doc;
  for (const raw of ptr.split('/').slice(1)) cur = (cur as Record<string, unknown>)[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  return cur;
}

/** The marshal bytes of every payload in one fixture file. */
export async function fixturePayloads(exp: FixtureExpected): Promise<{ lam: FixtureLambda; bytes: Uint8Array }[]> {
  const config = await modelConfig(exp.file, exp.format);
  return exp.lambdas.map((lam) => ({ lam, bytes: new Uint8Array(Buffer.from(String(pointer(config, lam.json_pointer)), 'base64')) }));
}

/**
 * Source text for comparison: comment lines dropped, whitespace collapsed, and parameter defaults
 * removed from the lambda/def header (defaults live beside the code in the Keras config, not in it).
 */
export function normalizeSource(src: string): string {
  const body = src
    .split('\n')
    .filter((l) => !l.trim().startsWith('#'))
    .join('\n')
    .trim();
  const isDef = body.startsWith('def ');
  const start = isDef ? body.indexOf('(') + 1 : body.indexOf('lambda') + 'lambda'.length;
  let depth = 0;
  let quote: string | null = null;
  let end = start;
  for (; end < body.length; end++) {
    const ch = body[end];
    if (quote) {
      if (ch === '\\') end++;
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) {
      if (depth === 0 && isDef) break;
      depth--;
    } else if (ch === ':' && depth === 0 && !isDef) break;
  }
  const params = splitTop(body.slice(start, end)).map((p) => p.split('=')[0].trim()).filter(Boolean);
  const header = isDef ? body.slice(0, start) + params.join(', ') : 'lambda ' + params.join(', ');
  return (header + body.slice(end)).replace(/[ \t]+/g, ' ').replace(/lambda :/g, 'lambda:').trim();
}

function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quote) {
      cur += ch;
      if (ch === '\\') cur += s[++i] ?? '';
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    if ('([{'.includes(ch)) depth++;
    if (')]}'.includes(ch)) depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur);
  return out;
}
