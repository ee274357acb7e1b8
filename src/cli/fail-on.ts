/** `--fail-on <severity>`, shared by `scan` and `decode`: one parse, one message, one comparison. */
import { SEVERITIES, type Severity } from '../core/report';
import { own, type TerminalText } from './terminal-text';

export const FAIL_ON_USAGE: TerminalText = own(`--fail-on takes one of ${SEVERITIES.join('|')}\n`);

export function parseFailOn(value: string | undefined): Severity | null {
  return value !== undefined && (SEVERITIES as readonly string[]).includes(value) ? (value as Severity) : null;
}

/** True when `severity` is at or above `threshold` (critical is the top). */
export function atOrAbove(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold);
}
