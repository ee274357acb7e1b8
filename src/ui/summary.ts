/** Data for the views: counts, labels, orderings. No formatting of markup here. */
import { SEVERITIES, type FileReport, type Severity, type Verdict } from '../core/report';

export const SEVERITY_RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

export function severityCounts(report: FileReport): { severity: Severity; count: number }[] {
  const counts = new Map<Severity, number>(SEVERITIES.map((s) => [s, 0]));
  for (const finding of report.findings) counts.set(finding.severity, (counts.get(finding.severity) ?? 0) + 1);
  return SEVERITIES.map((severity) => ({ severity, count: counts.get(severity) ?? 0 }));
}

export const VERDICT_LABEL: Record<Verdict, string> = {
  dangerous: 'Dangerous',
  suspicious: 'Suspicious',
  clean: 'No code found',
  error: 'Could not scan',
};

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
