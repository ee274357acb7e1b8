/** Everything about one scanned file: verdict, findings table, finding details, layers. Keyed by entry in App. */
import { useRef, useState } from 'react';
import type { ArchiveMember, Finding, FileReport } from '../core/report';
import { FindingDetail } from './FindingDetail';
import { FindingsTable } from './FindingsTable';
import { LayerList } from './LayerList';
import { VerdictBanner } from './VerdictBanner';
import { formatBytes } from './summary';
import { visible } from './visible-text';

/** Detail cards drawn at first; a crafted file with thousands of findings stays responsive. */
const INITIAL_CARDS = 50;

export function ReportView({
  report,
  elapsedMs,
  hashExpected,
}: {
  report: FileReport;
  elapsedMs?: number;
  /** False for folders (no single hash). */
  hashExpected: boolean;
}) {
  const [selected, setSelected] = useState<string | null>(null);
  const cards = useRef(new Map<string, HTMLElement>());
  const [cardLimit, setCardLimit] = useState(INITIAL_CARDS);

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
          <LayerList layers={report.layers} findings={report.findings} />
          {report.members && report.members.length > 0 && <MemberList members={report.members} />}
        </>
      ) : null}
    </div>
  );
}

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
