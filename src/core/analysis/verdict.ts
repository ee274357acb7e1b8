/**
 * The verdict and its one-sentence reason.
 *   dangerous  — some finding (critical/high), on a default load of some loader version, runs code, writes files,
 *                reads a file the model names or fetches an address the model names;
 *   suspicious — needs an opt-in option, heuristic signals (medium/low findings: unknown pickle globals, custom
 *                code not in the file), denial of service, or a part a loader reads that could not be inspected;
 *   clean      — only context (info), and the coverage ledger is empty: everything a loader reads was inspected.
 */
import { describeSkipped, type SkippedPart } from '../coverage';
import { whatItDoes, whatItDoesText } from './what-it-does';
import { SEVERITIES, type Effect, type Finding, type LoaderImpact, type Severity, type Verdict } from '../report';

const RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => RANK[a.severity] - RANK[b.severity]);
}

export function countBySeverity(findings: Finding[]): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/** What a loader may not do on the user's behalf: run code, write files, read or fetch what the model names. */
const HARMFUL: ReadonlySet<Effect> = new Set<Effect>(['code', 'file-write', 'file-read', 'network']);

/** Does something harmful on a plain load of at least one loader version. */
export function isDangerous(f: Finding): boolean {
  const strong = f.severity === 'critical' || f.severity === 'high';
  return strong && HARMFUL.has(f.effect ?? 'code') && f.loaders.some((l) => l.when === 'default');
}

function loaderList(loaders: LoaderImpact[]): string {
  const parts = loaders.map((l) => `${l.loader} ${l.versions}`);
  if (parts.length <= 3) return parts.join('; ');
  return `${parts.slice(0, 3).join('; ')} and ${parts.length - 3} more`;
}

function loaderSentence(f: Finding): string {
  const defaults = f.loaders.filter((l) => l.when === 'default');
  const verb =
    f.effect === 'file-write'
      ? 'It writes files'
      : f.effect === 'file-read'
        ? 'It reads a file the model names'
        : f.effect === 'network'
          ? 'It connects to an address the model names'
          : f.effect === 'denial-of-service'
            ? 'It can exhaust memory'
            : 'It runs';
  if (defaults.length > 0) return ` ${verb} on a plain load with ${loaderList(defaults)}.`;
  const option = f.loaders.find((l) => l.when === 'option');
  if (option) return ` ${verb} when loaded with ${option.note ?? 'an opt-out option'} (${option.loader} ${option.versions}).`;
  return '';
}

function more(n: number): string {
  return n > 0 ? ` ${n} more finding${n > 1 ? 's' : ''} below.` : '';
}

/**
 * The finding in words for the verdict: for code, where it sits and what it does ("Layer m/payload (function) runs
 * the shell command `echo x` with os.system"); otherwise its title.
 */
function findingSentence(f: Finding): string {
  if (!f.payload) return sentence(f.title);
  const where = f.layer ? `Layer ${f.layer}${f.slot ? ` (${f.slot})` : ''}` : `Code in ${f.document}${f.slot ? ` (${f.slot})` : ''}`;
  return sentence(`${where} ${whatItDoesText(whatItDoes(f))}`);
}

function sentence(title: string): string {
  const raw = title.trim();
  const t = raw.charAt(0).toUpperCase() + raw.slice(1);
  return /[.!?…]$/.test(t) ? t : `${t}.`;
}

/** The sentence for parts that could not be inspected. */
function skippedSentence(skipped: readonly SkippedPart[]): string {
  return `Not everything a loader reads could be inspected: ${describeSkipped(skipped)}.`;
}

export function decideVerdict(findings: Finding[], skipped: readonly SkippedPart[] = []): { verdict: Verdict; reason: string } {
  const sorted = sortFindings(findings);
  const worst = sorted[0];
  const notable = sorted.filter((f) => f.severity !== 'info').length;
  const dangerous = sorted.find(isDangerous);
  if (dangerous) {
    const gaps = skipped.length ? ` ${skippedSentence(skipped)}` : '';
    return { verdict: 'dangerous', reason: `${findingSentence(dangerous)}${loaderSentence(dangerous)}${more(notable - 1)}${gaps}` };
  }
  if (worst && worst.severity !== 'info') {
    const gaps = skipped.length ? ` ${skippedSentence(skipped)}` : '';
    return { verdict: 'suspicious', reason: `${findingSentence(worst)}${loaderSentence(worst)}${more(notable - 1)}${gaps}` };
  }
  if (skipped.length > 0) return { verdict: 'suspicious', reason: skippedSentence(skipped) };
  return {
    verdict: 'clean',
    reason: worst ? 'Nothing in this file runs code or touches files on load; only context notes.' : 'Nothing in this file runs code or touches files on load.',
  };
}
