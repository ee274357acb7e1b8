/**
 * The inspector for one report, around the reviewer's path — verdict → the flagged layer in its graph → what its
 * code does: files, not-inspected parts and findings on the left; the graph filling the centre; the selected
 * layer's payload, finding and config in tabs on the right. Panels resize (remembered) and collapse; on a narrow
 * screen it is one column: findings, payload, graph. Keys: n / p between findings, Enter opens the details,
 * Esc closes the table or returns to the list, / searches layers.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { GraphLayout } from '../core/graph/types';
import { getPointer } from '../core/json/pointer';
import type { ArchiveMember, FileReport, Finding } from '../core/report';
import type { ScanDocument } from '../core/scan-types';
import { DetailsPanel, type DetailsTab } from './DetailsPanel';
import { FindingList, type Grouping } from './FindingList';
import { FindingsTable } from './FindingsTable';
import { NotInspected } from './NotInspected';
import { PANEL_LIMITS, usePanelSizes } from './panel-sizes';
import { Splitter } from './Splitter';
import { LayerGraph } from './graph/LayerGraph';
import { SEVERITY_RANK, formatBytes } from './summary';
import { visible } from './visible-text';

export interface Selection {
  layer?: string;
  finding?: string;
}

export interface WorkspaceProps {
  report: FileReport;
  /** The graph layout from the worker (sent with the report); computed here when absent. */
  layout?: GraphLayout;
  documents?: ScanDocument[];
  /** False for folders and shared reports (no single hash to wait for). */
  hashExpected: boolean;
  readOnly?: boolean;
  /** A deep link's selection (`#layer=`, `#finding=`); else the most severe finding. */
  initial?: Selection;
  onSelectionChange?(selection: Selection): void;
  /** The files list (several files, a folder, a shared link) drawn at the top of the left panel. */
  files?: ReactNode;
  /** Share of the file hashed so far, while the hash is computed. */
  hashProgress?: number;
}

/** The most severe finding, preferring one that sits in a layer (the graph can show it). */
export function firstFinding(findings: Finding[]): Finding | undefined {
  let best: Finding | undefined;
  for (const f of findings) {
    if (!best) best = f;
    else if (SEVERITY_RANK[f.severity] > SEVERITY_RANK[best.severity] || (SEVERITY_RANK[f.severity] === SEVERITY_RANK[best.severity] && f.layer && !best.layer)) best = f;
  }
  return best;
}

/** A layer's config, from the document its pointer refers to. */
export function layerConfig(documents: ScanDocument[] | undefined, document: string, location: string): unknown {
  const doc = documents?.find((d) => d.name === document);
  return doc ? getPointer(doc.value, location) : undefined;
}

function initialSelection(report: FileReport, initial: Selection | undefined): { layer?: string; finding: string | null } {
  const byId = initial?.finding ? report.findings.find((f) => f.id === initial.finding) : undefined;
  if (byId) return { layer: byId.layer ?? initial?.layer, finding: byId.id };
  if (initial?.layer && report.layers.some((l) => l.path === initial.layer)) {
    return { layer: initial.layer, finding: report.findings.find((f) => f.layer === initial.layer)?.id ?? null };
  }
  const first = firstFinding(report.findings);
  return { layer: first?.layer, finding: first?.id ?? null };
}

const isTyping = (t: EventTarget | null) => t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));

export function Workspace({ report, layout, documents, hashExpected, readOnly = false, initial, onSelectionChange, files, hashProgress }: WorkspaceProps) {
  const [selection, setSelection] = useState(() => initialSelection(report, initial));
  const [tab, setTab] = useState<DetailsTab>('payload');
  const [grouping, setGrouping] = useState<Grouping>('severity');
  const [table, setTable] = useState(false);
  const [sizes, setSizes] = usePanelSizes();
  const [live, setLive] = useState<{ left: number; right: number } | null>(null);
  const tabsRef = useRef<HTMLDivElement>(null);

  const finding = useMemo(() => report.findings.find((f) => f.id === selection.finding), [report, selection.finding]);
  const hasGraph = report.layers.length > 0;
  // Finding order for n / p: as listed (most severe first).
  const ordered = report.findings;

  const select = useCallback(
    (next: { layer?: string; finding: string | null }) => {
      setSelection(next);
      onSelectionChange?.({ layer: next.layer, finding: next.finding ?? undefined });
    },
    [onSelectionChange],
  );
  const selectFinding = useCallback((f: Finding) => select({ layer: f.layer ?? selection.layer, finding: f.id }), [select, selection.layer]);
  const selectLayer = useCallback(
    (path: string) => {
      const keep = finding?.layer === path ? finding.id : (report.findings.find((f) => f.layer === path)?.id ?? null);
      select({ layer: path, finding: keep });
    },
    [finding, report, select],
  );

  /** n / p: the next or previous finding in the order the list shows them; focus follows when it was on a row. */
  const step = useCallback(
    (delta: 1 | -1) => {
      const rows = [...document.querySelectorAll<HTMLButtonElement>('[data-testid="finding-row"]')];
      const ids = rows.length ? rows.map((r) => r.dataset.findingId!) : ordered.map((f) => f.id);
      if (ids.length === 0) return;
      const i = ids.indexOf(selection.finding ?? '');
      const nextId = ids[(i + delta + ids.length) % ids.length];
      const next = report.findings.find((f) => f.id === nextId);
      if (!next) return;
      const rowHadFocus = document.activeElement instanceof HTMLElement && document.activeElement.dataset.testid === 'finding-row';
      selectFinding(next);
      // The rows exist already (selection does not re-create them): focus follows at once.
      const row = rows.find((r) => r.dataset.findingId === next.id);
      row?.scrollIntoView({ block: 'nearest' });
      if (rowHadFocus) row?.focus();
    },
    [ordered, report, selection.finding, selectFinding],
  );

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === 'Escape') {
        if (table) setTable(false);
        else if (document.activeElement?.closest('.ws-details')) {
          document.querySelector<HTMLElement>('[data-testid="finding-row"][aria-current="true"]')?.focus();
        }
        return;
      }
      if (isTyping(event.target)) return;
      // The graph has its own n / p (between flagged layers) while it has focus.
      if (event.target instanceof HTMLElement && event.target.closest('.lg')) return;
      if (event.key === 'n' || event.key === 'p') {
        event.preventDefault();
        step(event.key === 'n' ? 1 : -1);
      } else if (event.key === '/') {
        const search = document.querySelector<HTMLInputElement>('[data-testid="graph-search"]');
        if (search) {
          event.preventDefault();
          search.focus();
        }
      } else if (event.key === 'Enter' && !(event.target instanceof HTMLButtonElement) && !(event.target instanceof HTMLAnchorElement)) {
        event.preventDefault();
        if (sizes.rightCollapsed) setSizes({ rightCollapsed: false });
        requestAnimationFrame(() => tabsRef.current?.querySelector<HTMLElement>('[aria-selected="true"]')?.focus());
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [step, table, sizes.rightCollapsed, setSizes]);

  const layerInfo = selection.layer ? report.layers.find((l) => l.path === selection.layer) : undefined;
  const config = layerInfo && !readOnly ? layerConfig(documents, layerInfo.document, layerInfo.location) : undefined;
  const left = live?.left ?? sizes.left;
  const right = live?.right ?? sizes.right;

  const details = (
    <DetailsPanel
      report={report}
      layer={selection.layer}
      finding={finding}
      config={config}
      tab={tab}
      onTab={setTab}
      onSelectLayer={selectLayer}
      readOnly={readOnly}
      tabsRef={tabsRef}
    />
  );

  return (
    <div
      className={`ws${sizes.leftCollapsed ? ' left-collapsed' : ''}${sizes.rightCollapsed || !hasGraph ? ' right-collapsed' : ''}`}
      style={{ ['--ws-left' as string]: `${left}px`, ['--ws-right' as string]: `${right}px` }}
      data-testid="workspace"
    >
      <aside className="ws-left" aria-label="Files and findings">
        {files}
        <NotInspected skipped={report.skipped ?? []} />
        {report.verdict === 'error' && report.error && (
          <section className="ws-error" role="alert" data-testid="scan-error">
            <h2>Could not inspect this file</h2>
            <p>
              {visible(report.error.message)}
              {report.error.offset !== undefined && ` (at byte ${report.error.offset})`}
              {report.error.pointer && ` (at ${visible(report.error.pointer)})`}
            </p>
            {report.error.code && <p className="small muted">Reason code: {report.error.code}</p>}
          </section>
        )}
        <FindingList
          findings={report.findings}
          selectedId={selection.finding}
          onSelect={selectFinding}
          grouping={grouping}
          onGrouping={setGrouping}
          onOpenTable={() => setTable(true)}
        />
        <FileFacts report={report} hashExpected={hashExpected} hashProgress={hashProgress} />
      </aside>
      <Splitter
        label="Resize the findings panel"
        value={left}
        min={PANEL_LIMITS.min}
        max={PANEL_LIMITS.max}
        direction={1}
        onChange={(v) => setLive({ left: v, right })}
        onCommit={(v) => {
          setLive(null);
          setSizes({ left: v });
        }}
      />
      <main className="ws-center" aria-label={hasGraph ? 'Layer graph' : 'Details'}>
        <div className="ws-panel-toggles">
          <button type="button" className="link small" onClick={() => setSizes({ leftCollapsed: !sizes.leftCollapsed })} aria-pressed={!sizes.leftCollapsed} data-testid="toggle-left">
            {sizes.leftCollapsed ? '» Findings' : '« Findings'}
          </button>
          {hasGraph && (
            <button type="button" className="link small" onClick={() => setSizes({ rightCollapsed: !sizes.rightCollapsed })} aria-pressed={!sizes.rightCollapsed} data-testid="toggle-right">
              {sizes.rightCollapsed ? 'Details «' : 'Details »'}
            </button>
          )}
        </div>
        {hasGraph ? <LayerGraph report={report} layout={layout} selected={selection.layer} onSelect={selectLayer} /> : details}
      </main>
      {hasGraph && (
        <>
          <Splitter
            label="Resize the details panel"
            value={right}
            min={PANEL_LIMITS.min}
            max={PANEL_LIMITS.max}
            direction={-1}
            onChange={(v) => setLive({ left, right: v })}
            onCommit={(v) => {
              setLive(null);
              setSizes({ right: v });
            }}
          />
          <aside className="ws-right" aria-label="Details of the selection">
            {details}
          </aside>
        </>
      )}
      {table && (
        <div className="ws-overlay" role="dialog" aria-modal="true" aria-label="All findings" data-testid="findings-overlay">
          <div className="ws-overlay-head">
            <h2>All findings</h2>
            <button type="button" onClick={() => setTable(false)} data-testid="close-table">
              Close (Esc)
            </button>
          </div>
          <FindingsTable findings={report.findings} selectedId={selection.finding} onSelect={(f) => selectFinding(f)} />
        </div>
      )}
    </div>
  );
}

/** What the container says about itself: format, size, hash, model, writer, members. */
function FileFacts({ report, hashExpected, hashProgress }: { report: FileReport; hashExpected: boolean; hashProgress?: number }) {
  const model = report.model;
  return (
    <section className="ws-facts" aria-label="File">
      <h2>File</h2>
      <dl className="facts">
        <dt>Format</dt>
        <dd>{visible(report.formatDetail || report.format)}</dd>
        <dt>Size</dt>
        <dd>{formatBytes(report.size)}</dd>
        {hashExpected && (
          <>
            <dt>SHA-256</dt>
            <dd className="mono small" data-testid="sha256">
              {report.sha256 ?? <span className="muted">computing…{hashProgress !== undefined && ` ${Math.floor(hashProgress * 100)}%`}</span>}
            </dd>
          </>
        )}
        {model?.className && (
          <>
            <dt>Model</dt>
            <dd>
              {visible(model.name ?? '')} <span className="muted">{visible(model.className)}</span>, {model.layerCount} layers
            </dd>
          </>
        )}
        {model?.kerasVersion && (
          <>
            <dt>Keras</dt>
            <dd>
              {visible(model.kerasVersion)}
              {model.backend && <span className="muted"> ({visible(model.backend)})</span>}
            </dd>
          </>
        )}
      </dl>
      {report.notes?.map((note, i) => (
        <p key={i} className="small muted">
          {visible(note)}
        </p>
      ))}
      {report.members && report.members.length > 0 && <MemberList members={report.members} />}
    </section>
  );
}

const MAX_MEMBER_ROWS = 1000;

function MemberList({ members }: { members: ArchiveMember[] }) {
  return (
    <details className="members">
      <summary>
        Files inside <span className="muted">({members.length})</span>
      </summary>
      <ul className="small mono" data-testid="member-list">
        {members.slice(0, MAX_MEMBER_ROWS).map((m, i) => (
          <li key={i}>
            {visible(m.name)} <span className="muted">{formatBytes(m.size)}</span>
          </li>
        ))}
      </ul>
    </details>
  );
}
