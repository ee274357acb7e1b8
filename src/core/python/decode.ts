/**
 * Marshal payload → PayloadDecoding: read (never execute) the code object, infer versions, gather names and
 * strings, summarise, then one CodeAnalysis for the first candidate version: its instructions give the
 * disassembly, its one decompiled tree the source, and both feed the indicator scan.
 * Never throws: any failure becomes `{ ok: false, error }`.
 */
import type { CodeObject } from './objects';
import type { CodeSummary, DecodeHints, Indicator, PayloadDecoding, PythonVersionCandidate } from './types';
import { MarshalError, readMarshal } from './marshal';
import { inferPythonVersions } from './versions';
import { collectNames, collectStrings } from './collect';
import { MAX_DISASSEMBLED_BYTECODE } from './limits';
import { CodeAnalysis } from './analysis';
import { formatDis } from './format-dis';
import { reprPyValue, type ReprOptions } from './repr';
import { decompile } from './decompile';
import { findIndicators } from './indicators';

export { reprPyValue } from './repr';
export { MarshalError } from './marshal';

/** The steps of decodePayload, in order. */
export type DecodeStage = 'marshal' | 'versions' | 'names' | 'disassembly' | 'decompile' | 'indicators';

export interface DecodeOptions extends ReprOptions {
  /** Told each step's wall time as it ends (the bench's breakdown). Work the steps share through the
   *  CodeAnalysis (disassembling, normalising) counts in the step that needed it first. */
  onStage?: (stage: DecodeStage, ms: number) => void;
}

/** Calls onStage with the time since the previous lap; free when there is no onStage. */
function stageClock(onStage: DecodeOptions['onStage']): (stage: DecodeStage) => void {
  if (!onStage) return () => {};
  let last = performance.now();
  return (stage) => {
    const now = performance.now();
    onStage(stage, now - last);
    last = now;
  };
}

function failed(error: string, partial: Partial<PayloadDecoding> = {}): PayloadDecoding {
  return { ok: false, error, pythonVersions: [], names: [], strings: [], sourceComplete: false, indicators: [], ...partial };
}

function message(e: unknown): string {
  if (e instanceof MarshalError) return e.message;
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

export function summarizeCode(code: CodeObject, version: string, options: ReprOptions = {}): CodeSummary {
  const s: CodeSummary = {
    name: code.name,
    filename: code.filename,
    firstlineno: code.firstlineno,
    argcount: code.argcount,
    posonlyargcount: code.posonlyargcount,
    kwonlyargcount: code.kwonlyargcount,
    flags: code.flags,
    varnames: code.varnames,
    freevars: code.freevars,
    cellvars: code.cellvars,
    names: code.names,
    consts: code.consts.map((c) => reprPyValue(c, version, options)),
  };
  if (code.qualname !== undefined) s.qualname = code.qualname;
  return s;
}

export function decodePayload(bytes: Uint8Array, hints?: DecodeHints, options: DecodeOptions = {}): PayloadDecoding {
  const lap = stageClock(options.onStage);
  let code: CodeObject;
  let versions: PythonVersionCandidate[];
  try {
    const m = readMarshal(bytes);
    if (m.value.type !== 'code') {
      return failed(`not a code object: the marshal stream holds a ${m.value.type}`);
    }
    code = m.value.code;
    lap('marshal');
    versions = inferPythonVersions(code, hints, m.features);
    lap('versions');
  } catch (e) {
    return failed(message(e));
  }
  let names: string[] = [];
  let strings: string[] = [];
  try {
    names = collectNames(code);
    strings = collectStrings(code);
  } catch (e) {
    return failed(message(e), { pythonVersions: versions });
  }
  // No candidate passed every check (crafted or damaged code): still show the layout family's newest view.
  const fallback = { py2: '2.7', py30: '3.7', py38: '3.10', py311: '3.14' }[code.layout];
  const version = versions[0]?.version ?? fallback;
  const out: PayloadDecoding = {
    ok: true,
    pythonVersions: versions,
    names,
    strings,
    sourceComplete: false,
    indicators: [],
  };
  if (versions.length === 0) {
    out.error = `no Python version's opcode table fits this ${code.layout} code object; shown as ${version}, best effort`;
  }
  try {
    out.code = summarizeCode(code, version, options);
  } catch (e) {
    out.error = `summary: ${message(e)}`;
  }
  const analysis = new CodeAnalysis(code, version, options);
  const bytecode = analysis.bytecode;
  lap('names');
  if (bytecode > MAX_DISASSEMBLED_BYTECODE) {
    out.error = [
      out.error,
      `${bytecode} bytes of bytecode, more than the ${MAX_DISASSEMBLED_BYTECODE} this tool disassembles: ` +
        'names, strings and the indicators from them cover all of it; export the .pyc to read the rest',
    ]
      .filter(Boolean)
      .join('; ');
  } else {
    try {
      out.disassembly = formatDis(analysis);
    } catch (e) {
      out.error = [out.error, `disassembly: ${message(e)}`].filter(Boolean).join('; ');
    }
  }
  lap('disassembly');
  try {
    const d = decompile(analysis);
    out.source = d.source;
    out.sourceComplete = d.complete;
  } catch (e) {
    out.error = [out.error, `decompiler: ${message(e)}`].filter(Boolean).join('; ');
  }
  lap('decompile');
  try {
    const found: Indicator[] = findIndicators(analysis);
    out.indicators = found;
  } catch (e) {
    out.error = [out.error, `indicator scan: ${message(e)}`].filter(Boolean).join('; ');
  }
  lap('indicators');
  return out;
}
