/**
 * The verdict in the header bar: the file name, a verdict chip with its one-sentence reason, counts by severity.
 * The data attributes are read by the browser bench (elapsed time, scan time, where the time went).
 */
import type { FileReport } from '../core/report';
import { describeRemoteRead } from '../core/remote/describe';
import { VERDICT_LABEL, formatMs, severityCounts } from './summary';
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
      aria-label={`Verdict: ${VERDICT_LABEL[report.verdict]}`}
    >
      <div className="verdict-line">
        <span className="verdict-label">{VERDICT_LABEL[report.verdict]}</span>
        <span className="verdict-file" title={visible(report.path)}>
          {visible(report.path)}
        </span>
        {counts.length > 0 && (
          <ul className="severity-counts" aria-label="Findings by severity">
            {counts.map(({ severity, count }) => (
              <li key={severity} className={`sev sev-${severity}`} data-testid={`count-${severity}`}>
                {count} {severity}
              </li>
            ))}
          </ul>
        )}
        {elapsedMs !== undefined && <span className="muted small">{formatMs(elapsedMs)}</span>}
      </div>
      <p className="verdict-reason" data-testid="verdict-reason" title={visible(report.verdictReason)}>
        {visible(report.verdictReason)}
      </p>
      {report.remote && (
        // A hosted file: how much of it was read, and where from (the redirect target's origin only; a CDN's full
        // address is often signed). Text only: the address is whatever the user or the host gave.
        <p className="verdict-remote muted small" data-testid="remote-read" title={visible(report.remote.url)}>
          {describeRemoteRead(report.remote, report.size)}
          {report.remote.redirectedTo && <>, redirected to {visible(report.remote.redirectedTo)}</>}
        </p>
      )}
    </section>
  );
}
