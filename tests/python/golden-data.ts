/** Loads the golden files (tests/fixtures/golden/*.json) written by scripts/golden/generate.py. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const GOLDEN_DIR = join(import.meta.dirname, '..', 'fixtures', 'golden');

export interface GoldenCode {
  argcount: number;
  posonlyargcount: number | null;
  kwonlyargcount: number | null;
  nlocals: number;
  stacksize: number;
  flags: number;
  code_hex: string;
  consts: (string | GoldenCode)[];
  const_types: string[];
  names: string[];
  varnames: string[];
  freevars: string[];
  cellvars: string[];
  filename: string;
  name: string;
  qualname: string | null;
  firstlineno: number;
  linetable_hex: string;
  linetable_field: string;
  exceptiontable_hex: string | null;
}

export interface GoldenCase {
  id: string;
  source: string;
  tags: string[];
  target: string;
  marshal_b64: string;
  marshal_len: number;
  keras_b64: string | null;
  keras_b64_nt: string | null;
  keras1_raw_unicode_escape: string | null;
  dis: string;
  dis_offsets?: string;
  /** [offset, opname, opcode, arg, argrepr, starts_line, is_jump_target] */
  instructions: [number, string, number, number | null, string, number | boolean | null, boolean][];
  code: GoldenCode;
}

export interface GoldenFile {
  file: string;
  python_version: string;
  /** "3.11" */
  minor: string;
  magic_number: number;
  marshal_version: number;
  oracle: string;
  cases: GoldenCase[];
  skipped: { id: string; error: string }[];
}

export function loadGoldens(): GoldenFile[] {
  return readdirSync(GOLDEN_DIR)
    .filter((f) => /^py\d+\.json$/.test(f))
    .map((f) => {
      const g = JSON.parse(readFileSync(join(GOLDEN_DIR, f), 'utf8')) as Omit<GoldenFile, 'file' | 'minor'>;
      const minor = g.python_version.split('.').slice(0, 2).join('.');
      return { ...g, file: f, minor };
    })
    .sort((a, b) => versionKey(a.minor) - versionKey(b.minor));
}

export function versionKey(v: string): number {
  const [a, b] = v.split('.').map(Number);
  return a * 100 + b;
}

export function b64bytes(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'base64'));
}

export function hex(b: Uint8Array | undefined): string {
  return b ? Buffer.from(b).toString('hex') : '';
}
