// (a) Decode throughput in Node: every golden payload (tests/fixtures/golden/*.json, 2.7 and 3.6–3.15) through
// decodePayload (marshal → versions → disassembly → decompile → indicators), repeated for at least --seconds.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleDecode, root } from './bundle.mjs';

export async function decodeThroughput({ seconds = 3 } = {}) {
  const { decodePayload } = await import(pathToFileURL(await bundleDecode()).href);
  const dir = path.join(root, 'tests/fixtures/golden');
  const payloads = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
    const g = JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
    for (const c of g.cases) if (c.marshal_b64) payloads.push({ file: f, bytes: new Uint8Array(Buffer.from(c.marshal_b64, 'base64')) });
  }
  const totalBytes = payloads.reduce((n, p) => n + p.bytes.length, 0);
  let failures = 0;
  for (const p of payloads) if (!decodePayload(p.bytes, {}).ok) failures++; // warm-up pass
  const perFile = new Map();
  let passes = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    for (const p of payloads) {
      const t = performance.now();
      decodePayload(p.bytes, {});
      perFile.set(p.file, (perFile.get(p.file) ?? 0) + (performance.now() - t));
    }
    passes++;
  }
  const elapsed = (performance.now() - started) / 1000;
  return {
    payloads: payloads.length,
    passes,
    failures,
    payloadsPerSecond: (payloads.length * passes) / elapsed,
    megabytesPerSecond: (totalBytes * passes) / elapsed / 1e6,
    meanMicroseconds: (elapsed * 1e6) / (payloads.length * passes),
    perFileMs: Object.fromEntries([...perFile].map(([f, ms]) => [f, ms / passes])),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await decodeThroughput();
  console.log(JSON.stringify(r, null, 2));
}
