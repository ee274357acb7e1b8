/**
 * An `error` FileReport made on the page side: watchdog timeouts, worker crashes, user stops. Same wording
 * as the core's `errorReport`, kept separate so the page bundle does not pull in the scan pipeline.
 */
import { REPORT_SCHEMA, type FileReport } from '../core/report';
import { VERSION } from '../core/version';

export function errorReport(path: string, size: number, message: string, totalMs = 0): FileReport {
  return {
    schema: REPORT_SCHEMA,
    tool: { name: 'lambdalens', version: VERSION },
    path,
    size,
    format: 'unknown',
    formatDetail: '',
    sha256: null,
    verdict: 'error',
    verdictReason: `Could not inspect this file: ${message}`,
    error: { message },
    layers: [],
    findings: [],
    timings: { totalMs },
  };
}
