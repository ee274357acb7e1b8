/** A config repeating payloads is decoded once per distinct payload, and at most MAX_DECODED_PAYLOADS of them. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { MemorySource } from '../../src/core/io/byte-source';
import { MAX_DECODED_PAYLOADS, scanSource } from '../../src/core/scan';
import { mountHdf5Node } from '../../src/node/hdf5-mount';

const golden = JSON.parse(readFileSync(path.join(__dirname, '../fixtures/golden/py311.json'), 'utf8')) as { cases: { id: string; marshal_b64: string }[] };
const base = Buffer.from(golden.cases.find((c) => c.id === 'lam_add')!.marshal_b64, 'base64');

/** The same code object with a different 4-character file name: distinct bytes, still valid marshal. */
function variant(n: number): string {
  const bytes = Buffer.from(base);
  const at = bytes.indexOf('golden.py');
  bytes.write(n.toString(36).padStart(6, '0').slice(-6), at, 'latin1');
  return bytes.toString('base64');
}

function model(codes: string[]): Uint8Array {
  const layers = codes.map((code, i) => ({
    class_name: 'Lambda',
    config: { name: `l${i}`, function: { class_name: '__lambda__', config: { code, defaults: null, closure: null } } },
  }));
  return new TextEncoder().encode(JSON.stringify({ class_name: 'Sequential', config: { name: 'm', layers } }));
}

it('repeated payloads are decoded once and all reported', async () => {
  const codes = Array.from({ length: 1500 }, (_, i) => variant(i % 3));
  const started = performance.now();
  const r = await scanSource(new MemorySource(model(codes)), { mountHdf5: mountHdf5Node });
  const elapsed = performance.now() - started;
  console.log(`1,500 Lambdas (3 distinct payloads): ${Math.round(elapsed)} ms`);
  expect(r.findings.filter((f) => f.kind === 'lambda-bytecode')).toHaveLength(1500);
  expect(r.findings.every((f) => f.kind !== 'lambda-bytecode' || f.payload!.decoded.ok)).toBe(true);
});

it(`past ${MAX_DECODED_PAYLOADS} distinct payloads, the rest are findings marked as not decoded`, async () => {
  const codes = Array.from({ length: MAX_DECODED_PAYLOADS + 20 }, (_, i) => variant(i));
  const r = await scanSource(new MemorySource(model(codes)), { mountHdf5: mountHdf5Node });
  const code = r.findings.filter((f) => f.kind === 'lambda-bytecode');
  expect(code).toHaveLength(MAX_DECODED_PAYLOADS + 20);
  expect(code.filter((f) => !f.payload!.decoded.ok && /not decoded/.test(f.payload!.decoded.error ?? ''))).toHaveLength(20);
  expect(r.verdict).toBe('dangerous');
});

it('20,000 layers sharing one name are walked in linear time', async () => {
  const layers = Array.from({ length: 20_000 }, () => ({ class_name: 'Dense', config: { name: 'same' } }));
  const bytes = new TextEncoder().encode(JSON.stringify({ class_name: 'Sequential', config: { name: 'm', layers } }));
  const started = performance.now();
  const r = await scanSource(new MemorySource(bytes), { mountHdf5: mountHdf5Node });
  const elapsed = performance.now() - started;
  console.log(`20,000 same-name layers: ${Math.round(elapsed)} ms`);
  expect(r.layers).toHaveLength(20_001);
  expect(new Set(r.layers.map((l) => l.path)).size).toBe(20_001);
  expect(r.layers[20_000].path).toBe('m/same#20000');
  expect(elapsed).toBeLessThan(20_000); // was 42 s before the per-name counter; a loose bound for noisy machines
});

it('past MAX_LISTED_PAYLOADS payloads, the findings are capped and a note says how many there are', async () => {
  const { MAX_LISTED_PAYLOADS } = await import('../../src/core/scan');
  const codes = Array.from({ length: MAX_LISTED_PAYLOADS + 500 }, () => variant(1));
  const r = await scanSource(new MemorySource(model(codes)), { mountHdf5: mountHdf5Node });
  expect(r.findings.filter((f) => f.kind === 'lambda-bytecode')).toHaveLength(MAX_LISTED_PAYLOADS);
  expect(r.notes?.join(' ')).toMatch(new RegExp(`holds ${MAX_LISTED_PAYLOADS + 500} code payloads`));
});

it('one unparseable code-like string repeated 100,000 times is screened once (fuzz json seed 23 #562)', async () => {
  // Starts like a marshalled code object, fails to parse: each copy used to be parsed (and to throw) again.
  const broken = base.subarray(0, 40).toString('base64');
  const codes = Array.from({ length: 100_000 }, () => broken);
  const started = performance.now();
  const r = await scanSource(new MemorySource(model(codes)), { mountHdf5: mountHdf5Node });
  const elapsed = performance.now() - started;
  console.log(`100,000 copies of one broken payload: ${Math.round(elapsed)} ms`);
  const code = r.findings.filter((f) => f.kind === 'lambda-bytecode');
  expect(code.length).toBeGreaterThan(0);
  expect(code.every((f) => !f.payload!.decoded.ok)).toBe(true);
  expect(r.notes?.join(' ')).toMatch(/holds 100000 code payloads/);
  expect(elapsed).toBeLessThan(20_000); // 3.6 s under load before the per-string cache, ~0.3 s after; loose for noisy machines
});
