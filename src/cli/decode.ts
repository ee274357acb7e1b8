/** `lambdalens decode`: one marshal payload from an argument or stdin, as text or JSON. */
import { decodePayload } from '../core/python/decode';
import { payloadCandidate, decodeBase64, rawUnicodeEscapeToBytes } from '../core/keras/payload-bytes';
import { inert } from './format-text';

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

export async function runDecode(args: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const json = args.includes('--json');
  const input = args.filter((a) => a !== '--json');
  const text = input.length === 0 || input[0] === '-' ? await readStdin() : input[0];
  const bytes = payloadBytes(text);
  if (!bytes) {
    err('decode: the input is neither base64 nor raw_unicode_escape marshal text\n');
    return 2;
  }
  const d = decodePayload(bytes);
  if (json) out(JSON.stringify(d, null, 2) + '\n');
  else {
    if (!d.ok) out(`not a readable marshal code object: ${inert(d.error ?? '')}\n`);
    out(`python: ${d.pythonVersions.map((v) => `${v.version} (${v.evidence.join('; ')})`).join(' | ') || 'unknown'}\n`);
    if (d.code) out(`code: ${inert(d.code.qualname ?? d.code.name)} in ${inert(d.code.filename)}:${d.code.firstlineno}\n`);
    out(`names: ${inert(d.names.join(', '))}\nstrings: ${inert(d.strings.map((s) => JSON.stringify(s)).join(', '))}\n`);
    for (const i of d.indicators) out(`! ${i.category}: ${inert(i.title)} [${inert(i.evidence.join(', '))}] at ${i.where} ${i.offsets.join(',')}\n`);
    if (d.source) out(`\n# source${d.sourceComplete ? '' : ' (partial)'}\n${inert(d.source)}\n`);
    if (d.disassembly) out(`\n# disassembly\n${inert(d.disassembly)}\n`);
  }
  return d.ok ? 0 : 2;
}
