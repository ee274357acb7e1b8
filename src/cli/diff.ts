/** `lambdalens diff <a> <b> [--json]`: what differs between two models, code-carrying differences first. */
import { diffModels } from '../core/diff/diff';
import { IsolatedScanner } from '../node/isolated-scan';
import { diffSide } from '../node/diff-paths';
import { formatDiffText } from './format-diff';
import { inert, jsonText, own, term, type TerminalText } from './terminal-text';

export interface DiffCliOptions {
  /** Scan in a worker thread loading this module (the bundled CLI), as `scan` does. */
  isolate?: URL;
}

/** Exit codes: 0 no code-carrying difference, 1 one exists, 2 a file could not be inspected or bad usage. */
export async function runDiff(args: string[], out: (s: TerminalText) => void, err: (s: TerminalText) => void, usage: string, options: DiffCliOptions = {}): Promise<number> {
  let json = false;
  let hash = true;
  let timeoutMs = 60_000;
  const paths: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--json') json = true;
    else if (a === '--no-hash') hash = false;
    else if (a === '--timeout') {
      const v = args[++i];
      if (!(Number(v) > 0)) {
        err(own('--timeout takes a number of seconds\n'));
        return 2;
      }
      timeoutMs = Number(v) * 1000;
    } else if (a.startsWith('--')) {
      err(term`unknown option: ${inert(a)}\n\n${own(usage)}\n`);
      return 2;
    } else paths.push(a);
  }
  if (paths.length !== 2) {
    err(term`diff needs exactly two paths (got ${paths.length})\n\n${own(usage)}\n`);
    return 2;
  }
  const scanner = options.isolate ? new IsolatedScanner(options.isolate, timeoutMs) : null;
  let diff;
  try {
    const a = await diffSide(paths[0], hash, scanner);
    const b = await diffSide(paths[1], hash, scanner);
    diff = diffModels(a, b);
  } finally {
    await scanner?.close();
  }
  out(term`${json ? jsonText(diff, 2) : formatDiffText(diff)}\n`);
  if (diff.a.verdict === 'error' || diff.b.verdict === 'error') return 2;
  return diff.summary.codeChanged ? 1 : 0;
}
