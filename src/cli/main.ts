/**
 * `lambdalens` — the CLI over the same core as the page.
 *   lambdalens scan <paths…> [--json] [--sarif F] [--markdown F] [--evidence DIR] [--fail-on <severity>] [--no-hash] [--timeout S]
 *   lambdalens decode [<base64>|-]
 *   lambdalens diff <a> <b> [--json] [--no-hash] [--timeout S]
 * Exit codes: 0 clean or below the threshold, 1 findings at or above it, 2 errors or bad usage
 * (diff: 0 no code-carrying difference, 1 one exists, 2 a file could not be inspected or bad usage).
 */
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { evidenceDocuments, buildEvidenceBundle } from '../core/export/evidence';
import { reportsToMarkdown } from '../core/export/markdown';
import { toSarifText } from '../core/export/sarif';
import { IsolatedScanner, runJob, serveScanJobs, type ScanJob, type ScanResult } from '../node/isolated-scan';
import { SEVERITIES, type FileReport, type Severity } from '../core/report';
import { isSavedModelDir } from '../node/scan-path';
import { VERSION } from '../core/version';
import { formatReportText } from './format-text';
import { runDecode } from './decode';
import { runDiff } from './diff';

const USAGE = `lambdalens ${VERSION} — see what code a Keras/TensorFlow model runs on load, without loading it.

Usage:
  lambdalens scan <paths…> [options]
  lambdalens decode [<base64>|-] [--json]
  lambdalens diff <a> <b> [--json] [--no-hash] [--timeout <s>]

scan      files and folders (folders are searched recursively; files are recognised by their bytes;
          a folder holding saved_model.pb is one SavedModel)
  --json              print the JSON report (schema lambdalens/report@1): one object, or an array for several files
  --sarif <file|->    write a SARIF 2.1.0 log (one result per finding) to a file, or - for stdout
  --markdown <file|-> write a Markdown summary for tickets
  --evidence <dir>    write an evidence bundle (zip: report, configs, each payload as .pyc/.py/.b64) per flagged file
  --fail-on <sev>     exit 1 when a finding is at or above: critical|high|medium|low|info (default: high)
  --no-hash           skip the streamed sha256
  --timeout <s>       give up on a file after this many seconds (default 60)
decode    decode one marshal payload (base64 or raw_unicode_escape text) from the argument or stdin
diff      compare two models (a: the reference, b: the copy under review): layers added, removed or renamed,
          config per key, inbound edges, every code payload by hash and decoded code, findings on one side only,
          zip CRC-32 / HDF5 dataset shapes as the containers record them (weights are never read)
  --json              print the diff as JSON (schema lambdalens/diff@1, schemas/diff.schema.json)

Exit codes: 0 clean or below the threshold, 1 findings at or above it, 2 errors or bad usage.
diff: 0 no difference in the code a load runs, 1 such a difference, 2 a file could not be inspected or bad usage.`;

interface Target {
  path: string;
  /** Found by walking a folder: unrecognised files are skipped rather than reported as errors. */
  discovered: boolean;
  /** A SavedModel folder, scanned as one model. */
  folder?: boolean;
}

async function expand(paths: string[]): Promise<Target[]> {
  const out: Target[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > 32) return;
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const full = path.join(dir, e.name);
      // A SavedModel folder is one model, not a bag of files.
      if (e.isDirectory() && (await isSavedModelDir(full))) out.push({ path: full, discovered: true, folder: true });
      else if (e.isDirectory()) await walk(full, depth + 1);
      else if (e.isFile()) out.push({ path: full, discovered: true });
    }
  };
  for (const p of paths) {
    let s;
    try {
      s = await stat(p);
    } catch {
      out.push({ path: p, discovered: false });
      continue;
    }
    if (!s.isDirectory()) out.push({ path: p, discovered: false });
    else if (await isSavedModelDir(p)) out.push({ path: p, discovered: false, folder: true });
    else await walk(p, 0);
  }
  return out;
}

function isSkippable(report: FileReport): boolean {
  return report.verdict === 'error' && /not a recognised model format|the file is empty/.test(report.error?.message ?? '');
}

export interface MainOptions {
  /** Run each scan in a worker thread loading this module (the bundled CLI), so a hang can be timed out. */
  isolate?: URL;
}

export async function main(
  argv: string[],
  out: (s: string) => void = (s) => process.stdout.write(s),
  err: (s: string) => void = (s) => process.stderr.write(s),
  options: MainOptions = {},
): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    out(USAGE + '\n');
    return command ? 0 : 2;
  }
  if (command === '--version') {
    out(VERSION + '\n');
    return 0;
  }
  if (command === 'decode') return runDecode(rest, out, err);
  if (command === 'diff') return runDiff(rest, out, err, USAGE, { isolate: options.isolate });
  if (command !== 'scan') {
    err(`unknown command: ${command}\n\n${USAGE}\n`);
    return 2;
  }
  let json = false;
  let hash = true;
  let sarif: string | undefined;
  let markdown: string | undefined;
  let evidence: string | undefined;
  let timeoutMs = 60_000;
  let failOn: Severity = 'high';
  const paths: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === '--json') json = true;
    else if (a === '--no-hash') hash = false;
    else if (a === '--sarif' || a === '--markdown' || a === '--evidence' || a === '--timeout') {
      const v = rest[++i];
      if (!v || (v.startsWith('--') && v !== '-')) {
        err(`${a} needs a value\n`);
        return 2;
      }
      if (a === '--sarif') sarif = v;
      else if (a === '--markdown') markdown = v;
      else if (a === '--evidence') evidence = v;
      else if (!(Number(v) > 0)) {
        err('--timeout takes a number of seconds\n');
        return 2;
      } else timeoutMs = Number(v) * 1000;
    }
    else if (a === '--fail-on') {
      const v = rest[++i] as Severity | undefined;
      if (!v || !SEVERITIES.includes(v)) {
        err(`--fail-on takes one of ${SEVERITIES.join('|')}\n`);
        return 2;
      }
      failOn = v;
    } else if (a.startsWith('--')) {
      err(`unknown option: ${a}\n\n${USAGE}\n`);
      return 2;
    } else paths.push(a);
  }
  if (paths.length === 0) {
    err(`scan needs at least one path\n\n${USAGE}\n`);
    return 2;
  }
  const targets = await expand(paths);
  const results: ScanResult[] = [];
  const skipped: string[] = [];
  const scanner = options.isolate ? new IsolatedScanner(options.isolate, timeoutMs) : null;
  try {
    for (const t of targets) {
      const job: ScanJob = { path: t.path, folder: t.folder === true, hash };
      const result = scanner ? await scanner.scan(job) : await runJob(job);
      if (t.discovered && isSkippable(result.report)) skipped.push(t.path);
      else results.push(result);
    }
  } finally {
    await scanner?.close();
  }
  const reports = results.map((r) => r.report);
  const emit = async (target: string, text: string) => (target === '-' ? out(text) : writeFile(target, text));
  if (sarif) await emit(sarif, toSarifText(reports) + '\n');
  if (markdown) await emit(markdown, reportsToMarkdown(reports));
  if (evidence) {
    await mkdir(evidence, { recursive: true });
    for (const r of results) {
      if (r.report.findings.length === 0) continue;
      const bundle = await buildEvidenceBundle({ report: r.report, documents: evidenceDocuments(r.documents) });
      await writeFile(path.join(evidence, bundle.fileName), bundle.bytes);
    }
  }
  if (json) out(JSON.stringify(reports.length === 1 && targets.length === 1 ? reports[0] : reports, null, 2) + '\n');
  else if (sarif !== '-' && markdown !== '-') {
    for (const r of reports) out(formatReportText(r) + '\n');
    if (skipped.length) out(`skipped ${skipped.length} file(s) that are not model files\n`);
  }
  const threshold = SEVERITIES.indexOf(failOn);
  if (reports.some((r) => r.verdict === 'error')) return 2;
  if (reports.length === 0) {
    err('no model files found\n');
    return 2;
  }
  return reports.some((r) => r.findings.some((f) => SEVERITIES.indexOf(f.severity) <= threshold)) ? 1 : 0;
}

// Inside the worker thread started by IsolatedScanner (the bundle loads itself as the worker).
if (!isMainThread && parentPort && (workerData as { lambdalensScanWorker?: boolean } | null)?.lambdalensScanWorker) {
  serveScanJobs(parentPort);
}

/** The bundled CLI's own URL, for `isolate` (set by bin/lambdalens.mjs). */
export const SELF_URL = import.meta.url;
