import { describe, expect, it } from 'vitest';
import {
  SHARE_FRAGMENT_BUDGET,
  base64UrlDecode,
  base64UrlEncode,
  decodeShareLink,
  encodeShareLink,
  layerFragment,
  parseFragment,
} from '../../../src/core/export/share-link';
import { scanFixture } from './helpers';

async function deflate(bytes: Uint8Array): Promise<Uint8Array> {
  const s = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(s).arrayBuffer());
}

async function fragmentOf(text: string): Promise<string> {
  return `#report=${base64UrlEncode(await deflate(new TextEncoder().encode(text)))}`;
}

function withoutShared<T extends { shared?: unknown }>(r: T): Omit<T, 'shared'> {
  const { shared: _shared, ...rest } = r;
  return rest;
}

describe('share link round trip', () => {
  it('a small report travels whole', async () => {
    const report = await scanFixture('mal_os_system.keras');
    const link = await encodeShareLink(report);
    expect(link.stripped).toEqual([]);
    expect(link.overBudget).toBe(false);
    expect(link.fragment.length - 1).toBeLessThanOrEqual(SHARE_FRAGMENT_BUDGET);
    const back = await decodeShareLink(link.fragment);
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    expect(withoutShared(back.report)).toEqual(JSON.parse(JSON.stringify(report)));
    expect(back.report.shared).toEqual({ stripped: [] });
  });

  it('the sender can drop the layer list; a layer deep link rides along', async () => {
    const report = await scanFixture('nested_submodel_lambda.keras');
    expect(report.layers.length).toBeGreaterThan(3);
    const layer = report.layers[report.layers.length - 1].path;
    const link = await encodeShareLink(report, { dropLayers: true, layer });
    expect(link.stripped).toEqual(['layers']);
    const back = await decodeShareLink(link.fragment);
    expect(back.ok && back.report.layers).toEqual([]);
    expect(back.ok && back.layer).toBe(layer);
    expect(back.ok && back.report.findings).toEqual(JSON.parse(JSON.stringify(report.findings)));
  });

  it('a big report is stripped in order until it fits, and says what went', async () => {
    const report = await scanFixture('resnet_like_graph.keras');
    const full = await encodeShareLink(report, { budget: 1_000_000 });
    const budget = Math.floor((full.fragment.length - 1) / 3);
    const link = await encodeShareLink(report, { budget });
    expect(link.overBudget).toBe(false);
    expect(link.fragment.length - 1).toBeLessThanOrEqual(budget);
    expect(link.stripped[0]).toBe('layers');
    const order = ['layers', 'members', 'disassembly', 'payload-base64', 'strings>2000', 'strings>400', 'strings>120', 'code-details'];
    const positions = link.stripped.filter((s) => !s.startsWith('findings>')).map((s) => order.indexOf(s));
    expect(positions.every((p, i) => p >= 0 && (i === 0 || p > positions[i - 1]))).toBe(true);
    const back = await decodeShareLink(link.fragment);
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    expect(back.report.shared?.stripped).toEqual(link.stripped);
    expect(back.report.verdict).toBe(report.verdict);
    expect(back.report.layers).toEqual([]);
  });

  it('a tiny budget keeps the verdict and drops findings last', async () => {
    const report = await scanFixture('lambda_output_shape_fn.keras');
    expect(report.findings.length).toBeGreaterThanOrEqual(2);
    const link = await encodeShareLink(report, { budget: 900 });
    expect(link.stripped.some((s) => s.startsWith('findings>'))).toBe(true);
    const back = await decodeShareLink(link.fragment);
    expect(back.ok && back.report.verdict).toBe(report.verdict);
    expect(back.ok && back.report.findings.length).toBeLessThan(report.findings.length);
  });
});

describe('hostile links', () => {
  it('rejects garbage, empty and non-base64url text', async () => {
    for (const hash of ['', '#', '#layer=x', '#report=', '#report=!!!!', '#report=ab+/', '#report=a', '#report=%E0%A4%A']) {
      const r = await decodeShareLink(hash);
      expect(r.ok, hash).toBe(false);
    }
  });

  it('rejects bytes that are not deflate, and deflate of non-UTF-8 or non-JSON', async () => {
    expect((await decodeShareLink(`#report=${base64UrlEncode(new Uint8Array(64).fill(0xff))}`)).ok).toBe(false);
    expect((await decodeShareLink(`#report=${base64UrlEncode(await deflate(new Uint8Array([0xc3, 0x28])))}`)).ok).toBe(false);
    const notJson = await decodeShareLink(await fragmentOf('{"schema": '));
    expect(notJson.ok || notJson.error).toMatch(/not valid JSON/);
  });

  it('rejects JSON that is not a report, or a report with wrong types', async () => {
    const report = JSON.parse(JSON.stringify(await scanFixture('mal_os_system.keras')));
    const cases: [unknown, RegExp][] = [
      [{ hello: 'world' }, /schema/],
      [[1, 2, 3], /expected an object/],
      [{ ...report, schema: 'lambdalens/report@999' }, /schema/],
      [{ ...report, findings: 'none' }, /findings/],
      [{ ...report, findings: [{ ...report.findings[0], severity: 'apocalyptic' }] }, /findings\/0\/severity/],
      [{ ...report, findings: [{ ...report.findings[0], payload: { ...report.findings[0].payload, decoded: { ...report.findings[0].payload.decoded, names: 5 } } }] }, /decoded\/names/],
      [{ ...report, layers: [{ path: 1 }] }, /layers\/0\/path/],
      [{ ...report, size: 'big' }, /size/],
    ];
    for (const [value, message] of cases) {
      const r = await decodeShareLink(await fragmentOf(JSON.stringify(value)));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatch(message);
    }
  });

  it('stops a deflate bomb at the inflate limit without inflating it all', async () => {
    const zeros = new Uint8Array(64 * 1024 * 1024); // 64 MB of zeros → about 64 KB deflated
    const fragment = `#report=${base64UrlEncode(await deflate(zeros))}`;
    expect(fragment.length).toBeLessThan(200_000);
    const started = performance.now();
    const r = await decodeShareLink(fragment);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/inflates to more than/);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('refuses an over-long fragment before decoding it', async () => {
    const r = await decodeShareLink(`#report=${'A'.repeat(2_000_000)}`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/too long|over/);
  });

  it('refuses deep nesting without a stack overflow', async () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    const r = await decodeShareLink(await fragmentOf(deep));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/nesting|deep/);
  });

  it('ignores __proto__ keys (no prototype pollution) and unknown fields', async () => {
    const report = JSON.parse(JSON.stringify(await scanFixture('mal_os_system.keras')));
    const text = JSON.stringify(report).replace(/^\{/, '{"__proto__":{"polluted":true},"extra":1,');
    const r = await decodeShareLink(await fragmentOf(text));
    expect(r.ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('fragment helpers', () => {
  it('base64url round-trips every length', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
      expect(base64UrlDecode(base64UrlEncode(bytes))).toEqual(bytes);
    }
    expect(base64UrlDecode('a===')).toBeNull();
  });

  it('layer deep links survive /, &, #, = and non-ASCII', () => {
    const path = 'model/inner & co/läyer#1=x';
    const frag = layerFragment(path);
    expect(frag.indexOf('#', 1)).toBe(-1);
    expect(parseFragment(frag)).toEqual({ layer: path });
    expect(parseFragment('#layer=%E0%A4%A')).toEqual({});
    expect(parseFragment('#report=abc&layer=a%2Fb')).toEqual({ report: 'abc', layer: 'a/b' });
  });
});
