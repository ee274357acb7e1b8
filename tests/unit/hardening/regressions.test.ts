/** One test per defect the fuzzer found (scripts/fuzz); inputs inline or in tests/fixtures/regressions/. */
import { describe, expect, it } from 'vitest';
import { parseJson, JsonError } from '../../../src/core/json/parse';
import { fixture, isClearOutcome, scanBytes } from './helpers';

describe('fuzz regressions', () => {
  it('json: NaN-token replacement on a 12 MB config stays within the time bound (fuzz json #85: 4.4 s on 67 MB)', () => {
    // Python's bare NaN forces the second parse; deep nesting then fails the shape check.
    const inner = `{"class_name":"Dense","config":{"w":[${'NaN,'.repeat(1000)}1]}}`;
    const text = `[${'['.repeat(300)}${new Array(3_000).fill(inner).join(',')}${']'.repeat(300)}]`;
    expect(text.length).toBeGreaterThan(12_000_000);
    const t = performance.now();
    expect(() => parseJson(text)).toThrow(JsonError);
    const ms = performance.now() - t;
    console.log(`[regressions] 12 MB NaN config refused in ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(4000);
  });

  it('json: NaN/Infinity tokens outside strings become null, inside strings stay', () => {
    expect(parseJson('{"a": NaN, "b": -Infinity, "c": [Infinity, "NaN \\\\", "x\\"NaN"]}')).toEqual({ a: null, b: null, c: [null, 'NaN \\', 'x"NaN'] });
  });

  it('hdf5: a file that makes the HDF5 library abort is a clear error, and the next HDF5 scan still works', async () => {
    const bad = await scanBytes(fixture('regressions/hdf5-library-abort.h5'), 'abort.h5');
    expect(bad.report.verdict).toBe('error');
    expect(bad.report.error?.message).toMatch(/HDF5 library/);
    expect(isClearOutcome(bad.report)).toBe(true);
    const good = await scanBytes(fixture('mal_urllib.h5'), 'mal_urllib.h5');
    expect(good.report.verdict).toBe('dangerous');
  });
});
