/**
 * Report skeletons. Small and free of the scan pipeline, so the page bundle can make error reports
 * (watchdog timeouts, worker crashes, user stops) without pulling in the readers.
 */
import { REPORT_SCHEMA, type ErrorCode, type FileReport } from './report';
import { VERSION } from './version';

/** A report with nothing found yet; the pipeline fills it in. */
export function blankReport(path: string, size: number): FileReport {
  return {
    schema: REPORT_SCHEMA,
    tool: { name: 'lambdalens', version: VERSION },
    path,
    size,
    format: 'unknown',
    formatDetail: '',
    sha256: null,
    verdict: 'error',
    verdictReason: '',
    layers: [],
    findings: [],
    skipped: [],
    timings: { totalMs: 0 },
  };
}

/** A report for a file that could not be inspected at all (unreadable, timed out, worker died, stopped). */
export function errorReport(path: string, size: number, code: ErrorCode, message: string, totalMs = 0): FileReport {
  const report = blankReport(path, size);
  report.error = { code, message };
  report.verdictReason = `Could not inspect this file: ${message}`;
  report.timings.totalMs = totalMs;
  return report;
}
