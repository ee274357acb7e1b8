// The single-file build (npm run build:single): one HTML file opened over file://, no server, no network.
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assert, download, dropFiles, test, waitVerdict, menuItem } from './harness.mjs';

test(
  'single file over file://: drop mal_os_system.h5 → dangerous, with a hash-based CSP',
  async ({ page, singleFileURL, fixture, log }) => {
    assert.ok(page.url().startsWith('file://'), page.url());
    const bytes = statSync(fileURLToPath(singleFileURL)).size;
    log(`dist-single/lambdalens.html: ${(bytes / 1048576).toFixed(2)} MB`);
    const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    assert.match(csp, /script-src 'sha256-[A-Za-z0-9+/=]+' 'wasm-unsafe-eval'/);
    assert.match(csp, /style-src 'sha256-/);
    assert.doesNotMatch(csp, /'self'|'unsafe-inline'|'unsafe-eval'/);
    assert.equal(await page.locator('script[src], link[rel="stylesheet"]').count(), 0, 'nothing loaded from outside');
    await dropFiles(page, [{ name: 'mal_os_system.h5', bytes: fixture('mal_os_system.h5') }]);
    assert.equal(await waitVerdict(page), 'dangerous');
    const names = await page.getByTestId('payload-names').first().innerText();
    assert.match(names, /\bsystem\b/);
    // .keras (zip) works too, and exports download from file:// as well.
    await dropFiles(page, [{ name: 'mal_eval.keras', bytes: fixture('mal_eval.keras') }]);
    await page.locator('[data-testid="verdict"]:not([data-verdict="error"])').waitFor({ timeout: 30_000 });
    const sarif = await download(page, async () => (await menuItem(page, 'export-sarif')).click());
    const log2 = JSON.parse(sarif.bytes.toString('utf8'));
    assert.equal(log2.runs[0].results.length, await page.getByTestId('finding-row').count());
  },
  { start: 'single-file' },
);
