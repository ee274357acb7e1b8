// The single-file build (npm run build:single): one HTML file opened over file://, no server, no network.
import { createHash } from 'node:crypto';
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

test(
  'single file over file://: a file above 256 MiB is hashed by the inlined hash helper, the same digest as Node',
  async ({ page, fixture }) => {
    const head = fixture('mal_os_system.keras');
    await page.evaluate((b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const file = new File([bytes, ...Array.from({ length: 16 }, () => new Uint8Array(16 * 1024 * 1024))], 'big.keras');
      const dt = new DataTransfer();
      dt.items.add(file);
      document.querySelector('[data-testid="dropzone"]').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, head.toString('base64'));
    await waitVerdict(page, 60_000);
    await page.waitForFunction(() => /^[0-9a-f]{64}$/.test(document.querySelector('[data-testid="sha256"]')?.textContent ?? ''), null, { timeout: 60_000 });
    const expected = createHash('sha256').update(head);
    for (let i = 0; i < 16; i++) expected.update(new Uint8Array(16 * 1024 * 1024));
    assert.equal((await page.getByTestId('sha256').innerText()).trim(), expected.digest('hex'));
  },
  { start: 'single-file' },
);
