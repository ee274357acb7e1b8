// (a) Decode throughput in Node: every golden payload (tests/fixtures/golden/*.json, 2.7 and 3.6–3.15) through
// decodePayload (marshal → versions → disassembly → decompile → indicators), repeated for at least --seconds.
// Then a few passes with decodePayload's onStage clock: where the time goes, per step, in µs per payload.
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleDecode, root } from './bundle.mjs';

const STAGES = ['marshal', 'versions', 'names', 'disassembly', 'decompile', 'indicators'];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export async function decodeThroughput({ seconds = 3, stagePasses = 5 } = {}) {
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
  const passRates = [];
  let passes = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    const passStart = performance.now();
    for (const p of payloads) {
      const t = performance.now();
      decodePayload(p.bytes, {});
      perFile.set(p.file, (perFile.get(p.file) ?? 0) + (performance.now() - t));
    }
    passRates.push(payloads.length / ((performance.now() - passStart) / 1000));
    passes++;
  }
  const elapsed = (performance.now() - started) / 1000;

  // Where the time goes: the median over passes of each step's total, per payload.
  const stageTotals = Object.fromEntries(STAGES.map((s) => [s, []]));
  for (let k = 0; k < stagePasses; k++) {
    const sums = Object.fromEntries(STAGES.map((s) => [s, 0]));
    const onStage = (stage, ms) => (sums[stage] += ms);
    for (const p of payloads) decodePayload(p.bytes, {}, { onStage });
    for (const s of STAGES) stageTotals[s].push(sums[s]);
  }
  const stageMicroseconds = Object.fromEntries(STAGES.map((s) => [s, (median(stageTotals[s]) * 1000) / payloads.length]));

  return {
    payloads: payloads.length,
    passes,
    failures,
    payloadsPerSecond: (payloads.length * passes) / elapsed,
    medianPassPayloadsPerSecond: median(passRates),
    megabytesPerSecond: (totalBytes * passes) / elapsed / 1e6,
    meanMicroseconds: (elapsed * 1e6) / (payloads.length * passes),
    stageMicroseconds,
    /** 1-minute load average when the run ended (2 cores shared: figures above ~1 are noisy). */
    loadAverage: loadavg()[0],
    perFileMs: Object.fromEntries([...perFile].map(([f, ms]) => [f, ms / passes])),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await decodeThroughput();
  console.log(JSON.stringify(r, null, 2));
}
