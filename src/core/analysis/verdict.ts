/**
 * The verdict and its one-sentence reason.
 *   dangerous  — some finding runs code or writes files (critical/high) on a default load of some loader version;
 *   suspicious — weaker paths: file reads, network, denial of service, option-only or medium/low findings;
 *   clean      — only context (info) or nothing.
 */
import { SEVERITIES, type Finding, type LoaderImpact, type Severity, type Verdict } from '../report';

const RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => RANK[a.severity] - RANK[b.severity]);
}

export function countBySeverity(findings: Finding[]): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/** Runs code or writes files on a plain load of at least one loader version. */
export function isDangerous(f: Finding): boolean {
  const strong = f.severity === 'critical' || f.severity === 'high';
  const effect = f.effect ?? 'code';
  return strong && (effect === 'code' || effect === 'file-write') && f.loaders.some((l) => l.when === 'default');
}

function loaderList(loaders: LoaderImpact[]): string {
  const parts = loaders.map((l) => `${l.loader} ${l.versions}`);
  if (parts.length <= 3) return parts.join('; ');
  return `${parts.slice(0, 3).join('; ')} and ${parts.length - 3} more`;
}

function loaderSentence(f: Finding): string {
  const defaults = f.loaders.filter((l) => l.when === 'default');
  const verb = f.effect === 'file-write' ? 'It writes files' : f.effect === 'file-read' ? 'It reads files' : f.effect === 'network' ? 'It reaches the network' : f.effect === 'denial-of-service' ? 'It can exhaust memory' : 'It runs';
  if (defaults.length > 0) return ` ${verb} on a plain load with ${loaderList(defaults)}.`;
  const option = f.loaders.find((l) => l.when === 'option');
  if (option) return ` ${verb} when loaded with ${option.note ?? 'an opt-out option'} (${option.loader} ${option.versions}).`;
  return '';
}

function more(n: number): string {
  return n > 0 ? ` ${n} more finding${n > 1 ? 's' : ''} below.` : '';
}

function sentence(title: string): string {
  const raw = title.trim();
  const t = raw.charAt(0).toUpperCase() + raw.slice(1);
  return /[.!?…]$/.test(t) ? t : `${t}.`;
}

export function decideVerdict(findings: Finding[]): { verdict: Verdict; reason: string } {
  const sorted = sortFindings(findings);
  const worst = sorted[0];
  if (!worst || worst.severity === 'info') {
    return {
      verdict: 'clean',
      reason: worst ? 'Nothing in this file runs code or touches files on load; only context notes.' : 'Nothing in this file runs code or touches files on load.',
    };
  }
  const dangerous = sorted.find(isDangerous);
  if (dangerous) {
    const others = sorted.filter((f) => f.severity !== 'info').length - 1;
    return { verdict: 'dangerous', reason: `${sentence(dangerous.title)}${loaderSentence(dangerous)}${more(others)}` };
  }
  const others = sorted.filter((f) => f.severity !== 'info').length - 1;
  return { verdict: 'suspicious', reason: `${sentence(worst.title)}${loaderSentence(worst)}${more(others)}` };
}
