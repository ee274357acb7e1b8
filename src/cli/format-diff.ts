/**
 * Human-readable `lambdalens diff` output (formatting only; the ModelDiff is the data, src/core/diff/describe.ts
 * the shared wording). Every text that comes from a file — paths, layer names, config values, decoded constants
 * and source — goes through `inert`, so a crafted model cannot drive the terminal. Lines starting with `!` are
 * differences that can change the code a load runs.
 */
import { codeChangeText, differenceText, KIND_LABEL, type Shown } from '../core/diff/describe';
import type { Difference, DiffFile, LineDiff, ModelDiff, PayloadSide } from '../core/diff/types';
import { clip } from './format-text';
import { inert, joinText, own, term, type TerminalText } from './terminal-text';

const SHOWN: Shown = {
  text: inert,
  value: (v) => (v === undefined ? '(absent)' : inert(clip(JSON.stringify(v), 160))),
};

/**
 * The one trust boundary here: describe.ts composes our own wording and inserts file text only through SHOWN
 * (escaped above), so its sentences are terminal-safe as a whole.
 */
const said = (text: string): TerminalText => own(text);

function fileLine(label: string, f: DiffFile): TerminalText {
  const model = f.model ? term`, ${inert(f.model.className ?? '?')} with ${f.model.layerCount} layers` : own('');
  return term`${own(label)}: ${inert(f.path)}  ${own(f.format)}${model}, ${own(f.verdict)}${f.sha256 ? term`  sha256 ${inert(f.sha256)}` : own('')}`;
}

function source(p: PayloadSide): TerminalText {
  if (p.source) return term`${inert(clip(p.source.trim().replace(/\n/g, ' ⏎ '), 200))}${own(p.sourceComplete ? '' : '  (partial)')}`;
  return p.decodeError ? term`not decoded: ${inert(p.decodeError)}` : term`names ${inert(clip(p.names.join(', '), 160))}`;
}

/** Disassembly lines listed per side under a changed payload; the rest is in the JSON. */
const MAX_DIS_LINES = 12;

function changedDisassembly(a: PayloadSide, b: PayloadSide, lines: LineDiff | undefined): TerminalText[] {
  if (!lines || !a.disassembly || !b.disassembly) return [];
  const pick = (text: string, indices: number[], mark: '-' | '+') => {
    const all = text.split('\n');
    const shown = indices.slice(0, MAX_DIS_LINES).map((i) => term`    ${own(mark)} ${inert(all[i] ?? '')}`);
    if (indices.length > MAX_DIS_LINES) shown.push(term`    ${own(mark)} … ${indices.length - MAX_DIS_LINES} more changed lines`);
    return shown;
  };
  return [own('    disassembly, changed lines (- a, + b):'), ...pick(a.disassembly, lines.a, '-'), ...pick(b.disassembly, lines.b, '+')];
}

/** Lines under a difference's headline: both sides' code for payloads. */
function details(d: Difference): TerminalText[] {
  switch (d.kind) {
    case 'payload-added':
      return [term`    b: ${source(d.b)}`];
    case 'payload-removed':
      return [term`    a: ${source(d.a)}`];
    case 'payload-changed':
      return [
        ...d.changes.map((c) => term`    ${said(codeChangeText(c, SHOWN))}`),
        term`    a: ${source(d.a)}`,
        term`    b: ${source(d.b)}`,
        ...changedDisassembly(d.a, d.b, d.lines?.disassembly),
      ];
    default:
      return [];
  }
}

export function formatDiffText(diff: ModelDiff): TerminalText {
  const s = diff.summary;
  const lines = [fileLine('a', diff.a), fileLine('b', diff.b)];
  lines.push(
    own(
      s.codeChanged
        ? 'CODE CHANGED: some difference can change the code a load runs (lines marked !)'
        : `no difference in the code a load runs${s.architectureChanged ? '; the architecture differs' : ''}`,
    ),
  );
  lines.push(term`layers ${s.layers.a} / ${s.layers.b}, ${s.layers.matched} matched; payloads ${s.payloads.a} / ${s.payloads.b}, ${s.payloads.same} identical`);
  if (diff.differences.length === 0) lines.push(own('no differences'));
  // Code first, then the rest (records keep their order within each group).
  const ordered = [...diff.differences.filter((d) => d.codeCarrying), ...diff.differences.filter((d) => !d.codeCarrying)];
  for (const d of ordered) {
    lines.push(term`${own(d.codeCarrying ? '! ' : '  ')}${own(KIND_LABEL[d.kind])}: ${said(differenceText(d, SHOWN))}`, ...details(d).map((l) => term`  ${l}`));
  }
  for (const u of diff.unmatched) lines.push(term`  not compared (${own(u.side)}): ${inert(u.what)}: ${inert(u.reason)}`);
  for (const n of diff.notes) lines.push(term`  note: ${inert(n)}`);
  return joinText(lines, '\n');
}
