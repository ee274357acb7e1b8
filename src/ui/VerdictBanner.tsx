import type { FileReport } from '../core/report';
import { VERDICT_LABEL, formatBytes, formatMs, severityCounts } from './summary';
import { visible } from './visible-text';

export function VerdictBanner({ report, elapsedMs }: { report: FileReport; elapsedMs?: number }) {
  const counts = severityCounts(report).filter((c) => c.count > 0);
  return (
    <section
      className={`verdict verdict-${report.verdict}`}
      data-testid="verdict"
      data-verdict={report.verdict}
      data-elapsed-ms={elapsedMs !== undefined ? Math.round(elapsedMs) : undefined}
      data-scan-ms={Math.round(report.timings.totalMs)}
      // Where the time went (pipeline stages and worker steps), read by the browser bench.
      data-profile={JSON.stringify({ stages: report.timings.stages ?? {}, host: report.timings.host ?? {} })}
      aria-live="polite"
    >
      <div className="verdict-head">
        <span className="verdict-label">{VERDICT_LABEL[report.verdict]}</span>
        <span className="verdict-file" title={visible(report.path)}>
          {visible(report.path)}
        </span>
      </div>
      <p className="verdict-reason" data-testid="verdict-reason">
        {visible(report.verdictReason)}
      </p>
      {report.verdict === 'error' &&
        report.error &&
        (!report.verdictReason.includes(report.error.message) ||
          report.error.offset !== undefined ||
          report.error.pointer !== undefined) && (
        <p className="verdict-error" data-testid="error-message">
          {visible(report.error.message)}
          {report.error.offset !== undefined && ` (at byte ${report.error.offset})`}
          {report.error.pointer && ` (at ${visible(report.error.pointer)})`}
        </p>
      )}
      {report.notes?.map((note) => (
        <p key={note} className="verdict-note" data-testid="report-note">
          {visible(note)}
        </p>
      ))}
      <div className="verdict-facts">
        {counts.length > 0 ? (
          <ul className="severity-counts" aria-label="Findings by severity">
            {counts.map(({ severity, count }) => (
              <li key={severity} className={`sev sev-${severity}`} data-testid={`count-${severity}`}>
                {count} {severity}
              </li>
            ))}
          </ul>
        ) : (
          report.verdict !== 'error' && <span className="muted">0 findings</span>
        )}
        <span className="muted">
          {report.formatDetail ? visible(report.formatDetail) : report.format} · {formatBytes(report.size)}
          {report.model && report.verdict !== 'error' && ` · ${report.model.layerCount} layers`}
          {elapsedMs !== undefined && ` · ${formatMs(elapsedMs)}`}
        </span>
      </div>
    </section>
  );
}
