/**
 * The documents other programs read: `lambdalens/scan@1` (the CLI's `scan --json` and the page's JSON export:
 * always one object with every file's report, whatever the number of files), its `--jsonl` lines (one
 * FileReport per line), and `lambdalens/decode@1` (`decode --json`). Their JSON Schemas (schemas/*.schema.json)
 * are written from the shapes below by scripts/schemas.mjs.
 */
import { countBySeverity } from '../analysis/verdict';
import type { Indicator, PayloadDecoding } from '../python/types';
import { SEVERITIES, VERDICTS, type FileReport, type Severity, type Verdict } from '../report';
import { VERSION } from '../version';
import { decodingShape, fileReportShape } from './report-validate';
import { arrayOf, described, int, obj, oneOf, str, type Shape } from './shape';

export const SCAN_SCHEMA = 'lambdalens/scan@1';
export const DECODE_SCHEMA = 'lambdalens/decode@1';

const TOOL = { name: 'lambdalens', version: VERSION } as const;

/** A path given to (or found by) the scan that holds no model, and why it was left out. */
export interface SkippedPath {
  path: string;
  reason: string;
}

export interface ScanSummary {
  files: number;
  verdicts: Record<Verdict, number>;
  severities: Record<Severity, number>;
}

export interface ScanEnvelope {
  schema: typeof SCAN_SCHEMA;
  tool: { name: 'lambdalens'; version: string };
  files: FileReport[];
  summary: ScanSummary;
  skipped: SkippedPath[];
}

export function summarize(reports: readonly FileReport[]): ScanSummary {
  const verdicts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  const severities = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const r of reports) {
    verdicts[r.verdict]++;
    for (const [s, n] of Object.entries(countBySeverity(r.findings)) as [Severity, number][]) severities[s] += n;
  }
  return { files: reports.length, verdicts, severities };
}

export function scanEnvelope(reports: readonly FileReport[], skipped: readonly SkippedPath[] = []): ScanEnvelope {
  return { schema: SCAN_SCHEMA, tool: { ...TOOL }, files: [...reports], summary: summarize(reports), skipped: [...skipped] };
}

/** How bad a lone payload is, by what its code does, so `decode` exits by the same `--fail-on` rule as `scan`. */
const INDICATOR_SEVERITY: Record<Indicator['category'], Severity> = {
  process: 'critical',
  'dynamic-code': 'critical',
  file: 'critical',
  network: 'critical',
  obfuscation: 'high',
  environment: 'medium',
};

/**
 * The payload's severity: the worst of its indicators (code that runs a process, evaluates code, touches files or
 * the network is critical, as in a Lambda that runs on load); an unreadable payload is medium (it could not be
 * inspected); readable code with no indicator is info.
 */
export function decodeSeverity(decoded: PayloadDecoding): Severity {
  if (!decoded.ok) return 'medium';
  let worst: Severity = 'info';
  for (const i of decoded.indicators) {
    const s = INDICATOR_SEVERITY[i.category];
    if (SEVERITIES.indexOf(s) < SEVERITIES.indexOf(worst)) worst = s;
  }
  return worst;
}

export interface DecodeEnvelope {
  schema: typeof DECODE_SCHEMA;
  tool: { name: 'lambdalens'; version: string };
  input: { bytes: number; sha256: string };
  severity: Severity;
  decoded: PayloadDecoding;
}

export function decodeEnvelope(decoded: PayloadDecoding, input: { bytes: number; sha256: string }): DecodeEnvelope {
  return { schema: DECODE_SCHEMA, tool: { ...TOOL }, input, severity: decodeSeverity(decoded), decoded };
}

// ---- shapes (the schemas' single source) ----

const tool = obj({ name: oneOf(['lambdalens']), version: str });
const counts = (keys: readonly string[]): Shape => obj(Object.fromEntries(keys.map((k) => [k, int])));

export const scanEnvelopeShape: Shape = obj(
  {
    schema: oneOf([SCAN_SCHEMA]),
    tool,
    files: described(arrayOf(fileReportShape), 'One report per model file, in the order the files were given or found.'),
    summary: obj({ files: int, verdicts: counts(VERDICTS), severities: counts(SEVERITIES) }),
    skipped: described(arrayOf(obj({ path: str, reason: str })), 'Paths found that hold no model file, with why; never counted in files.'),
  },
  'Lambda Lens scan result: every file scanned in one call.',
);

export const decodeEnvelopeShape: Shape = obj(
  {
    schema: oneOf([DECODE_SCHEMA]),
    tool,
    input: obj({ bytes: int, sha256: str }),
    severity: oneOf(SEVERITIES),
    decoded: decodingShape,
  },
  'Lambda Lens decode result: one marshalled Python code object, disassembled and decompiled (never run).',
);

/** The JSON Schemas shipped in schemas/, by file name. */
export function jsonSchemas(): Record<string, object> {
  const doc = (id: string, title: string, shape: Shape) => ({
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title,
    $comment: `Written by scripts/schemas.mjs from src/core/export; do not edit (${id}).`,
    ...shape.schema,
  });
  return {
    'scan.schema.json': doc('scan.schema.json', SCAN_SCHEMA, scanEnvelopeShape),
    'report.schema.json': doc('report.schema.json', 'lambdalens/report@1 (one FileReport; one line of scan --jsonl)', fileReportShape),
    'decode.schema.json': doc('decode.schema.json', DECODE_SCHEMA, decodeEnvelopeShape),
  };
}
