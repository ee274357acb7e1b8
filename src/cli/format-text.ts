/** Human-readable CLI output of a report (formatting only; the report is the data). Every line is TerminalText. */
import { countBySeverity } from '../core/analysis/verdict';
import { pickleEvidenceOf } from '../core/analysis/pickle-evidence';
import { whatItDoes, whatItDoesText } from '../core/analysis/what-it-does';
import type { FileReport, Finding } from '../core/report';
import { describeRemoteRead } from '../core/remote/scan-url';
import { inert, joinText, own, paint, term, type TerminalText } from './terminal-text';

const VERDICT_COLOR = { dangerous: '1;31', suspicious: '1;33', clean: '1;32', error: '1;35' } as const;

export function clip(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

function formatFinding(f: Finding): TerminalText[] {
  const lines = [term`  [${own(f.severity.toUpperCase())}] ${own(f.rule)}  ${inert(f.title)}`];
  lines.push(term`      what it does: ${inert(whatItDoesText(whatItDoes(f)))}`);
  const layer = f.layer ? term`  (layer ${inert(f.layer)}${f.slot ? term`, ${inert(f.slot)}` : own('')})` : own('');
  lines.push(term`      at ${inert(f.document)}${inert(f.location)}${layer}`);
  const d = f.payload?.decoded;
  if (d) {
    if (d.pythonVersions.length) lines.push(term`      python: ${own(d.pythonVersions.map((v) => v.version).join(', '))}`);
    if (d.names.length) lines.push(term`      names: ${inert(clip(d.names.join(', '), 160))}`);
    if (d.strings.length) lines.push(term`      strings: ${inert(clip(d.strings.map((s) => JSON.stringify(s)).join(', '), 160))}`);
    if (d.source) lines.push(term`      source${own(d.sourceComplete ? '' : ' (partial)')}: ${inert(clip(d.source.replace(/\n/g, ' ⏎ '), 200))}`);
    if (!d.ok && d.error) lines.push(term`      decode error: ${inert(d.error)}`);
  }
  const globals = pickleGlobals(f);
  if (globals.length) lines.push(term`      globals: ${inert(clip(globals.join(', '), 200))}`);
  const defaults = f.loaders.filter((l) => l.when === 'default');
  if (defaults.length) lines.push(term`      runs on plain load: ${inert(defaults.map((l) => `${l.loader} ${l.versions}`).join('; '))}`);
  if (f.references.length) lines.push(term`      refs: ${inert(f.references.join(', '))}`);
  return lines;
}

/** `module.name` of each global to review in a pickle finding (structured evidence, read defensively once). */
function pickleGlobals(f: Finding): string[] {
  return (pickleEvidenceOf(f.evidence)?.globals ?? []).filter((g) => !g.safe).map((g) => `${g.module}.${g.name}`);
}

export function formatReportText(r: FileReport): TerminalText {
  const counts = countBySeverity(r.findings);
  const countText = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
  const detail = r.formatDetail ? term` (${inert(r.formatDetail)})` : own('');
  const lines: TerminalText[] = [
    term`${inert(r.path)}  ${paint(VERDICT_COLOR[r.verdict], own(r.verdict.toUpperCase()))}${r.error?.code ? term` (${own(r.error.code)})` : own('')}  ${own(r.format)}${detail}  ${r.timings.totalMs} ms`,
    term`  ${inert(r.verdictReason)}`,
  ];
  if (r.model) {
    const m = r.model;
    const keras = m.kerasVersion ? term`, written by Keras ${inert(m.kerasVersion)}` : own('');
    const backend = m.backend ? term` (${inert(m.backend)})` : own('');
    lines.push(term`  model: ${inert(m.className ?? '?')} ${inert(m.name ?? '')}, ${m.layerCount} layers${keras}${backend}`);
  }
  if (r.sha256) lines.push(term`  sha256: ${inert(r.sha256)}`);
  if (r.remote) {
    const redirected = r.remote.redirectedTo ? term`, redirected to ${inert(r.remote.redirectedTo)}` : own('');
    lines.push(term`  remote: ${inert(describeRemoteRead(r.remote, r.size))}${redirected}`);
  }
  for (const s of r.skipped ?? []) {
    const readBy = s.readBy.length ? term`; read by ${inert(s.readBy.join(', '))}` : own('');
    lines.push(term`  not inspected: ${inert(s.part)} (${own(s.category)}): ${inert(s.reason)}${readBy}`);
  }
  for (const note of r.notes ?? []) lines.push(term`  note: ${inert(note)}`);
  if (countText) lines.push(term`  findings: ${own(countText)}`);
  for (const f of r.findings) lines.push(...formatFinding(f));
  return joinText(lines, '\n');
}
