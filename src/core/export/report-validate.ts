/**
 * The shape of a FileReport, written once (./shape.ts): the bounded structural check for a report that arrived
 * from outside (a shared link, a pasted JSON), so a hostile link cannot crash or stall the page, and the JSON
 * Schema in `schemas/` (scripts/schemas.mjs writes it from these shapes). `evidence`, `defaults` and `closure`
 * stay free-form JSON (already bounded by the JSON limits of the caller).
 */
import { SKIP_CATEGORIES, SKIPPED_PART_KINDS } from '../coverage';
import { ERROR_CODES, REMOTE_FAILURES, REPORT_SCHEMA, SEVERITIES, VERDICTS, type FileReport } from '../report';
import { anyJson as any, arrayOf, bool, nullable, num, obj, oneOf, recordOf, ShapeError, str, type Shape } from './shape';

/** Kept as the name callers catch. */
export const ReportShapeError = ShapeError;

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
export const decodingShape: Shape = obj({
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
  decoded: decodingShape,
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
export const fileReportShape: Shape = obj({
  schema: oneOf([REPORT_SCHEMA]),
  tool: obj({ name: oneOf(['lambdalens']), version: str }),
  path: str,
  size: num,
  format: str,
  formatDetail: str,
  sha256: nullable(str),
  verdict: oneOf(VERDICTS),
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
  fileReportShape.check(value, '');
}
