/** Human-readable CLI output of a report (formatting only; the report is the data). */
import { countBySeverity } from '../core/analysis/verdict';
import { whatItDoes, whatItDoesText } from '../core/analysis/what-it-does';
import type { FileReport, Finding } from '../core/report';

const useColor = typeof process !== 'undefined' && process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: string, s: string) => (useColor ? `\x1b[${code}m${s}\x1b[0m` : s);
const VERDICT_COLOR = { dangerous: '1;31', suspicious: '1;33', clean: '1;32', error: '1;35' } as const;

/** Control and bidi characters from the file are shown escaped, never interpreted by the terminal. */
export function inert(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, (c) =>
    c === '\n' ? '\n' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export function clip(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

function formatFinding(f: Finding): string[] {
  const lines = [`  [${f.severity.toUpperCase()}] ${f.rule}  ${inert(f.title)}`];
  lines.push(`      what it does: ${inert(whatItDoesText(whatItDoes(f)))}`);
  lines.push(`      at ${inert(f.document)}${inert(f.location)}${f.layer ? `  (layer ${inert(f.layer)}${f.slot ? `, ${f.slot}` : ''})` : ''}`);
  const d = f.payload?.decoded;
  if (d) {
    if (d.pythonVersions.length) lines.push(`      python: ${d.pythonVersions.map((v) => v.version).join(', ')}`);
    if (d.names.length) lines.push(`      names: ${inert(clip(d.names.join(', '), 160))}`);
    if (d.strings.length) lines.push(`      strings: ${inert(clip(d.strings.map((s) => JSON.stringify(s)).join(', '), 160))}`);
    if (d.source) lines.push(`      source${d.sourceComplete ? '' : ' (partial)'}: ${inert(clip(d.source.replace(/\n/g, ' ⏎ '), 200))}`);
    if (!d.ok && d.error) lines.push(`      decode error: ${inert(d.error)}`);
  }
  const defaults = f.loaders.filter((l) => l.when === 'default');
  if (defaults.length) lines.push(`      runs on plain load: ${defaults.map((l) => `${l.loader} ${l.versions}`).join('; ')}`);
  if (f.references.length) lines.push(`      refs: ${f.references.join(', ')}`);
  return lines;
}

export function formatReportText(r: FileReport): string {
  const counts = countBySeverity(r.findings);
  const countText = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
  const lines = [
    `${inert(r.path)}  ${paint(VERDICT_COLOR[r.verdict], r.verdict.toUpperCase())}${r.error ? ` (${r.error.code})` : ''}  ${r.format}${r.formatDetail ? ` (${inert(r.formatDetail)})` : ''}  ${r.timings.totalMs} ms`,
    `  ${inert(r.verdictReason)}`,
  ];
  if (r.model) {
    const m = r.model;
    lines.push(`  model: ${inert(m.className ?? '?')} ${inert(m.name ?? '')}, ${m.layerCount} layers${m.kerasVersion ? `, written by Keras ${inert(m.kerasVersion)}` : ''}${m.backend ? ` (${inert(m.backend)})` : ''}`);
  }
  if (r.sha256) lines.push(`  sha256: ${r.sha256}`);
  for (const s of r.skipped ?? []) lines.push(`  not inspected: ${inert(s.part)} (${s.category}): ${inert(s.reason)}${s.readBy.length ? `; read by ${inert(s.readBy.join(', '))}` : ''}`);
  for (const note of r.notes ?? []) lines.push(`  note: ${inert(note)}`);
  if (countText) lines.push(`  findings: ${countText}`);
  for (const f of r.findings) lines.push(...formatFinding(f));
  return lines.join('\n');
}
