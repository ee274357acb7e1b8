/**
 * Structural check of a FileReport that arrived from outside (a shared link, a pasted JSON): every field the
 * views read has the right type and a bounded size, so a hostile link cannot crash or stall the page.
 * Hand-written for this one schema; `evidence`, `defaults` and `closure` stay free-form JSON (already bounded
 * by the JSON limits of the caller).
 */
import { SKIP_CATEGORIES, SKIPPED_PART_KINDS } from '../coverage';
import { ERROR_CODES, REMOTE_FAILURES, REPORT_SCHEMA, SEVERITIES, type FileReport } from '../report';

export class ReportShapeError extends Error {
  constructor(readonly pointer: string, message: string) {
    super(`${pointer || '/'}: ${message}`);
    this.name = 'ReportShapeError';
  }
}

type Check = (v: unknown, at: string) => void;

const MAX_STRING = 1_000_000;
const MAX_ITEMS = 100_000;

function fail(at: string, message: string): never {
  throw new ReportShapeError(at, message);
}

const str: Check = (v, at) => {
  if (typeof v !== 'string') fail(at, 'expected a string');
  if (v.length > MAX_STRING) fail(at, 'string too long');
};
const num: Check = (v, at) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(at, 'expected a finite number');
};
const bool: Check = (v, at) => {
  if (typeof v !== 'boolean') fail(at, 'expected a boolean');
};
const any: Check = () => {};
const oneOf =
  (values: readonly string[]): Check =>
  (v, at) => {
    if (typeof v !== 'string' || !values.includes(v)) fail(at, `expected one of ${values.join('|')}`);
  };
const nullable =
  (check: Check): Check =>
  (v, at) => {
    if (v !== null) check(v, at);
  };
const arrayOf =
  (check: Check, max = MAX_ITEMS): Check =>
  (v, at) => {
    if (!Array.isArray(v)) fail(at, 'expected an array');
    if (v.length > max) fail(at, `more than ${max} items`);
    v.forEach((x, i) => check(x, `${at}/${i}`));
  };
const recordOf =
  (check: Check): Check =>
  (v, at) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(at, 'expected an object');
    for (const [k, x] of Object.entries(v)) check(x, `${at}/${k}`);
  };
/** Required keys must be present; optional keys (`?` suffix) may be absent or undefined. Unknown keys pass. */
const obj =
  (shape: Record<string, Check>): Check =>
  (v, at) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(at, 'expected an object');
    const o = v as Record<string, unknown>;
    for (const [key, check] of Object.entries(shape)) {
      const optional = key.endsWith('?');
      const name = optional ? key.slice(0, -1) : key;
      const value = Object.prototype.hasOwnProperty.call(o, name) ? o[name] : undefined;
      if (value === undefined) {
        if (!optional) fail(`${at}/${name}`, 'missing');
        continue;
      }
      check(value, `${at}/${name}`);
    }
  };

const loaderImpact = obj({ loader: str, versions: str, when: oneOf(['default', 'option', 'fixed']), 'note?': str });
const indicator = obj({
  category: oneOf(['process', 'dynamic-code', 'file', 'network', 'obfuscation', 'environment']),
  title: str,
  evidence: arrayOf(str),
  where: str,
  offsets: arrayOf(num),
});
const codeSummary = obj({
  name: str,
  'qualname?': str,
  filename: str,
  firstlineno: num,
  argcount: num,
  posonlyargcount: num,
  kwonlyargcount: num,
  flags: num,
  varnames: arrayOf(str),
  freevars: arrayOf(str),
  cellvars: arrayOf(str),
  names: arrayOf(str),
  consts: arrayOf(str),
});
const decoding = obj({
  ok: bool,
  'error?': str,
  pythonVersions: arrayOf(obj({ version: str, evidence: arrayOf(str) })),
  names: arrayOf(str),
  strings: arrayOf(str),
  'code?': codeSummary,
  'disassembly?': str,
  'source?': str,
  sourceComplete: bool,
  indicators: arrayOf(indicator),
});
const payload = obj({
  encoding: oneOf(['base64', 'raw_unicode_escape', 'bytes']),
  carrier: str,
  sha256: str,
  size: num,
  'defaults?': any,
  'closure?': any,
  decoded: decoding,
  base64: str,
});
const finding = obj({
  id: str,
  rule: str,
  kind: str,
  severity: oneOf(SEVERITIES),
  title: str,
  explanation: str,
  document: str,
  location: str,
  'layer?': str,
  'slot?': str,
  references: arrayOf(str),
  loaders: arrayOf(loaderImpact),
  evidence: recordOf(any),
  'payload?': payload,
});
const layer = obj({
  path: str,
  name: str,
  className: str,
  'parent?': str,
  'role?': str,
  inbound: arrayOf(str),
  container: bool,
  document: str,
  location: str,
});
const fileReport = obj({
  schema: oneOf([REPORT_SCHEMA]),
  tool: obj({ name: oneOf(['lambdalens']), version: str }),
  path: str,
  size: num,
  format: str,
  formatDetail: str,
  sha256: nullable(str),
  verdict: oneOf(['dangerous', 'suspicious', 'clean', 'error']),
  verdictReason: str,
  // `code` is absent in reports written before error codes existed (old shared links).
  'error?': obj({ 'code?': oneOf(ERROR_CODES), message: str, 'offset?': num, 'pointer?': str }),
  'model?': obj({
    'className?': str,
    'name?': str,
    'kerasVersion?': str,
    'backend?': str,
    writer: recordOf(str),
    layerCount: num,
  }),
  layers: arrayOf(layer),
  findings: arrayOf(finding),
  'members?': arrayOf(obj({ name: str, compressedSize: num, size: num, method: str })),
  // Absent in reports written before the coverage ledger existed.
  'skipped?': arrayOf(obj({ part: str, kind: oneOf(SKIPPED_PART_KINDS), category: oneOf(SKIP_CATEGORIES), reason: str, readBy: arrayOf(str) })),
  'notes?': arrayOf(str),
  timings: obj({ totalMs: num, 'stages?': recordOf(num), 'host?': recordOf(num) }),
  'remote?': obj({ url: str, 'redirectedTo?': str, bytesRead: num, requests: num, networkMs: num, 'failure?': oneOf(REMOTE_FAILURES) }),
});

/** Throws ReportShapeError (with a JSON pointer) unless `value` has the FileReport shape. */
export function assertFileReport(value: unknown): asserts value is FileReport {
  fileReport(value, '');
}
