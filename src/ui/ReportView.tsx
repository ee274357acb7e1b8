/** Everything about one scanned file: verdict, findings table, graph + details, finding cards. Keyed by entry in App. */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { GraphLayout } from '../core/graph/types';
import { getPointer } from '../core/json/pointer';
import type { ArchiveMember, Finding, FileReport } from '../core/report';
import type { ScanDocument } from '../core/scan-types';
import { FindingDetail } from './FindingDetail';
import { FindingsTable } from './FindingsTable';
import { LayerList } from './LayerList';
import { PayloadView } from './PayloadView';
import { LayerDetails } from './graph/LayerDetails';
import { LayerGraph } from './graph/LayerGraph';
import { VerdictBanner } from './VerdictBanner';
import { SEVERITY_RANK, formatBytes } from './summary';
import { visible } from './visible-text';

/** Detail cards drawn at first; a crafted file with thousands of findings stays responsive. */
const INITIAL_CARDS = 50;

export interface ReportViewProps {
  report: FileReport;
  elapsedMs?: number;
  /** False for folders (no single hash). */
  hashExpected: boolean;
  /** The graph layout from the worker, when it has arrived. */
  layout?: GraphLayout;
  /** The config documents the report's pointers refer to (the layer details show the layer's config). */
  documents?: ScanDocument[];
  /** A layer name path to select first (a `#layer=` deep link); else the most severe finding's layer. */
  initialLayer?: string;
  /** Called when the user selects another layer (not for the initial selection). */
  onLayerChange?: (path: string | undefined) => void;
  /** A shared report opened from a link: no documents, no raw bytes. */
  readOnly?: boolean;
}

/** The first finding in table order (most severe first) that sits in a layer. */
export function firstFindingWithLayer(findings: Finding[]): Finding | undefined {
  let best: Finding | undefined;
  for (const f of findings) if (f.layer && (!best || SEVERITY_RANK[f.severity] > SEVERITY_RANK[best.severity])) best = f;
  return best;
}

/** A layer's config, from the document its pointer refers to. */
export function layerConfig(documents: ScanDocument[] | undefined, document: string, location: string): unknown {
  const doc = documents?.find((d) => d.name === document);
  return doc ? getPointer(doc.value, location) : undefined;
}

export function ReportView({
  report,
  elapsedMs,
  hashExpected,
  layout,
  documents,
  initialLayer,
  onLayerChange,
  readOnly = false,
}: ReportViewProps) {
  const graphReady = useGraphReady(layout);
  const cards = useRef(new Map<string, HTMLElement>());
  const graphRef = useRef<HTMLElement>(null);
  const [cardLimit, setCardLimit] = useState(INITIAL_CARDS);
  // Shared selection: a finding selects its layer; a layer selects its first finding (or none).
  const [selection, setSelection] = useState<{ layer?: string; finding: string | null }>(() => {
    const known = initialLayer !== undefined && report.layers.some((l) => l.path === initialLayer);
    if (known) return { layer: initialLayer, finding: report.findings.find((f) => f.layer === initialLayer)?.id ?? null };
    const first = firstFindingWithLayer(report.findings);
    return { layer: first?.layer, finding: first?.id ?? null };
  });
  const layer = selection.layer;

  const selectFinding = useCallback(
    (finding: Finding) => {
      setSelection({ layer: finding.layer ?? selection.layer, finding: finding.id });
      if (finding.layer && finding.layer !== selection.layer) onLayerChange?.(finding.layer);
      const index = report.findings.indexOf(finding);
      if (index >= cardLimit) setCardLimit(index + 1);
      // The graph centres the layer itself; the page only scrolls when the graph is entirely out of sight.
      const graph = graphRef.current;
      if (graph && finding.layer) {
        const r = graph.getBoundingClientRect();
        if (r.bottom < 0 || r.top > window.innerHeight) graph.scrollIntoView({ behavior: 'smooth', block: 'nearest' });
      } else if (!finding.layer) {
        requestAnimationFrame(() => cards.current.get(finding.id)?.scrollIntoView({ behavior: 'smooth', block: 'nearest' }));
      }
    },
    [report, cardLimit, selection.layer, onLayerChange],
  );

  const selectLayer = useCallback(
    (path: string) => {
      setSelection((current) => {
        const keep = current.finding && report.findings.find((f) => f.id === current.finding)?.layer === path;
        return { layer: path, finding: keep ? current.finding : (report.findings.find((f) => f.layer === path)?.id ?? null) };
      });
      if (path !== selection.layer) onLayerChange?.(path);
    },
    [report, selection.layer, onLayerChange],
  );

  const layerInfo = useMemo(() => report.layers.find((l) => l.path === layer), [report, layer]);
  const config = layerInfo && !readOnly ? layerConfig(documents, layerInfo.document, layerInfo.location) : undefined;
  const layerPayloads = useMemo(() => report.findings.filter((f) => f.layer === layer && f.payload), [report, layer]);

  return (
    <div className="report">
      <VerdictBanner report={report} elapsedMs={elapsedMs} />
      {report.verdict !== 'error' || report.findings.length > 0 ? (
        <>
          <ModelFacts report={report} hashExpected={hashExpected} />
          <FindingsTable findings={report.findings} selectedId={selection.finding} onSelect={selectFinding} />
          {report.layers.length > 0 && (
            <section className="graph-section" ref={graphRef} aria-label="Graph and layer details">
              <h2>Graph</h2>
              {graphReady ? (
                <LayerGraph report={report} layout={layout} selected={layer} onSelect={selectLayer} />
              ) : (
                <div className="lg-placeholder" aria-busy="true">
                  <p className="muted small">Laying out {report.layers.length} layers…</p>
                </div>
              )}
              {layer && (
                <LayerDetails report={report} path={layer} config={config} onSelect={selectLayer}>
                  {layerPayloads.length > 0 && (
                    <div className="layer-payloads" data-testid="layer-payloads">
                      {layerPayloads.map((finding) => (
                        <section
                          key={finding.id}
                          className={`layer-payload${finding.id === selection.finding ? ' selected' : ''}`}
                          data-testid="layer-payload"
                          data-slot={finding.slot ?? ''}
                          aria-label={`Code in ${visible(finding.slot ?? 'this layer')}`}
                        >
                          <h4>
                            Code in <span className="mono">{visible(finding.slot ?? 'this layer')}</span>{' '}
                            <span className={`sev sev-${finding.severity}`}>{finding.severity}</span>
                          </h4>
                          <PayloadView payload={finding.payload!} readOnly={readOnly} />
                        </section>
                      ))}
                    </div>
                  )}
                </LayerDetails>
              )}
            </section>
          )}
          {report.findings.length > 0 && (
            <section className="finding-details" aria-label="Finding details">
              <h2>All findings in detail</h2>
              {report.findings.slice(0, cardLimit).map((finding) => (
                <FindingDetail
                  key={finding.id}
                  finding={finding}
                  selected={finding.id === selection.finding}
                  readOnly={readOnly}
                  ref={(element) => {
                    if (element) cards.current.set(finding.id, element);
                    else cards.current.delete(finding.id);
                  }}
                />
              ))}
              {report.findings.length > cardLimit && (
                <button type="button" className="link" onClick={() => setCardLimit(report.findings.length)}>
                  Show all {report.findings.length} findings in detail
                </button>
              )}
            </section>
          )}
          <LayerList layers={report.layers} findings={report.findings} />
          {report.members && report.members.length > 0 && <MemberList members={report.members} />}
        </>
      ) : null}
    </div>
  );
}

/**
 * The graph waits for the worker's layout, so laying it out never delays the verdict on the main thread;
 * if none arrives soon (worker replaced, layout failed) the graph lays itself out.
 */
function useGraphReady(layout: GraphLayout | undefined): boolean {
  const [timedOut, setTimedOut] = useState(false);
  useEffect(() => {
    if (layout) return;
    const timer = setTimeout(() => setTimedOut(true), GRAPH_LAYOUT_WAIT_MS);
    return () => clearTimeout(timer);
  }, [layout]);
  return layout !== undefined || timedOut;
}

const GRAPH_LAYOUT_WAIT_MS = 1500;

function ModelFacts({ report, hashExpected }: { report: FileReport; hashExpected: boolean }) {
  const model = report.model;
  // Writer facts that repeat the Keras version or backend shown above are left out.
  const writer = Object.entries(model?.writer ?? {}).filter(
    ([key, value]) =>
      !((key === 'keras_version' && value === model?.kerasVersion) || (key === 'backend' && value === model?.backend)),
  );
  return (
    <dl className="facts model-facts">
      {model?.className && (
        <>
          <dt>Model</dt>
          <dd>
            {visible(model.name ?? '')} <span className="muted">{visible(model.className)}</span>
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
      {writer.map(([key, value]) => (
        <FactPair key={key} label={key} value={value} />
      ))}
      {hashExpected && (
        <>
          <dt>SHA-256</dt>
          <dd className="mono small" data-testid="sha256">
            {report.sha256 ?? <span className="muted">computing…</span>}
          </dd>
        </>
      )}
    </dl>
  );
}

function FactPair({ label, value }: { label: string; value: string }) {
  return (
    <>
      <dt>{visible(label)}</dt>
      <dd>{visible(value)}</dd>
    </>
  );
}

const MAX_MEMBER_ROWS = 1000;

/** Files inside a zip or a SavedModel folder, as listed (their bytes are only read when the scan needs them). */
function MemberList({ members }: { members: ArchiveMember[] }) {
  return (
    <details className="members">
      <summary>
        <h2>
          Files inside <span className="muted">({members.length})</span>
        </h2>
      </summary>
      <div className="table-wrap">
        <table className="grid compact" data-testid="member-list">
          <thead>
            <tr>
              <th>Name</th>
              <th>Size</th>
              <th>Stored</th>
            </tr>
          </thead>
          <tbody>
            {members.slice(0, MAX_MEMBER_ROWS).map((member, index) => (
              <tr key={index}>
                <td className="mono small">{visible(member.name)}</td>
                <td>{formatBytes(member.size)}</td>
                <td className="small">
                  {visible(member.method)}
                  {member.method !== 'file' && member.compressedSize !== member.size && ` (${formatBytes(member.compressedSize)})`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {members.length > MAX_MEMBER_ROWS && <p className="muted small">First {MAX_MEMBER_ROWS} shown.</p>}
    </details>
  );
}
