/**
 * `lambdalens` — the CLI over the same core as the page.
 *   lambdalens scan <paths|https://…|hf://owner/repo…> [--from-file F] [--concurrency N] [--json|--jsonl] [--sarif F] [--markdown F] [--evidence DIR] [--fail-on <severity>] [--no-hash] [--timeout S]
 *   lambdalens decode [<base64>|-] [--json] [--fail-on <severity>]
 *   lambdalens diff <a> <b> [--json] [--no-hash] [--timeout S]
 * Exit codes: 0 clean or below the threshold, 1 findings at or above it, 2 errors or bad usage
 * (diff: 0 no code-carrying difference, 1 one exists, 2 a file could not be inspected or bad usage).
 */
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { evidenceDocuments, evidenceFileName, buildEvidenceBundle } from '../core/export/evidence';
import { scanEnvelope, type SkippedPath } from '../core/export/envelope';
import { reportsToMarkdown } from '../core/export/markdown';
import { toSarifText } from '../core/export/sarif';
import { IsolatedScanner, runJob, serveScanJobs, type ScanJob, type ScanResult } from '../node/isolated-scan';
import type { FileReport, Severity } from '../core/report';
import { isSavedModelDir } from '../node/scan-path';
import { VERSION } from '../core/version';
import { describeError } from '../core/errors';
import { errorReport } from '../core/error-report';
import { HF_HUB, listHfModelFiles, parseHfTarget } from '../core/remote/hf';
import { formatReportText } from './format-text';
import { runDecode } from './decode';
import { atOrAbove, FAIL_ON_USAGE, parseFailOn } from './fail-on';
import { runDiff } from './diff';
import { inert, inertBlock, jsonText, own, term, type TerminalText } from './terminal-text';

const USAGE = `lambdalens ${VERSION} — see what code a Keras/TensorFlow model runs on load, without loading it.

Usage:
  lambdalens scan <paths…> [options]
  lambdalens decode [<base64>|-] [--json] [--fail-on <sev>]
  lambdalens diff <a> <b> [--json] [--no-hash] [--timeout <s>]

scan      files and folders (folders are searched recursively; files are recognised by their bytes;
          a folder holding saved_model.pb is one SavedModel), and hosted files: an https:// address is read
          where it is, with range requests (only the bytes the readers need; GET only, no credentials);
          hf://owner/repo[@revision] or https://huggingface.co/owner/repo scans a public Hugging Face
          repository's model files (listed through the Hub API, never with a token)
  --from-file <file>  more paths or addresses, one per line (blank lines and # comments are skipped)
  --concurrency <n>   scan up to n files at once (default: 4 when there are addresses, else 1)
  --hf-endpoint <url> the Hugging Face Hub's address (default https://huggingface.co)
  --json              print one JSON document (schema lambdalens/scan@1, schemas/scan.schema.json): every file's
                      report in "files", a summary, and the paths skipped as not models
  --jsonl             print one report per line (schemas/report.schema.json) as files finish, in input order
  --sarif <file|->    write a SARIF 2.1.0 log (one result per finding) to a file, or - for stdout
  --markdown <file|-> write a Markdown summary for tickets
  --evidence <dir>    write an evidence bundle per input (zip: report, configs, each payload as .pyc/.py/.b64),
                      named <file>.<hash of its full path>.evidence.zip
  --only-models       files named on the command line that are not models (by their bytes) are skipped, as in
                      folders, and none at all is exit 0 (for commit hooks that pass every staged file)
  --fail-on <sev>     exit 1 when a finding is at or above: critical|high|medium|low|info (default: high)
  --no-hash           skip the streamed sha256
  --timeout <s>       give up on a file after this many seconds (default 60)
decode    decode one marshal payload (base64 or raw_unicode_escape text) from the argument or stdin;
          --json prints lambdalens/decode@1 (schemas/decode.schema.json); exits 1 when the code's severity
          (the worst of what it does: process, eval/exec, files, network → critical) is at or above --fail-on
diff      compare two models (a: the reference, b: the copy under review): layers added, removed or renamed,
          config per key, inbound edges, every code payload by hash and decoded code, findings on one side only,
          zip CRC-32 / HDF5 dataset shapes as the containers record them (weights are never read)
  --json              print the diff as JSON (schema lambdalens/diff@1, schemas/diff.schema.json)

Only one output may go to stdout (text, --json, --jsonl, --sarif -, --markdown -).

Exit codes: 0 clean or below the threshold, 1 findings at or above it, 2 errors or bad usage.
diff: 0 no difference in the code a load runs, 1 such a difference, 2 a file could not be inspected or bad usage.`;

interface Target {
  /** A path, or an http(s) address when `url` is set. */
  path: string;
  url?: boolean;
  /** Name in the report (hf://owner/repo@revision/file for a Hub file). */
  display?: string;
  /** The target could not even be listed: this report stands for it. */
  failed?: FileReport;
  /** Found by walking a folder: unrecognised files are skipped rather than reported as errors. */
  discovered: boolean;
  /** A SavedModel folder, scanned as one model. */
  folder?: boolean;
}

async function expand(paths: string[], hub: string, err: (s: string) => void): Promise<Target[]> {
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
    const hf = parseHfTarget(p, hub);
    if (hf?.kind === 'repo') {
      const { repo, revision } = hf.ref;
      try {
        const listing = await listHfModelFiles(hf.ref, { hub });
        if (listing.truncated) err(`${p}: the repository lists more files than are read; only the first ones were scanned\n`);
        for (const f of listing.files) out.push({ path: f.url, url: true, discovered: true, display: `hf://${repo}@${revision}/${f.path}` });
        if (listing.files.length === 0) err(`${p}: no model files among the repository's ${listing.otherFiles} file(s)\n`);
      } catch (e) {
        const error = describeError(e);
        out.push({ path: p, discovered: false, failed: errorReport(p, 0, error.code, error.message) });
      }
      continue;
    }
    if (hf?.kind === 'file') {
      out.push({ path: hf.url, url: true, discovered: false, display: p });
      continue;
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(p)) {
      out.push({ path: p, url: true, discovered: false });
      continue;
    }
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

/** A file found inside a folder that is not a model at all: listed in `skipped`, not reported as an error. */
function skipReason(report: FileReport): string | null {
  const code = report.error?.code;
  return report.verdict === 'error' && (code === 'unrecognised' || code === 'empty') ? (report.error?.message ?? code) : null;
}

export interface MainOptions {
  /** Run each scan in a worker thread loading this module (the bundled CLI), so a hang can be timed out. */
  isolate?: URL;
}

/** Writes to stdout and stderr take TerminalText only (terminal-text.ts): nothing from a file reaches them raw. */
export type Write = (s: TerminalText) => void;

export async function main(
  argv: string[],
  out: Write = (s) => process.stdout.write(s),
  err: Write = (s) => process.stderr.write(s),
  options: MainOptions = {},
): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    out(own(USAGE + '\n'));
    return command ? 0 : 2;
  }
  if (command === '--version') {
    out(own(VERSION + '\n'));
    return 0;
  }
  if (command === 'decode') return runDecode(rest, out, err);
  if (command === 'diff') return runDiff(rest, out, err, USAGE, { isolate: options.isolate });
  if (command !== 'scan') {
    err(term`unknown command: ${inert(command)}\n\n${own(USAGE)}\n`);
    return 2;
  }
  let json = false;
  let jsonl = false;
  let onlyModels = false;
  let hash = true;
  let sarif: string | undefined;
  let markdown: string | undefined;
  let evidence: string | undefined;
  let timeoutMs = 60_000;
  let failOn: Severity = 'high';
  let concurrency: number | undefined;
  let hub = HF_HUB;
  const paths: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    // `--` ends the options: what follows is paths even when it looks like an option (a file named `--sarif`).
    if (a === '--') {
      paths.push(...rest.slice(i + 1));
      break;
    }
    if (a === '--json') json = true;
    else if (a === '--jsonl') jsonl = true;
    else if (a === '--only-models') onlyModels = true;
    else if (a === '--no-hash') hash = false;
    else if (a === '--sarif' || a === '--markdown' || a === '--evidence' || a === '--timeout') {
      const v = rest[++i];
      if (!v || (v.startsWith('--') && v !== '-')) {
        err(own(`${a} needs a value\n`));
        return 2;
      }
      if (a === '--sarif') sarif = v;
      else if (a === '--markdown') markdown = v;
      else if (a === '--evidence') evidence = v;
      else if (!(Number(v) > 0)) {
        err(own('--timeout takes a number of seconds\n'));
        return 2;
      } else timeoutMs = Number(v) * 1000;
    }
    else if (a === '--from-file' || a === '--concurrency' || a === '--hf-endpoint') {
      const v = rest[++i];
      if (!v) {
        err(own(`${a} needs a value\n`));
        return 2;
      }
      if (a === '--concurrency') {
        if (!(Number.isInteger(Number(v)) && Number(v) >= 1 && Number(v) <= 64)) {
          err(own('--concurrency takes a whole number from 1 to 64\n'));
          return 2;
        }
        concurrency = Number(v);
      } else if (a === '--hf-endpoint') {
        if (!/^https?:\/\//.test(v)) {
          err(own('--hf-endpoint takes an http(s) address\n'));
          return 2;
        }
        hub = v.replace(/\/+$/, '');
      } else {
        let text: string;
        try {
          text = await readFile(v, 'utf8');
        } catch (e) {
          err(term`could not read ${inert(v)}: ${inert(e instanceof Error ? e.message : String(e))}\n`);
          return 2;
        }
        for (const line of text.split(/\r?\n/)) {
          const t = line.trim();
          if (t && !t.startsWith('#')) paths.push(t);
        }
      }
    } else if (a === '--fail-on') {
      const v = parseFailOn(rest[++i]);
      if (!v) {
        err(FAIL_ON_USAGE);
        return 2;
      }
      failOn = v;
    } else if (a.startsWith('--')) {
      err(term`unknown option: ${inert(a)}\n\n${own(USAGE)}\n`);
      return 2;
    } else paths.push(a);
  }
  // One document per stream: two outputs on stdout would be one unparsable stream.
  const toStdout = [json && '--json', jsonl && '--jsonl', sarif === '-' && '--sarif -', markdown === '-' && '--markdown -'].filter((x): x is string => typeof x === 'string');
  if (toStdout.length > 1) {
    err(own(`only one output can go to stdout, and ${toStdout.join(' and ')} both ask for it: write the others to files (e.g. --sarif out.sarif)\n`));
    return 2;
  }
  if (paths.length === 0) {
    err(own(`scan needs at least one path\n\n${USAGE}\n`));
    return 2;
  }
  const text = toStdout.length === 0;
  const targets = await expand(paths, hub, (m) => err(inert(m)));
  const workers = Math.max(1, Math.min(concurrency ?? (targets.some((t) => t.url) ? 4 : 1), targets.length));
  const slots: (ScanResult | undefined)[] = new Array(targets.length);
  const scanners = options.isolate ? Array.from({ length: workers }, () => new IsolatedScanner(options.isolate!, timeoutMs)) : [];
  const results: ScanResult[] = [];
  const skipped: SkippedPath[] = [];
  let printed = 0;
  // Reports are streamed as soon as every earlier target is done, so the output keeps the input order.
  const flush = () => {
    for (; printed < targets.length && slots[printed]; printed++) {
      const t = targets[printed];
      const result = slots[printed]!;
      const reason = t.discovered || onlyModels ? skipReason(result.report) : null;
      if (reason !== null) {
        skipped.push({ path: t.display ?? t.path, reason });
        if (jsonl) err(term`skipped ${inert(t.display ?? t.path)}: ${inert(reason)}\n`);
        continue;
      }
      results.push(result);
      if (jsonl) out(term`${jsonText(result.report)}\n`);
      else if (text) out(term`${formatReportText(result.report)}\n`);
    }
  };
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: workers }, async (_, w) => {
        for (let i = next++; i < targets.length; i = next++) {
          const t = targets[i];
          if (t.failed) slots[i] = { report: t.failed, documents: [] };
          else {
            const job: ScanJob = { path: t.path, folder: t.folder === true, hash, ...(t.url ? { url: true } : {}), ...(t.display ? { display: t.display } : {}) };
            slots[i] = scanners[w] ? await scanners[w].scan(job) : await runJob(job);
          }
          flush();
        }
      }),
    );
  } finally {
    await Promise.all(scanners.map((s) => s.close()));
  }
  const reports = results.map((r) => r.report);
  const emit = async (target: string, content: TerminalText) => (target === '-' ? out(content) : writeFile(target, content));
  if (sarif) await emit(sarif, term`${inertBlock(toSarifText(reports))}\n`);
  if (markdown) await emit(markdown, inertBlock(reportsToMarkdown(reports)));
  if (evidence) {
    await mkdir(evidence, { recursive: true });
    // One bundle per input, named by its full path (two m.h5 in different folders are two bundles).
    for (const r of results) {
      const bundle = await buildEvidenceBundle({ report: r.report, documents: evidenceDocuments(r.documents) });
      await writeFile(path.join(evidence, evidenceFileName(path.resolve(r.report.path))), bundle.bytes);
    }
  }
  if (json) out(term`${jsonText(scanEnvelope(reports, skipped), 2)}\n`);
  else if (text) for (const s of skipped) out(term`skipped ${inert(s.path)}: ${inert(s.reason)}\n`);
  if (reports.some((r) => r.verdict === 'error')) return 2;
  if (reports.length === 0) {
    // A commit hook hands over every staged file; none being a model is the usual, passing case.
    if (onlyModels) return 0;
    err(own('no model files found\n'));
    return 2;
  }
  return reports.some((r) => r.findings.some((f) => atOrAbove(f.severity, failOn))) ? 1 : 0;
}

// Inside the worker thread started by IsolatedScanner (the bundle loads itself as the worker).
if (!isMainThread && parentPort && (workerData as { lambdalensScanWorker?: boolean } | null)?.lambdalensScanWorker) {
  serveScanJobs(parentPort);
}

/** The bundled CLI's own URL, for `isolate` (set by bin/lambdalens.mjs). */
export const SELF_URL = import.meta.url;
