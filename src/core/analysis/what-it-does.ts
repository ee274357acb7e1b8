/**
 * What a finding's code does, in one sentence, built from the decoded payload's indicators and constants:
 * "runs the shell command `echo pwned` with os.system", "opens `/etc/passwd` and reads it", "decodes a base64
 * string and exec's it". Data first: a list of parts, where values from the file are kept apart from our words so
 * every medium (page, Markdown, terminal) shows them inert in its own way; one plain formatter is here.
 */
import type { Finding, PayloadReport } from '../report';

/** Our words, or a value taken from the file (shown quoted and inert, cut past MAX_VALUE_CHARS). */
export type SentencePart = { text: string } | { value: string };

export interface WhatItDoes {
  parts: SentencePart[];
  /** True when the sentence comes from the code's own indicators (false: from the finding's title). */
  fromCode: boolean;
}

export const MAX_VALUE_CHARS = 60;

function value(text: string): SentencePart {
  const t = text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
  return { value: t };
}

/** A quoted Python literal from indicator evidence (`'echo x'` / `"…"`), unquoted; null when it is a name. */
function literal(evidence: string): string | null {
  const m = /^(['"])([\s\S]*)\1$/.exec(evidence);
  return m ? m[2] : null;
}

/** The call named in an indicator title's parentheses: "runs … (os.system)" → os.system. */
function callOf(title: string): string | undefined {
  return /\(([A-Za-z_][\w.]*)\)\s*$/.exec(title)?.[1];
}

/** String values stored beside the code (defaults, closure): the command may live there, not in the bytecode. */
function storedStrings(payload: PayloadReport): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (out.length >= 5) return;
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(payload.defaults);
  walk(payload.closure);
  return out;
}

function join(parts: SentencePart[][]): SentencePart[] {
  const out: SentencePart[] = [];
  parts.forEach((p, i) => {
    if (i > 0) out.push({ text: i === parts.length - 1 ? ' and ' : ', ' });
    out.push(...p);
  });
  return out;
}

/** One clause per kind of thing the code does, most harmful first. */
function payloadClauses(payload: PayloadReport): SentencePart[][] {
  const d = payload.decoded;
  const ind = d.indicators;
  const literals = (category: string) => ind.filter((i) => i.category === category).flatMap((i) => i.evidence.map(literal).filter((x): x is string => x !== null));
  const clauses: SentencePart[][] = [];
  const proc = ind.find((i) => i.category === 'process' && callOf(i.title));
  if (proc) {
    const call = callOf(proc.title)!;
    const command = literals('process')[0] ?? storedStrings(payload)[0];
    // Without a literal command: the other strings of the code are the program and its arguments (Popen(['echo', …])).
    const args = command === undefined ? d.strings.filter((s) => !call.split('.').includes(s)) : [];
    if (command !== undefined) clauses.push([{ text: 'runs the shell command ' }, value(command), { text: ' with ' }, { text: call }]);
    else if (args.length) clauses.push([{ text: 'runs the program ' }, value(args.join(' ')), { text: ' with ' }, { text: call }]);
    else clauses.push([{ text: `runs a command with ${call}` }]);
  }
  const decodes = ind.some((i) => i.category === 'obfuscation' && /base64|hex|rot13|compress|decod/i.test(i.title));
  const exec = ind.find((i) => i.category === 'dynamic-code' && /\((exec|eval|compile)\)/.test(i.title));
  if (exec) {
    const fn = callOf(exec.title)!;
    const code = exec.evidence.map(literal).find((x): x is string => x !== null);
    if (decodes) clauses.push([{ text: `decodes a base64 string and ${fn}'s it` }]);
    else if (code !== undefined) clauses.push([{ text: `${fn}'s the code ` }, value(code)]);
    else clauses.push([{ text: `${fn}'s code built at run time` }]);
  } else if (decodes) {
    clauses.push([{ text: 'decodes hidden data (base64 or similar)' }]);
  }
  const file = ind.find((i) => i.category === 'file' && callOf(i.title));
  if (file) {
    const path = literals('file')[0] ?? storedStrings(payload)[0];
    const verb = d.names.includes('write') ? 'writes to it' : d.names.includes('read') ? 'reads it' : 'uses it';
    if (path !== undefined) clauses.push([{ text: 'opens ' }, value(path), { text: ` and ${verb}` }]);
    else clauses.push([{ text: `opens a file with ${callOf(file.title)} and ${verb}` }]);
  }
  const net = ind.find((i) => i.category === 'network' && callOf(i.title));
  if (net) {
    const address = literals('network')[0];
    if (address !== undefined) clauses.push([{ text: 'connects to ' }, value(address), { text: ` with ${callOf(net.title)}` }]);
    else clauses.push([{ text: `opens a network connection with ${callOf(net.title)}` }]);
  }
  if (clauses.length === 0) {
    const other = ind.find((i) => i.category !== 'dynamic-code' || !/imports a module/.test(i.title));
    if (other) clauses.push([{ text: other.title }]);
  }
  return clauses;
}

/** The sentence for one finding. */
export function whatItDoes(finding: Finding): WhatItDoes {
  const payload = finding.payload;
  if (payload) {
    const clauses = payloadClauses(payload);
    if (clauses.length) return { parts: join(clauses), fromCode: true };
    const d = payload.decoded;
    if (!d.ok) return { parts: [{ text: 'holds Python bytecode that could not be decoded' }], fromCode: true };
    const source = d.source?.trim().split('\n').find((l) => l && !l.startsWith('#'));
    return {
      parts: source ? [{ text: 'computes ' }, value(source), { text: '; it calls no process, file or network function' }] : [{ text: 'calls no process, file or network function' }],
      fromCode: true,
    };
  }
  const t = finding.title.trim();
  return { parts: [{ text: t.charAt(0).toLowerCase() + t.slice(1) }], fromCode: false };
}

/**
 * Plain text: values in backticks. A medium passes its own escapers (Markdown, terminal); our words can carry
 * names from the code (a call's dotted name), so they are escaped too.
 */
export function whatItDoesText(w: WhatItDoes, quote: (value: string) => string = (v) => `\`${v}\``, text: (words: string) => string = (t) => t): string {
  return w.parts.map((p) => ('value' in p ? quote(p.value) : text(p.text))).join('');
}
