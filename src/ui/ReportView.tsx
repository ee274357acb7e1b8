/** Everything about one scanned file: verdict, findings table, finding details, layers. Keyed by entry in App. */
import { useEffect, useRef, useState } from 'react';
import type { GraphLayout } from '../core/graph/types';
import type { ArchiveMember, Finding, FileReport } from '../core/report';
import { FindingDetail } from './FindingDetail';
import { FindingsTable } from './FindingsTable';
import { LayerList } from './LayerList';
import { LayerDetails } from './graph/LayerDetails';
import { LayerGraph } from './graph/LayerGraph';
import { VerdictBanner } from './VerdictBanner';
import { formatBytes } from './summary';
import { visible } from './visible-text';

/** Detail cards drawn at first; a crafted file with thousands of findings stays responsive. */
const INITIAL_CARDS = 50;

export function ReportView({
  report,
  elapsedMs,
  hashExpected,
  layout,
}: {
  report: FileReport;
  elapsedMs?: number;
  /** False for folders (no single hash). */
  hashExpected: boolean;
  /** The graph layout from the worker, when it has arrived. */
  layout?: GraphLayout;
}) {
  const graphReady = useGraphReady(layout);
  const [selected, setSelected] = useState<string | null>(null);
  const cards = useRef(new Map<string, HTMLElement>());
  const [cardLimit, setCardLimit] = useState(INITIAL_CARDS);
  const [layer, setLayer] = useState<string | undefined>(undefined);

  const select = (finding: Finding) => {
    setSelected(finding.id);
    const index = report.findings.indexOf(finding);
    if (index >= cardLimit) setCardLimit(index + 1);
    // After the render that may have added the card.
    requestAnimationFrame(() => cards.current.get(finding.id)?.scrollIntoView({ behavior: 'smooth', block: 'start' }));
  };

  return (
    <div className="report">
      <VerdictBanner report={report} elapsedMs={elapsedMs} />
      {report.verdict !== 'error' || report.findings.length > 0 ? (
        <>
          <ModelFacts report={report} hashExpected={hashExpected} />
          <FindingsTable findings={report.findings} selectedId={selected} onSelect={select} />
          {report.findings.length > 0 && (
            <section className="finding-details" aria-label="Finding details">
              {report.findings.slice(0, cardLimit).map((finding) => (
                <FindingDetail
                  key={finding.id}
                  finding={finding}
                  selected={finding.id === selected}
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
          {report.layers.length > 0 && (
            <section className="graph-section">
              <h2>Graph</h2>
              {graphReady ? (
                <LayerGraph report={report} layout={layout} selected={layer} onSelect={setLayer} />
              ) : (
                <p className="muted small">Laying out {report.layers.length} layers…</p>
              )}
              {layer && <LayerDetails report={report} path={layer} onSelect={setLayer} />}
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
