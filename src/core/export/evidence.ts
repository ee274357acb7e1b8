/**
 * The evidence bundle: one zip a reviewer can attach to a ticket or hand to their own tools. It holds the
 * report, the config documents the scan read, and every payload as `.pyc` (for third-party decompilers),
 * base64 and raw marshal, plus our decompiled source and disassembly. Member names are built by us, never
 * taken from the file (layer names are reduced to a safe slug), so the zip cannot write outside its folder.
 */
import { Uint8ArrayReader, Uint8ArrayWriter, ZipWriter } from '@zip.js/zip.js';
import { sha256Hex } from '../io/sha256';
import type { FileReport, PayloadReport } from '../report';
import { payloadMarshal, payloadToPyc } from './pyc';

/** A config document as the scan read it (`config.json`, `model_config`, `training_config` …). */
export interface EvidenceDocument {
  name: string;
  text: string;
}

/**
 * Config documents as the scan holds them (parsed JSON) → bundle documents. The text is re-serialised
 * (2-space indent), so it is the same JSON, not byte-identical to the file (Python's NaN reads as null).
 */
export function evidenceDocuments(documents: readonly { name: string; value: unknown }[]): EvidenceDocument[] {
  return documents.map((d) => ({ name: d.name, text: `${JSON.stringify(d.value, null, 2)}\n` }));
}

export interface EvidenceInput {
  report: FileReport;
  documents?: readonly EvidenceDocument[];
}

export interface EvidenceOptions {
  /** Timestamp of every member (default: now). Fix it for byte-identical bundles. */
  date?: Date;
  /** Deflate level 0–9 (default 6). */
  level?: number;
}

export interface EvidenceBundle {
  bytes: Uint8Array;
  /** Member names in the order written. */
  members: string[];
  /** Suggested file name: `<model file name>.evidence.zip`. */
  fileName: string;
}

/** `[A-Za-z0-9._-]` only, no leading dot, at most `max` characters; never empty. */
export function safeSlug(text: string, max = 60): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\\/]+/g, '_')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[._-]+/, '')
    .replace(/-{2,}/g, '-')
    .slice(0, max)
    .replace(/[.-]+$/, '');
  return slug || 'unnamed';
}

function documentMemberName(name: string, used: Set<string>): string {
  let base = safeSlug(name, 80);
  if (!/\.json$/i.test(base)) base += '.json';
  let candidate = `documents/${base}`;
  for (let n = 2; used.has(candidate); n++) candidate = `documents/${n}-${base}`;
  used.add(candidate);
  return candidate;
}

function readme(report: FileReport, members: string[]): string {
  return [
    `Lambda Lens evidence bundle for ${JSON.stringify(report.path)}`,
    `verdict: ${report.verdict}: ${report.verdictReason}`,
    `tool: lambdalens ${report.tool.version}; report schema ${report.schema}`,
    '',
    'WARNING: payloads/*.pyc and *.marshal are the model\'s own Python bytecode. Decompile or disassemble them;',
    'never import, exec or load them (or the model) in a Python you care about.',
    '',
    'report.json           the full report (JSON, schema above)',
    'documents/            the config documents read from the model file',
    'payloads/N-LAYER.pyc  marshal bytes with a .pyc header for the first inferred Python version',
    'payloads/N-LAYER.marshal / .b64   the raw marshal bytes, and as base64',
    'payloads/N-LAYER.py   Lambda Lens\'s decompiled source (check .dis.txt where marked partial)',
    'payloads/N-LAYER.dis.txt           disassembly as that Python\'s dis module prints it',
    'SHA256SUMS            sha256 of every member above',
    '',
    'Members:',
    ...members.map((m) => `  ${m}`),
    '',
  ].join('\n');
}

interface PendingMember {
  name: string;
  bytes: Uint8Array;
}

function payloadMembers(p: PayloadReport, stem: string): PendingMember[] {
  const enc = new TextEncoder();
  const out: PendingMember[] = [];
  const pyc = payloadToPyc(p);
  const marshal = payloadMarshal(p);
  if (pyc) out.push({ name: `${stem}.pyc`, bytes: pyc.bytes });
  if (marshal) out.push({ name: `${stem}.marshal`, bytes: marshal });
  if (p.base64) out.push({ name: `${stem}.b64`, bytes: enc.encode(`${p.base64}\n`) });
  const d = p.decoded;
  if (d.source !== undefined) {
    const versions = d.pythonVersions.map((v) => v.version).join(', ') || 'unknown';
    const header = `# Decompiled by Lambda Lens from marshal sha256 ${p.sha256} (Python ${versions})${d.sourceComplete ? '' : '\n# PARTIAL: the decompiler was not sure this is complete; see the .dis.txt'}\n`;
    out.push({ name: `${stem}.py`, bytes: enc.encode(`${header}${d.source}${d.source.endsWith('\n') ? '' : '\n'}`) });
  }
  if (d.disassembly !== undefined) out.push({ name: `${stem}.dis.txt`, bytes: enc.encode(d.disassembly) });
  if (!d.ok && d.error) out.push({ name: `${stem}.error.txt`, bytes: enc.encode(`${d.error}\n`) });
  return out;
}

/**
 * `<file name>.<8 hex of the full path's sha256>.evidence.zip`: two `m.h5` in different folders get two bundles,
 * and the same path always the same name (a re-run replaces its own bundle, never another file's).
 */
export function evidenceFileName(fullPath: string): string {
  const base = safeSlug(fullPath.split(/[\\/]/).pop() ?? 'model', 80);
  return `${base}.${sha256Hex(new TextEncoder().encode(fullPath)).slice(0, 8)}.evidence.zip`;
}

/** Builds the bundle in memory (reports and payloads are small; the model file itself is never included). */
export async function buildEvidenceBundle(input: EvidenceInput, options: EvidenceOptions = {}): Promise<EvidenceBundle> {
  const enc = new TextEncoder();
  const { report } = input;
  const pending: PendingMember[] = [{ name: 'report.json', bytes: enc.encode(JSON.stringify(report, null, 2) + '\n') }];
  const used = new Set<string>();
  for (const doc of input.documents ?? []) pending.push({ name: documentMemberName(doc.name, used), bytes: enc.encode(doc.text) });
  let n = 0;
  for (const f of report.findings) {
    if (!f.payload) continue;
    n++;
    const stem = `payloads/${String(n).padStart(2, '0')}-${safeSlug(f.layer ?? f.slot ?? f.document, 60)}${f.slot && f.layer ? `-${safeSlug(f.slot, 20)}` : ''}`;
    pending.push(...payloadMembers(f.payload, stem));
  }
  const sums = pending.map((m) => `${sha256Hex(m.bytes)}  ${m.name}`).join('\n') + '\n';
  pending.push({ name: 'SHA256SUMS', bytes: enc.encode(sums) });
  const names = pending.map((m) => m.name);
  pending.unshift({ name: 'README.txt', bytes: enc.encode(readme(report, names)) });

  const date = options.date ?? new Date();
  const writer = new ZipWriter(new Uint8ArrayWriter(), { useWebWorkers: false, level: options.level ?? 6, lastModDate: date });
  for (const m of pending) await writer.add(m.name, new Uint8ArrayReader(m.bytes), { lastModDate: date });
  const bytes = await writer.close();
  const fileName = evidenceFileName(report.path);
  return { bytes, members: pending.map((m) => m.name), fileName };
}
