/**
 * Compare two dropped models (issue 16): choose the reference (a) and the copy under review (b), then a list of
 * the differences, code-carrying ones first; a changed payload shows both sides' source and disassembly with the
 * changed lines marked and the changed constants named. Rendering only: the diff is computed in the worker (ModelDiff
 * records, src/core/diff). Every file-derived text goes through `visible`.
 */
import { LayerGraph } from './graph/LayerGraph';
import { layersOf, mergedGraph, type MergedGraph } from './graph/diff-marks';
import { useState } from 'react';
import { codeChangeText, differenceText, KIND_LABEL, type Shown } from '../core/diff/describe';
import type { Difference, DiffFile, ModelDiff, PayloadSide } from '../core/diff/types';
import { HighlightedPython } from './highlight/python';
import type { ScanEntry } from './use-scanner';
import { briefValue, visible, visibleMultiline } from './visible-text';

export function CompareView({
  entries,
  compare,
  onClose,
}: {
  entries: ScanEntry[];
  compare: (a: ScanEntry, b: ScanEntry) => Promise<ModelDiff>;
  onClose: () => void;
}) {
  const done = entries.filter((e) => e.status === 'done' && e.report);
  const [aId, setA] = useState<number | undefined>(done[0]?.id);
  const [bId, setB] = useState<number | undefined>(done[1]?.id);
  const [state, setState] = useState<{ running: boolean; diff?: ModelDiff; merged?: MergedGraph; error?: string }>({ running: false });
  const [picked, setPicked] = useState<string>();
  /** A node clicked in the merged graph: the first difference about that layer is scrolled into view and focused. */
  const revealDifference = (path: string) => {
    setPicked(path);
    const inB = new Set(state.merged?.report.layers.map((l) => l.path));
    const item = [...document.querySelectorAll<HTMLElement>('[data-testid=compare-item]')].find((el) => {
      const d = state.diff?.differences[Number(el.dataset.index)];
      return d !== undefined && layersOf(d, inB).some((x) => x.path === path);
    });
    item?.scrollIntoView({ block: 'nearest' });
    item?.focus();
  };
  const a = done.find((e) => e.id === aId);
  const b = done.find((e) => e.id === bId);
  const run = () => {
    if (!a || !b) return;
    setState({ running: true });
    const [ra, rb] = [a.report, b.report];
    compare(a, b).then(
      (diff) => setState({ running: false, diff, ...(ra && rb ? { merged: mergedGraph(ra, rb, diff) } : {}) }),
      (error: unknown) => setState({ running: false, error: error instanceof Error ? error.message : String(error) }),
    );
  };
  const picker = (label: string, value: number | undefined, set: (id: number) => void, testId: string) => (
    <label className="compare-pick">
      {label}{' '}
      <select value={value ?? ''} onChange={(e) => set(Number(e.target.value))} data-testid={testId}>
        {done.map((e) => (
          <option key={e.id} value={e.id}>
            {visible(e.name)}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <main className="compare" data-testid="compare">
      <div className="compare-bar">
        {picker('Reference (a)', aId, setA, 'compare-a')}
        {picker('Copy under review (b)', bId, setB, 'compare-b')}
        <button type="button" onClick={run} disabled={!a || !b || a === b || state.running} data-testid="compare-run">
          {state.running ? 'Comparing…' : 'Compare'}
        </button>
        <button type="button" className="link" onClick={onClose} data-testid="compare-close">
          Back to reports
        </button>
      </div>
      {state.error && (
        <p className="verdict-error" role="alert">
          The comparison failed: {visible(state.error)}
        </p>
      )}
      {state.merged && (
        <section className="compare-graph" data-testid="compare-graph" aria-label="Both models in one graph: what was added, removed or changed">
          <LayerGraph report={state.merged.report} marks={state.merged.marks} selected={picked} onSelect={revealDifference} />
        </section>
      )}
      {state.diff && <DiffView diff={state.diff} />}
    </main>
  );
}

function FileLine({ label, file }: { label: string; file: DiffFile }) {
  return (
    <li>
      <strong>{label}</strong> {visible(file.path)} · {file.format}
      {file.model ? ` · ${visible(file.model.className ?? '?')}, ${file.model.layerCount} layers` : ''} · {file.verdict}
    </li>
  );
}

const SHOWN: Shown = { text: visible, value: (v) => (v === undefined ? '(absent)' : briefValue(v)) };

/** A text as lines, the changed ones marked (changed lines come from the diff record, never recomputed here). */
function MarkedLines({ text, changed, label, className }: { text: string; changed: number[]; label: string; className: string }) {
  const marked = new Set(changed);
  return (
    <pre className={`code ${className}`} tabIndex={0} aria-label={label}>
      {visibleMultiline(text)
        .split('\n')
        .map((line, i) => (
          <span key={i} className={marked.has(i) ? 'line changed' : 'line'} data-changed={marked.has(i) || undefined}>
            {marked.has(i) ? '▶ ' : '  '}
            {line}
            {'\n'}
          </span>
        ))}
    </pre>
  );
}

function Source({ side, label, lines }: { side: PayloadSide; label: string; lines?: { source?: number[]; disassembly?: number[] } }) {
  return (
    <div className="compare-side">
      <h4>
        {label} <span className="muted small">sha256 {side.sha256.slice(0, 16)}…</span>
      </h4>
      {side.source !== undefined && lines?.source ? (
        <MarkedLines text={side.source} changed={lines.source} label={`Source, ${label}`} className="py" />
      ) : side.source !== undefined ? (
        <pre className="code py" tabIndex={0} aria-label={`Source, ${label}`}>
          <HighlightedPython source={side.source} />
        </pre>
      ) : (
        <p className="small">{side.decodeError ? `Not decoded: ${visible(side.decodeError)}` : `No source; names: ${visible(side.names.join(', '))}`}</p>
      )}
      {side.indicators.length > 0 && (
        <ul className="small">
          {side.indicators.map((i, n) => (
            <li key={n}>{visible(i)}</li>
          ))}
        </ul>
      )}
      {side.disassembly !== undefined && (
        <details open={lines?.disassembly !== undefined && lines.disassembly.length > 0}>
          <summary>Disassembly{lines?.disassembly ? ` (${lines.disassembly.length} changed line(s) marked ▶)` : ''}</summary>
          {lines?.disassembly ? (
            <MarkedLines text={side.disassembly} changed={lines.disassembly} label={`Disassembly, ${label}`} className="dis" />
          ) : (
            <pre className="code dis" tabIndex={0}>
              {visibleMultiline(side.disassembly)}
            </pre>
          )}
        </details>
      )}
    </div>
  );
}

function capitalised(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function DifferenceItem({ d, index }: { d: Difference; index: number }) {
  return (
    <li className={`compare-item${d.codeCarrying ? ' code' : ''}`} data-testid="compare-item" data-kind={d.kind} data-code={d.codeCarrying} data-index={index} tabIndex={-1}>
      <div>
        {d.codeCarrying && (
          <span className="compare-mark" aria-label="can change the code a load runs">
            ⚠{' '}
          </span>
        )}
        <strong>{capitalised(KIND_LABEL[d.kind])}</strong> {differenceText(d, SHOWN)}
      </div>
      {d.kind === 'payload-changed' && (
        <>
          <ul className="compare-changes" data-testid="compare-changes">
            {d.changes.map((c, i) => (
              <li key={i}>
                <code>{codeChangeText(c, SHOWN)}</code>
              </li>
            ))}
          </ul>
          <div className="compare-sides">
            <Source side={d.a} label="a" lines={{ source: d.lines?.source?.a, disassembly: d.lines?.disassembly?.a }} />
            <Source side={d.b} label="b" lines={{ source: d.lines?.source?.b, disassembly: d.lines?.disassembly?.b }} />
          </div>
        </>
      )}
      {d.kind === 'payload-added' && <Source side={d.b} label="b" />}
      {d.kind === 'payload-removed' && <Source side={d.a} label="a" />}
    </li>
  );
}

export function DiffView({ diff }: { diff: ModelDiff }) {
  const s = diff.summary;
  const ordered = [...diff.differences.filter((d) => d.codeCarrying), ...diff.differences.filter((d) => !d.codeCarrying)];
  return (
    <section className="compare-result" aria-label="Differences" data-testid="compare-result">
      <ul className="compare-files">
        <FileLine label="a" file={diff.a} />
        <FileLine label="b" file={diff.b} />
      </ul>
      <p className={`compare-verdict ${s.codeChanged ? 'verdict-dangerous' : 'verdict-clean'}`} data-testid="compare-verdict">
        {s.codeChanged
          ? 'The code a load runs differs between the two files (marked ⚠).'
          : `No difference in the code a load runs${s.architectureChanged ? '; the architecture differs' : ''}.`}{' '}
        Layers {s.layers.a} / {s.layers.b} ({s.layers.matched} matched); code payloads {s.payloads.a} / {s.payloads.b} ({s.payloads.same} identical).
      </p>
      {ordered.length === 0 ? <p>No differences.</p> : <ul className="compare-list">{ordered.map((d, i) => <DifferenceItem key={i} d={d} index={diff.differences.indexOf(d)} />)}</ul>}
      {diff.unmatched.length > 0 && (
        <>
          <h3>Not compared</h3>
          <ul data-testid="compare-unmatched">
            {diff.unmatched.map((u, i) => (
              <li key={i}>
                ({u.side}) {visible(u.what)}: {visible(u.reason)}
              </li>
            ))}
          </ul>
        </>
      )}
      <ul className="compare-notes small">
        {diff.notes.map((n, i) => (
          <li key={i}>{visible(n)}</li>
        ))}
      </ul>
    </section>
  );
}
