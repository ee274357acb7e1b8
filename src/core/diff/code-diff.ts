/**
 * Two payloads compared as code objects (read with the bounded marshal reader, never run): the fields of each
 * code object and, recursively, of the code objects among its constants, paired by position. A trojanized copy
 * that changes one string shows as that one constant, e.g. `'echo a'` → `'curl … | sh'`, not as two opaque
 * blobs. Constants are compared as CPython's repr() prints them for the payload's Python version.
 */
import { readCodeObject } from '../python/marshal';
import type { CodeObject, PyValue } from '../python/objects';
import { reprPyValue } from '../python/repr';
import type { Json } from '../json/parse';
import { jsonEqual } from './config-diff';
import type { CodeChange } from './types';

/** Nested code objects compared per payload; a crafted payload with thousands of them is cut here. */
const MAX_CODE_OBJECTS = 1000;
/** Changes listed per payload (the rest are counted in a last record). */
const MAX_CHANGES = 200;

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

class CodeComparer {
  changes: CodeChange[] = [];
  private visited = 0;
  private dropped = 0;

  constructor(
    private versionA: string,
    private versionB: string,
  ) {}

  private add(change: CodeChange): void {
    if (this.changes.length < MAX_CHANGES) this.changes.push(change);
    else this.dropped++;
  }

  finish(): CodeChange[] {
    if (this.dropped) this.changes.push({ codeObject: '', field: 'code-object', from: undefined, to: `${this.dropped} more changes not listed` });
    return this.changes;
  }

  private list(path: string, field: CodeChange['field'], a: readonly string[], b: readonly string[]): void {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (a[i] !== b[i]) this.add({ codeObject: path, field, index: i, from: a[i], to: b[i] });
    }
  }

  compare(a: CodeObject, b: CodeObject, parent: string): void {
    if (++this.visited > MAX_CODE_OBJECTS) return;
    const path = parent ? `${parent}.${b.name}` : b.qualname ?? b.name;
    const scalar = (field: CodeChange['field'], x: string | number | undefined, y: string | number | undefined) => {
      if (x !== y) this.add({ codeObject: path, field, from: x === undefined ? undefined : String(x), to: y === undefined ? undefined : String(y) });
    };
    scalar('qualname', a.qualname ?? a.name, b.qualname ?? b.name);
    scalar('filename', a.filename, b.filename);
    scalar('firstlineno', a.firstlineno, b.firstlineno);
    scalar('argcount', `${a.argcount}/${a.posonlyargcount}/${a.kwonlyargcount}`, `${b.argcount}/${b.posonlyargcount}/${b.kwonlyargcount}`);
    scalar('flags', `0x${a.flags.toString(16)}`, `0x${b.flags.toString(16)}`);
    this.list(path, 'name', a.names, b.names);
    this.list(path, 'varname', a.localsplusnames ?? a.varnames, b.localsplusnames ?? b.varnames);
    this.list(path, 'freevar', a.freevars, b.freevars);
    this.list(path, 'cellvar', a.cellvars, b.cellvars);
    for (let i = 0; i < Math.max(a.consts.length, b.consts.length); i++) this.compareConst(path, i, a.consts[i], b.consts[i]);
    // The instructions: equal opcodes with a changed constant are already said above; a different instruction
    // stream is said once, with both lengths (the disassembly of both sides shows where).
    if (!bytesEqual(a.code, b.code)) this.add({ codeObject: path, field: 'bytecode', from: `${a.code.length} bytes`, to: `${b.code.length} bytes` });
  }

  private compareConst(path: string, index: number, a: PyValue | undefined, b: PyValue | undefined): void {
    if (a?.type === 'code' && b?.type === 'code') {
      this.compare(a.code, b.code, path);
      return;
    }
    const ra = a === undefined ? undefined : reprPyValue(a, this.versionA);
    const rb = b === undefined ? undefined : reprPyValue(b, this.versionB);
    if (ra !== rb) this.add({ codeObject: path, field: 'const', index, from: ra, to: rb });
  }
}

export interface CodeInput {
  bytes: Uint8Array;
  /** Python version the repr() follows (the first decoding candidate). */
  version: string;
  defaults?: Json;
  closure?: Json;
}

/** What differs between two payloads whose bytes differ. Never throws: an unreadable side is one record. */
export function diffCode(a: CodeInput, b: CodeInput): CodeChange[] {
  const cmp = new CodeComparer(a.version, b.version);
  let ca: CodeObject | undefined;
  let cb: CodeObject | undefined;
  const errors: string[] = [];
  try {
    ca = readCodeObject(a.bytes).code;
  } catch (e) {
    errors.push(`a: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    cb = readCodeObject(b.bytes).code;
  } catch (e) {
    errors.push(`b: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (ca && cb) cmp.compare(ca, cb, '');
  else cmp.changes.push({ codeObject: '', field: 'decoding', from: ca ? 'code object' : errors.find((x) => x.startsWith('a:'))?.slice(3), to: cb ? 'code object' : errors.find((x) => x.startsWith('b:'))?.slice(3) });
  const changes = cmp.finish();
  if (!jsonEqual(a.defaults ?? null, b.defaults ?? null)) changes.push({ codeObject: '', field: 'defaults', from: JSON.stringify(a.defaults ?? null), to: JSON.stringify(b.defaults ?? null) });
  if (!jsonEqual(a.closure ?? null, b.closure ?? null)) changes.push({ codeObject: '', field: 'closure', from: JSON.stringify(a.closure ?? null), to: JSON.stringify(b.closure ?? null) });
  return changes;
}
