/**
 * SARIF 2.1.0 log from FileReports, for code-scanning dashboards (GitHub, GitLab, Azure DevOps, VS Code's
 * SARIF viewer). One run; one result per finding. A model file has no source lines, so each result points at
 * the file (physicalLocation without a region) and names the config position as a logical location
 * `<document><JSON pointer>`.
 */
import { RULES } from '../analysis/registry';
import type { FileReport, Finding, Severity } from '../report';
import { SEVERITIES } from '../report';
import { VERSION } from '../version';

export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

export type SarifLevel = 'error' | 'warning' | 'note' | 'none';

export interface SarifMessage {
  text: string;
  markdown?: string;
}

export interface SarifReportingDescriptor {
  id: string;
  name?: string;
  shortDescription?: SarifMessage;
  fullDescription?: SarifMessage;
  help?: SarifMessage;
  helpUri?: string;
  defaultConfiguration?: { level: SarifLevel; rank?: number };
  properties?: Record<string, unknown>;
}

export interface SarifArtifactLocation {
  uri: string;
  index?: number;
}

export interface SarifLogicalLocation {
  name?: string;
  fullyQualifiedName?: string;
  kind?: string;
}

export interface SarifLocation {
  physicalLocation?: { artifactLocation: SarifArtifactLocation };
  logicalLocations?: SarifLogicalLocation[];
  message?: SarifMessage;
  properties?: Record<string, unknown>;
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  kind: 'fail' | 'review';
  level: SarifLevel;
  message: SarifMessage;
  locations: SarifLocation[];
  partialFingerprints: Record<string, string>;
  properties: Record<string, unknown>;
}

export interface SarifArtifact {
  location: SarifArtifactLocation;
  length: number;
  hashes?: Record<string, string>;
  properties?: Record<string, unknown>;
}

export interface SarifNotification {
  level: SarifLevel;
  message: SarifMessage;
  locations?: SarifLocation[];
}

export interface SarifRun {
  tool: { driver: { name: string; version: string; semanticVersion: string; rules: SarifReportingDescriptor[] } };
  invocations: { executionSuccessful: boolean; toolExecutionNotifications: SarifNotification[] }[];
  artifacts: SarifArtifact[];
  results: SarifResult[];
  columnKind: 'unicodeCodePoints';
  properties: Record<string, unknown>;
}

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: SarifRun[];
}

/** The rule facts SARIF wants; the registry provides them, findings fill in rules it does not know. */
export interface SarifRuleMeta {
  id: string;
  title: string;
  severity: Severity;
  explanation: string;
  references: readonly string[];
  kind?: string;
}

export interface SarifOptions {
  /** Rule catalogue (default: the analysis registry). */
  rules?: readonly SarifRuleMeta[];
  toolVersion?: string;
}

/** critical/high → error, medium → warning, low/info → note. */
export function sarifLevel(severity: Severity): SarifLevel {
  if (severity === 'critical' || severity === 'high') return 'error';
  if (severity === 'medium') return 'warning';
  return 'note';
}

/** GitHub code scanning reads `security-severity` (0–10) to bucket results; these are the bucket middles. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '2.0', info: '0.0' };

/** A file path as a URI reference: absolute paths become `file:` URIs, relative ones stay relative. */
export function pathToUri(path: string): string {
  const slashed = path.replace(/\\/g, '/');
  const encode = (p: string) => p.split('/').map((s) => encodeURIComponent(s)).join('/');
  const drive = /^([A-Za-z]):\//.exec(slashed);
  if (drive) return `file:///${drive[1]}:/${encode(slashed.slice(3))}`;
  if (slashed.startsWith('//')) return `file:${encode(slashed)}`;
  if (slashed.startsWith('/')) return `file://${encode(slashed)}`;
  return encode(slashed);
}

function referenceUri(ref: string): string | undefined {
  if (/^CVE-\d{4}-\d{4,}$/.test(ref)) return `https://www.cve.org/CVERecord?id=${ref}`;
  if (/^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$/.test(ref)) return `https://github.com/advisories/${ref}`;
  if (/^https?:\/\/\S+$/.test(ref)) return ref;
  return undefined;
}

function loaderSummary(f: Finding): string {
  const parts = f.loaders.map((l) => {
    const when = l.when === 'default' ? 'on a plain load' : l.when === 'option' ? `with ${l.note ?? 'an option'}` : `blocked (${l.note ?? 'fixed'})`;
    return `${l.loader} ${l.versions} ${when}`;
  });
  return parts.length ? ` Runs: ${parts.join('; ')}.` : '';
}

function mostSevere(a: Severity, b: Severity): Severity {
  return SEVERITIES.indexOf(a) <= SEVERITIES.indexOf(b) ? a : b;
}

function ruleDescriptor(meta: SarifRuleMeta): SarifReportingDescriptor {
  const refs = meta.references.map((r) => ({ ref: r, uri: referenceUri(r) }));
  const helpUri = refs.find((r) => r.uri)?.uri;
  const refText = meta.references.length ? `\n\nReferences: ${meta.references.join(', ')}` : '';
  return {
    id: meta.id,
    name: meta.id.replace(/[^A-Za-z0-9]+/g, ' ').trim().replace(/ (.)/g, (_, c: string) => c.toUpperCase()).replace(/ /g, ''),
    shortDescription: { text: meta.title },
    fullDescription: { text: meta.explanation || meta.title },
    help: { text: `${meta.explanation || meta.title}${refText}` },
    ...(helpUri ? { helpUri } : {}),
    defaultConfiguration: { level: sarifLevel(meta.severity) },
    properties: {
      tags: ['security', ...(meta.kind ? [meta.kind] : [])],
      'security-severity': SECURITY_SEVERITY[meta.severity],
      severity: meta.severity,
      references: [...meta.references],
    },
  };
}

function resultProperties(f: Finding): Record<string, unknown> {
  const props: Record<string, unknown> = {
    severity: f.severity,
    kind: f.kind,
    document: f.document,
    pointer: f.location,
    loaders: f.loaders,
    evidence: f.evidence,
  };
  if (f.layer !== undefined) props.layer = f.layer;
  if (f.slot !== undefined) props.slot = f.slot;
  if (f.payload) {
    const d = f.payload.decoded;
    props.payload = {
      sha256: f.payload.sha256,
      size: f.payload.size,
      encoding: f.payload.encoding,
      carrier: f.payload.carrier,
      pythonVersions: d.pythonVersions.map((v) => v.version),
      names: d.names.slice(0, 100),
      indicators: d.indicators.map((i) => ({ category: i.category, title: i.title, evidence: i.evidence, where: i.where })),
      ...(d.source ? { source: d.source.slice(0, 10_000) } : {}),
    };
  }
  return props;
}

/** The coverage ledger as a rule: a part a loader reads that was not inspected keeps a file out of "clean". */
const NOT_INSPECTED: SarifRuleMeta = {
  id: 'R-NOT-INSPECTED',
  title: 'A part the loader reads was not inspected',
  severity: 'medium',
  explanation:
    'Lambda Lens could not inspect this part of the file (too large, encrypted, unreadable or in a form it does not read), although a loader reads it. Whatever it holds is unknown, so the file is not reported clean.',
  references: [],
  kind: 'other',
};

/** One SARIF log (one run) for all reports. */
export function toSarif(reports: readonly FileReport[], options: SarifOptions = {}): SarifLog {
  const catalogue = new Map<string, SarifRuleMeta>((options.rules ?? RULES).map((r) => [r.id, r]));
  const version = options.toolVersion ?? reports[0]?.tool.version ?? VERSION;

  // Rules in order of first use; unknown ids (a newer report, a shared link) are described from their findings.
  const ruleMeta = new Map<string, SarifRuleMeta>();
  for (const r of reports) {
    for (const f of r.findings) {
      const known = catalogue.get(f.rule);
      const seen = ruleMeta.get(f.rule);
      if (known && !seen) ruleMeta.set(f.rule, { ...known, kind: known.kind ?? f.kind });
      else if (!seen) ruleMeta.set(f.rule, { id: f.rule, title: f.title, severity: f.severity, explanation: f.explanation, references: f.references, kind: f.kind });
      else if (!known) ruleMeta.set(f.rule, { ...seen, severity: mostSevere(seen.severity, f.severity) });
    }
  }
  if (reports.some((r) => (r.skipped ?? []).length > 0)) ruleMeta.set(NOT_INSPECTED.id, NOT_INSPECTED);
  const ruleIds = [...ruleMeta.keys()];
  const rules = [...ruleMeta.values()].map(ruleDescriptor);

  const artifacts: SarifArtifact[] = reports.map((r) => ({
    location: { uri: pathToUri(r.path) },
    length: r.size,
    ...(r.sha256 ? { hashes: { 'sha-256': r.sha256 } } : {}),
    properties: { format: r.format, formatDetail: r.formatDetail, verdict: r.verdict, verdictReason: r.verdictReason },
  }));

  const results: SarifResult[] = [];
  const notifications: SarifNotification[] = [];
  reports.forEach((r, index) => {
    const artifactLocation = { uri: pathToUri(r.path), index };
    if (r.error) {
      notifications.push({
        level: 'error',
        message: { text: `${r.path}: ${r.error.message}` },
        locations: [{ physicalLocation: { artifactLocation }, ...(r.error.pointer ? { logicalLocations: [{ fullyQualifiedName: r.error.pointer, kind: 'member' }] } : {}) }],
      });
    }
    for (const s of r.skipped ?? []) {
      results.push({
        ruleId: NOT_INSPECTED.id,
        ruleIndex: ruleIds.indexOf(NOT_INSPECTED.id),
        kind: 'review',
        level: 'warning',
        message: { text: `${s.part} was not inspected (${s.category}): ${s.reason}` },
        locations: [{ physicalLocation: { artifactLocation }, logicalLocations: [{ fullyQualifiedName: s.part, kind: 'member' }] }],
        partialFingerprints: { 'lambdalensSkipped/v1': `${s.part}:${s.category}`, ...(r.sha256 ? { 'lambdalensFileSha256/v1': r.sha256 } : {}) },
        properties: { category: s.category, part: s.part, partKind: s.kind, readBy: s.readBy },
      });
    }
    for (const f of r.findings) {
      const fingerprints: Record<string, string> = { 'lambdalensFinding/v1': f.id };
      if (f.payload) fingerprints['lambdalensPayloadSha256/v1'] = f.payload.sha256;
      if (r.sha256) fingerprints['lambdalensFileSha256/v1'] = r.sha256;
      results.push({
        ruleId: f.rule,
        ruleIndex: ruleIds.indexOf(f.rule),
        kind: 'fail',
        level: sarifLevel(f.severity),
        message: { text: `${f.title}.${loaderSummary(f)}` },
        locations: [
          {
            physicalLocation: { artifactLocation },
            logicalLocations: [
              {
                ...(f.layer ? { name: f.layer } : {}),
                fullyQualifiedName: `${f.document}${f.location}`,
                kind: 'member',
              },
            ],
            message: { text: f.layer ? `layer ${f.layer}${f.slot ? ` (${f.slot})` : ''} at ${f.document}${f.location}` : `${f.document}${f.location}` },
          },
        ],
        partialFingerprints: fingerprints,
        properties: resultProperties(f),
      });
    }
  });

  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'lambdalens', version, semanticVersion: version, rules } },
        invocations: [{ executionSuccessful: reports.every((r) => r.verdict !== 'error'), toolExecutionNotifications: notifications }],
        artifacts,
        results,
        columnKind: 'unicodeCodePoints',
        properties: { verdicts: reports.map((r) => ({ path: r.path, verdict: r.verdict })) },
      },
    ],
  };
}

/** The log as the text written to a `.sarif` file. */
export function toSarifText(reports: readonly FileReport[], options?: SarifOptions): string {
  return JSON.stringify(toSarif(reports, options), null, 2) + '\n';
}
