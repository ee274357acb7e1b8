/**
 * A Markdown summary of one or more reports, for pasting into a ticket. Every string that comes from the
 * file (paths, layer names, titles built from config values, decompiled code, indicators) goes through
 * markdown-escape.ts, so a hostile model cannot break the layout, inject HTML or ping people.
 */
import { whatItDoes, whatItDoesText } from '../analysis/what-it-does';
import type { Finding, FileReport, LoaderImpact, PayloadReport, Severity } from '../report';
import { mdCode, mdFence, mdText } from './markdown-escape';

export interface MarkdownOptions {
  /** Longest decompiled source or disassembly printed per payload (characters); default 20 000. */
  maxCodeChars?: number;
  /** `fallback` (default): disassembly only when there is no source; `always`; `never`. */
  disassembly?: 'fallback' | 'always' | 'never';
}

const SEVERITY_LABEL: Record<Severity, string> = {
  critical: 'CRITICAL',
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
  info: 'INFO',
};

const WHEN_LABEL: Record<LoaderImpact['when'], string> = {
  default: 'runs on a plain load',
  option: 'runs with an option',
  fixed: 'blocked by default',
};

function formatBytes(n: number): string {
  return `${n.toLocaleString('en-US')} bytes`;
}

function clipCode(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}\n# … clipped: ${text.length - max} more characters` : text;
}

function locationCell(f: Finding): string {
  return `${mdCode(f.document)} ${mdCode(f.location || '/')}`;
}

function layerCell(f: Finding): string {
  if (!f.layer) return '—';
  return f.slot ? `${mdCode(f.layer)} (${mdText(f.slot, 60)})` : mdCode(f.layer);
}

function loaderTable(loaders: readonly LoaderImpact[]): string[] {
  if (loaders.length === 0) return [];
  const lines = ['| Loader | Versions | Effect | Note |', '|---|---|---|---|'];
  for (const l of loaders) {
    lines.push(`| ${mdText(l.loader, 120)} | ${mdText(l.versions, 80)} | ${WHEN_LABEL[l.when] ?? mdText(l.when)} | ${l.note ? mdText(l.note, 200) : ''} |`);
  }
  return lines;
}

function payloadSection(p: PayloadReport, options: Required<MarkdownOptions>): string[] {
  const d = p.decoded;
  const versions = d.pythonVersions.map((v) => v.version);
  const lines = [
    `- Payload: ${formatBytes(p.size)} of marshal bytes, sha256 ${mdCode(p.sha256)}`,
    `- Stored as: ${mdText(p.encoding)} in a ${mdCode(p.carrier)} carrier`,
    `- Python: ${versions.length ? versions.map((v) => mdCode(v)).join(', ') : 'unknown'}`,
  ];
  if (d.code) lines.push(`- Code object: ${mdCode(d.code.qualname ?? d.code.name)} from ${mdCode(d.code.filename)} line ${d.code.firstlineno}`);
  if (p.defaults !== undefined && p.defaults !== null) lines.push(`- Stored defaults: ${mdCode(JSON.stringify(p.defaults) ?? '')}`);
  if (p.closure !== undefined && p.closure !== null) lines.push(`- Stored closure: ${mdCode(JSON.stringify(p.closure) ?? '')}`);
  if (!d.ok) lines.push(`- Could not decode: ${mdText(d.error ?? 'unknown error')}`);
  if (d.indicators.length) {
    lines.push('', '**Indicators**', '');
    for (const ind of d.indicators) {
      const evidence = ind.evidence.slice(0, 12).map((e) => mdCode(e, 120)).join(', ');
      lines.push(`- ${mdText(ind.category)}: ${mdText(ind.title, 200)}${evidence ? ` — ${evidence}` : ''} in ${mdCode(ind.where, 120)}`);
    }
  }
  const showDis = options.disassembly === 'always' || (options.disassembly === 'fallback' && !d.source);
  if (d.source) {
    lines.push('', d.sourceComplete ? '**Decompiled source**' : '**Decompiled source** (partial: check the disassembly)', '');
    lines.push(mdFence(clipCode(d.source, options.maxCodeChars), 'python'));
  }
  if (showDis && d.disassembly) {
    lines.push('', `**Disassembly**${versions[0] ? ` (as Python ${mdText(versions[0])} prints it)` : ''}`, '');
    lines.push(mdFence(clipCode(d.disassembly, options.maxCodeChars), 'text'));
  }
  return lines;
}

function findingSection(f: Finding, n: number, options: Required<MarkdownOptions>): string[] {
  const lines = [`### ${n}. ${mdText(f.title, 300)}`, ''];
  lines.push(`**What it does:** ${whatItDoesText(whatItDoes(f), (v) => mdCode(v), (t) => mdText(t, 300)).replace(/^[a-z]/, (c) => c.toUpperCase())}.`, '');
  lines.push(`- Severity: **${SEVERITY_LABEL[f.severity] ?? mdText(f.severity)}** · rule ${mdCode(f.rule)} · ${mdText(f.kind)}`);
  if (f.layer) lines.push(`- Layer: ${layerCell(f)}`);
  lines.push(`- Location: ${locationCell(f)}`);
  if (f.references.length) lines.push(`- References: ${f.references.map((r) => mdText(r, 200)).join(', ')}`);
  lines.push('', mdText(f.explanation, 2000));
  if (f.payload) lines.push('', ...payloadSection(f.payload, options));
  return lines;
}

/** The Markdown for one report. */
export function reportToMarkdown(report: FileReport, options: MarkdownOptions = {}): string {
  const opts: Required<MarkdownOptions> = { maxCodeChars: 20_000, disassembly: 'fallback', ...options };
  const lines: string[] = [];
  lines.push(`## Lambda Lens: ${mdCode(report.path)}`, '');
  lines.push(`**Verdict: ${mdText(String(report.verdict).toUpperCase(), 20)}** — ${mdText(report.verdictReason, 1000)}`, '');
  lines.push('| | |', '|---|---|');
  lines.push(`| Format | ${mdText(report.formatDetail || report.format, 200)} |`);
  lines.push(`| Size | ${formatBytes(report.size)} |`);
  if (report.sha256) lines.push(`| SHA-256 | ${mdCode(report.sha256)} |`);
  const m = report.model;
  if (m) {
    const model = [m.className && mdCode(m.className), m.name && mdCode(m.name)].filter(Boolean).join(' ');
    if (model) lines.push(`| Model | ${model}, ${m.layerCount} layers |`);
    if (m.kerasVersion) lines.push(`| Saved by Keras | ${mdCode(m.kerasVersion)}${m.backend ? ` (${mdText(m.backend, 40)})` : ''} |`);
  }
  lines.push(`| Tool | lambdalens ${mdText(report.tool.version, 40)} |`);
  if (report.error) {
    const where = [report.error.offset !== undefined ? `byte ${report.error.offset}` : '', report.error.pointer ? mdCode(report.error.pointer) : '']
      .filter(Boolean)
      .join(', ');
    lines.push('', `**Error (${mdText(report.error.code ?? 'damaged', 20)}):** ${mdText(report.error.message, 1000)}${where ? ` (at ${where})` : ''}`);
  }
  const skipped = report.skipped ?? [];
  if (skipped.length) {
    lines.push('', `### Not inspected (${skipped.length})`, '', 'A loader reads these parts, but this inspector could not; the file cannot be called clean.', '');
    lines.push('| Part | Why | Read by |', '|---|---|---|');
    for (const s of skipped) lines.push(`| ${mdCode(s.part)} | ${mdText(s.category, 20)}: ${mdText(s.reason, 500)} | ${mdText(s.readBy.join(', '), 300)} |`);
  }
  lines.push('');
  if (report.findings.length === 0) {
    lines.push('No findings.');
    return lines.join('\n') + '\n';
  }
  lines.push(`### Findings (${report.findings.length})`, '');
  lines.push('| # | Severity | Rule | Layer | Location |', '|---|---|---|---|---|');
  report.findings.forEach((f, i) => {
    lines.push(`| ${i + 1} | ${SEVERITY_LABEL[f.severity] ?? mdText(f.severity)} | ${mdCode(f.rule)} | ${layerCell(f)} | ${locationCell(f)} |`);
  });
  // The loader matrix once per rule: findings of one rule share it unless a rule overrides it per finding.
  const matrices = new Map<string, LoaderImpact[]>();
  for (const f of report.findings) {
    const key = `${f.rule}\u0000${JSON.stringify(f.loaders)}`;
    if (!matrices.has(key) && f.loaders.length) matrices.set(key, f.loaders);
  }
  if (matrices.size) {
    lines.push('', '### Which loaders run it', '');
    for (const [key, loaders] of matrices) {
      lines.push(`Rule ${mdCode(key.slice(0, key.indexOf('\u0000')))}:`, '', ...loaderTable(loaders), '');
    }
  }
  report.findings.forEach((f, i) => lines.push('', ...findingSection(f, i + 1, opts)));
  return lines.join('\n') + '\n';
}

/** Markdown for several reports: one section each, separated by rules. */
export function reportsToMarkdown(reports: readonly FileReport[], options: MarkdownOptions = {}): string {
  return reports.map((r) => reportToMarkdown(r, options)).join('\n---\n\n');
}
