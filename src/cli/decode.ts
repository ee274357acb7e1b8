/** `lambdalens decode`: one marshal payload from an argument or stdin, as text or `lambdalens/decode@1` JSON. */
import { decodeEnvelope } from '../core/export/envelope';
import { sha256Hex } from '../core/io/sha256';
import { decodePayload } from '../core/python/decode';
import { payloadCandidate, decodeBase64, rawUnicodeEscapeToBytes } from '../core/keras/payload-bytes';
import type { Severity } from '../core/report';
import { atOrAbove, FAIL_ON_USAGE, parseFailOn } from './fail-on';
import { inert, inertBlock, jsonText, own, term, type TerminalText } from './terminal-text';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Accepts base64 (MIME or plain), raw_unicode_escape text, or a JSON string literal of either. */
export function payloadBytes(text: string): Uint8Array | null {
  let t = text.trim();
  if (t.startsWith('"')) {
    try {
      t = JSON.parse(t) as string;
    } catch {
      return null;
    }
  }
  const c = payloadCandidate(t);
  if (c) return c.bytes;
  return decodeBase64(t) ?? (t.length ? rawUnicodeEscapeToBytes(t) : null);
}

/**
 * Exit codes as for `scan`: 2 when the input is not a payload (or bad usage), 1 when the payload's severity
 * (envelope.ts decodeSeverity: the worst of its indicators) is at or above --fail-on (default high), else 0.
 */
export async function runDecode(args: string[], out: (s: TerminalText) => void, err: (s: TerminalText) => void): Promise<number> {
  let json = false;
  let failOn: Severity = 'high';
  const input: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--json') json = true;
    else if (a === '--fail-on') {
      const v = parseFailOn(args[++i]);
      if (!v) {
        err(FAIL_ON_USAGE);
        return 2;
      }
      failOn = v;
    } else if (a.startsWith('--')) {
      err(term`decode: unknown option: ${inert(a)}\n`);
      return 2;
    } else input.push(a);
  }
  if (input.length > 1) {
    err(own('decode takes one payload (an argument, or - / nothing for stdin)\n'));
    return 2;
  }
  const text = input.length === 0 || input[0] === '-' ? await readStdin() : input[0];
  const bytes = payloadBytes(text);
  if (!bytes) {
    err(own('decode: the input is neither base64 nor raw_unicode_escape marshal text\n'));
    return 2;
  }
  const d = decodePayload(bytes);
  const envelope = decodeEnvelope(d, { bytes: bytes.length, sha256: sha256Hex(bytes) });
  if (json) out(term`${jsonText(envelope, 2)}\n`);
  else {
    if (!d.ok) out(term`not a readable marshal code object: ${inert(d.error ?? '')}\n`);
    out(term`severity: ${own(envelope.severity)}\n`);
    out(term`python: ${inert(d.pythonVersions.map((v) => `${v.version} (${v.evidence.join('; ')})`).join(' | ') || 'unknown')}\n`);
    if (d.code) out(term`code: ${inert(d.code.qualname ?? d.code.name)} in ${inert(d.code.filename)}:${d.code.firstlineno}\n`);
    out(term`names: ${inert(d.names.join(', '))}\nstrings: ${inert(d.strings.map((s) => JSON.stringify(s)).join(', '))}\n`);
    for (const i of d.indicators) out(term`! ${own(i.category)}: ${inert(i.title)} [${inert(i.evidence.join(', '))}] at ${inert(i.where)} ${own(i.offsets.join(','))}\n`);
    if (d.source) out(term`\n# source${own(d.sourceComplete ? '' : ' (partial)')}\n${inertBlock(d.source)}\n`);
    if (d.disassembly) out(term`\n# disassembly\n${inertBlock(d.disassembly)}\n`);
  }
  if (!d.ok) return 2;
  return atOrAbove(envelope.severity, failOn) ? 1 : 0;
}
