/**
 * The pipeline, once for every host: bytes → container (formats/) → config documents → walked model
 * (keras/walker) → decoded payloads (python/) → findings (analysis/) → FileReport. Never throws: every
 * failure becomes an `error` report that says what is wrong and where.
 */
import { decideVerdict, sortFindings } from './analysis/verdict';
import { runRules } from './analysis/registry';
import { describeError } from './errors';
import { FormatError, checkAborted, type FormatContext } from './formats/format';
import { FORMAT_INFO, FORMAT_MODULES, READERS } from './formats/registry';
import { openSavedModelFiles } from './formats/savedmodel-folder';
import { scanTorchModuleBlobs } from './formats/embedded-pickles';
import type { ByteSource } from './io/byte-source';
import type { CodeCarrier, OpenedModel } from './keras/model';
import { walkDocuments } from './keras/walker';
import { decodePayload } from './python/decode';
import type { DecodeHints, PayloadDecoding } from './python/types';
import type { FileReport } from './report';
import { blankReport, errorReport } from './error-report';
import type { ScanOptions, ScanProgress } from './scan-types';

export { errorReport };

const HEAD_BYTES = 4096;
const MAX_NESTING = 2;

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

/** Detects the format from bytes (never the file name) and opens it with what its detector parsed. */
async function openAny(source: ByteSource, options: ScanOptions, depth: number): Promise<OpenedModel> {
  if (source.size === 0) throw new FormatError('empty', 'the file is empty');
  const head = await source.read(0, Math.min(HEAD_BYTES, source.size));
  const probe = { head, size: source.size };
  const ctx = contextFor(options, depth);
  for (const format of FORMAT_MODULES) {
    checkAborted(options.signal);
    const detected = await format.detect(source, probe);
    if (detected === null) continue;
    const opened = await format.open(source, detected, ctx);
    // A fact kind the module does not declare would escape the check that every kind is read by a rule.
    const undeclared = opened.containerFacts.find((f) => !format.produces.includes(f.kind) && !(format.container === 'base64'));
    if (undeclared) throw new Error(`format module ${format.container} produced undeclared fact kind ${undeclared.kind}`);
    return opened;
  }
  throw new FormatError(
    'unrecognised',
    `not a recognised model format (first bytes: ${Array.from(head.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ')})`,
  );
}

function contextFor(options: ScanOptions, depth: number): FormatContext {
  return {
    mountHdf5: options.mountHdf5,
    signal: options.signal,
    progress: (message) => options.onProgress?.({ stage: 'container', message }),
    openNested: (inner) => {
      if (depth >= MAX_NESTING) throw new FormatError('limit', 'model wrapped too many times (nested encodings)');
      return openAny(inner, options, depth + 1);
    },
  };
}

/** Distinct payloads decoded per file; a crafted config repeating thousands of payloads must not stall the scan. */
export const MAX_DECODED_PAYLOADS = 500;
/** Payload findings listed per file (the count of all of them is kept in a note). */
export const MAX_LISTED_PAYLOADS = 2000;

/**
 * Decodes each distinct payload once (configs often repeat one payload, e.g. a shared layer in every SavedModel
 * node). Past the cap, carriers are still findings — only their decoding says it was skipped.
 */
function decodeCarriers(carriers: CodeCarrier[], hints: DecodeHints, signal: AbortSignal | undefined): Map<CodeCarrier, PayloadDecoding> {
  const byBytes = new Map<string, PayloadDecoding>();
  const decoded = new Map<CodeCarrier, PayloadDecoding>();
  for (const carrier of carriers) {
    checkAborted(signal);
    const key = carrier.sha256;
    let d = byBytes.get(key);
    if (!d) {
      d =
        byBytes.size < MAX_DECODED_PAYLOADS
          ? decodePayload(carrier.bytes, hints)
          : {
              ok: false,
              error: `not decoded: this file holds more than ${MAX_DECODED_PAYLOADS} distinct payloads`,
              pythonVersions: [],
              names: [],
              strings: [],
              sourceComplete: false,
              indicators: [],
            };
      byBytes.set(key, d);
    }
    decoded.set(carrier, d);
  }
  return decoded;
}

/** Opened container → walked model → decoded payloads → findings → report fields. */
async function analyse(opened: OpenedModel, report: FileReport, options: ScanOptions): Promise<void> {
  const progress = options.onProgress ?? (() => {});
  report.format = opened.format;
  report.formatDetail = opened.formatDetail;
  report.members = opened.members;
  const family = FORMAT_INFO[opened.format].family;
  // A part's readers default to the loaders of the whole file.
  report.skipped = opened.skipped.map((s) => (s.readBy.length ? s : { ...s, readBy: [...READERS[family]] }));
  if (opened.notes?.length) (report.notes ??= []).push(...opened.notes);
  checkAborted(options.signal);

  progress({ stage: 'config', message: 'walking the model config' });
  options.onDocuments?.(opened.documents.map(({ name, value }) => ({ name, value })));
  const walked = walkDocuments(opened.documents);
  if (walked.carriers.length > MAX_LISTED_PAYLOADS) {
    // Every payload is still counted; listing 100,000 identical findings helps nobody and stalls the page.
    (report.notes ??= []).push(
      `This file holds ${walked.carriers.length} code payloads; only the first ${MAX_LISTED_PAYLOADS} are listed as findings.`,
    );
    walked.carriers = walked.carriers.slice(0, MAX_LISTED_PAYLOADS);
  }

  progress({ stage: 'decode', message: `decoding ${walked.carriers.length} payload(s)` });
  const decoded = decodeCarriers(walked.carriers, { kerasVersion: opened.meta.kerasVersion }, options.signal);
  const blobs = await scanTorchModuleBlobs(walked.objects);

  progress({ stage: 'analysis', message: 'running rules' });
  const findings = sortFindings(
    runRules({
      opened,
      family,
      containerFacts: opened.containerFacts,
      walked,
      decoded,
      pickles: [...(opened.pickles ?? []), ...blobs.pickles],
      torchBlobs: blobs.blobs,
    }),
  );
  report.layers = walked.layers;
  report.findings = findings;
  report.model = {
    className: walked.rootClass,
    name: walked.rootName,
    kerasVersion: opened.meta.kerasVersion,
    backend: opened.meta.backend,
    writer: opened.meta.writer,
    layerCount: walked.layers.filter((l) => l.parent !== undefined).length,
  };
  const { verdict, reason } = decideVerdict(findings, report.skipped);
  report.verdict = verdict;
  // "No model config" may only be said when the reader inspected everything (verdict clean implies an empty ledger).
  const nothingToLoad = opened.documents.length === 0 && !opened.graphs && !(opened.pickles ?? []).length && family !== 'yaml';
  report.verdictReason =
    nothingToLoad && verdict === 'clean' ? `${opened.formatDetail}: there is no model config, so nothing in it is loaded as code.` : reason;
}

function fail(report: FileReport, e: unknown): void {
  const error = describeError(e);
  report.verdict = 'error';
  report.error = error;
  report.verdictReason = `Could not inspect this file: ${error.message}`;
}

function finish(report: FileReport, started: number, options: ScanOptions): FileReport {
  report.timings.totalMs = Math.round((now() - started) * 10) / 10;
  options.onProgress?.({ stage: 'done', message: report.verdict });
  return report;
}

/** Times each pipeline stage from the progress events the stages already send. */
function timed(options: ScanOptions, report: FileReport): ScanOptions {
  const stages: NonNullable<FileReport['timings']['stages']> = {};
  report.timings.stages = stages;
  let current: { stage: ScanProgress['stage']; at: number } | null = null;
  return {
    ...options,
    onProgress: (p) => {
      const t = now();
      if (current && current.stage !== 'done' && current.stage !== p.stage) stages[current.stage] = Math.round(((stages[current.stage] ?? 0) + t - current.at) * 10) / 10;
      if (!current || current.stage !== p.stage) current = { stage: p.stage, at: t };
      options.onProgress?.(p);
    },
  };
}

export async function scanSource(source: ByteSource, given: ScanOptions): Promise<FileReport> {
  const started = now();
  const report = blankReport(given.path ?? source.name, source.size);
  const options = timed(given, report);
  try {
    options.onProgress?.({ stage: 'detect', message: 'detecting the format' });
    await analyse(await openAny(source, options, 0), report, options);
  } catch (e) {
    fail(report, e);
  }
  return finish(report, started, options);
}

/**
 * A SavedModel folder as ONE model: `files` maps names relative to the dropped/opened folder (`saved_model.pb`,
 * `variables/variables.index`, or with the folder name in front) to their bytes. Only saved_model.pb and
 * keras_metadata.pb are read; the rest is listed.
 */
export async function scanFolder(files: Map<string, ByteSource>, name: string, given: ScanOptions): Promise<FileReport> {
  const started = now();
  let size = 0;
  for (const f of files.values()) size += f.size;
  const report = blankReport(given.path ?? name, size);
  const options = timed(given, report);
  try {
    options.onProgress?.({ stage: 'detect', message: 'reading the SavedModel folder' });
    const opened = await openSavedModelFiles(files, `folder ${name}`, contextFor(options, 0));
    await analyse(opened, report, options);
  } catch (e) {
    fail(report, e);
  }
  return finish(report, started, options);
}
