/**
 * Human-readable `lambdalens diff` output (formatting only; the ModelDiff is the data, src/core/diff/describe.ts
 * the shared wording). Every text that comes from a file — paths, layer names, config values, decoded constants
 * and source — goes through `inert`, so a crafted model cannot drive the terminal. Lines starting with `!` are
 * differences that can change the code a load runs.
 */
import { codeChangeText, differenceText, KIND_LABEL, type Shown } from '../core/diff/describe';
import type { Difference, DiffFile, LineDiff, ModelDiff, PayloadSide } from '../core/diff/types';
import { clip, inert } from './format-text';

const SHOWN: Shown = {
  text: inert,
  value: (v) => (v === undefined ? '(absent)' : inert(clip(JSON.stringify(v), 160))),
};

function fileLine(label: string, f: DiffFile): string {
  const model = f.model ? `, ${inert(f.model.className ?? '?')} with ${f.model.layerCount} layers` : '';
  return `${label}: ${inert(f.path)}  ${f.format}${model}, ${f.verdict}${f.sha256 ? `  sha256 ${f.sha256}` : ''}`;
}

function source(p: PayloadSide): string {
  if (p.source) return inert(clip(p.source.trim().replace(/\n/g, ' ⏎ '), 200)) + (p.sourceComplete ? '' : '  (partial)');
  return p.decodeError ? `not decoded: ${inert(p.decodeError)}` : `names ${inert(clip(p.names.join(', '), 160))}`;
}

/** Disassembly lines listed per side under a changed payload; the rest is in the JSON. */
const MAX_DIS_LINES = 12;

function changedDisassembly(a: PayloadSide, b: PayloadSide, lines: LineDiff | undefined): string[] {
  if (!lines || !a.disassembly || !b.disassembly) return [];
  const pick = (text: string, indices: number[], mark: string) => {
    const all = text.split('\n');
    const shown = indices.slice(0, MAX_DIS_LINES).map((i) => `    ${mark} ${inert(all[i] ?? '')}`);
    if (indices.length > MAX_DIS_LINES) shown.push(`    ${mark} … ${indices.length - MAX_DIS_LINES} more changed lines`);
    return shown;
  };
  return ['    disassembly, changed lines (- a, + b):', ...pick(a.disassembly, lines.a, '-'), ...pick(b.disassembly, lines.b, '+')];
}

/** Lines under a difference's headline: both sides' code for payloads. */
function details(d: Difference): string[] {
  switch (d.kind) {
    case 'payload-added':
      return [`    b: ${source(d.b)}`];
    case 'payload-removed':
      return [`    a: ${source(d.a)}`];
    case 'payload-changed':
      return [
        ...d.changes.map((c) => `    ${codeChangeText(c, SHOWN)}`),
        `    a: ${source(d.a)}`,
        `    b: ${source(d.b)}`,
        ...changedDisassembly(d.a, d.b, d.lines?.disassembly),
      ];
    default:
      return [];
  }
}

export function formatDiffText(diff: ModelDiff): string {
  const s = diff.summary;
  const lines = [fileLine('a', diff.a), fileLine('b', diff.b)];
  lines.push(
    s.codeChanged
      ? 'CODE CHANGED: some difference can change the code a load runs (lines marked !)'
      : `no difference in the code a load runs${s.architectureChanged ? '; the architecture differs' : ''}`,
  );
  lines.push(`layers ${s.layers.a} / ${s.layers.b}, ${s.layers.matched} matched; payloads ${s.payloads.a} / ${s.payloads.b}, ${s.payloads.same} identical`);
  if (diff.differences.length === 0) lines.push('no differences');
  // Code first, then the rest (records keep their order within each group).
  const ordered = [...diff.differences.filter((d) => d.codeCarrying), ...diff.differences.filter((d) => !d.codeCarrying)];
  for (const d of ordered) {
    lines.push(`${d.codeCarrying ? '! ' : '  '}${KIND_LABEL[d.kind]}: ${differenceText(d, SHOWN)}`, ...details(d).map((l) => `  ${l}`));
  }
  for (const u of diff.unmatched) lines.push(`  not compared (${u.side}): ${inert(u.what)}: ${inert(u.reason)}`);
  for (const n of diff.notes) lines.push(`  note: ${inert(n)}`);
  return lines.join('\n');
}
