// Share links (#report=…), #layer= deep links and downloads: a report, never the model, travels in the fragment.
import { deflateRawSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { assert, download, dropFiles, test, waitVerdict, menuItem } from './harness.mjs';

const validateScan = new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(new URL('../../schemas/scan.schema.json', import.meta.url), 'utf8')));

const CLIPBOARD = { permissions: ['clipboard-read', 'clipboard-write'] };

/** What a reader of the report sees: verdict, finding rows (layer + rule), payload names. */
async function visibleSummary(page) {
  const verdict = await waitVerdict(page);
  const rows = await page
    .getByTestId('finding-row')
    .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-layer')}|${e.innerText.replace(/\s+/g, ' ').trim()}`));
  const names = await page.getByTestId('payload-names').allInnerTexts();
  return { verdict, rows, names };
}

/** Fails the test on errors in a second page (run.mjs watches only the first one). */
function watchErrors(page, problems) {
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
}

test(
  'share link round trip: Copy link, open it in a new page → same verdict, findings and payload, read-only',
  async ({ page, baseURL, fixture, log }) => {
    await dropFiles(page, [{ name: 'mal_os_system.h5', bytes: fixture('mal_os_system.h5') }]);
    const original = await visibleSummary(page);
    assert.equal(original.verdict, 'dangerous');
    assert.ok(original.rows.length >= 1);
    assert.ok(original.names.some((n) => /\bsystem\b/.test(n)));
    await page.waitForFunction(() => /^[0-9a-f]{64}$/.test(document.querySelector('[data-testid="sha256"]')?.textContent ?? ''));
    const sha256 = (await page.getByTestId('sha256').innerText()).trim();

    await (await menuItem(page, 'copy-link')).click();
    const result = page.getByTestId('share-result');
    await result.waitFor();
    const fragment = await result.getAttribute('data-share-fragment');
    assert.match(fragment, /^#report=[A-Za-z0-9_-]+/);
    const clipboard = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(clipboard, `${baseURL}${fragment}`, 'the clipboard holds the page URL plus the fragment');
    const sizeText = await result.innerText();
    assert.match(sizeText, /Link size: .* of 32(\.0)? KB/i);
    log(`share fragment for mal_os_system.h5: ${fragment.length} characters`);

    const problems = [];
    const other = await page.context().newPage();
    watchErrors(other, problems);
    await other.goto(`${baseURL}${fragment}`);
    await other.getByTestId('shared-report').waitFor();
    const banner = await other.locator('.shared-banner').innerText();
    assert.match(banner, /Shared report — the model file is not here/);
    assert.equal((await other.getByTestId('shared-name').innerText()).trim(), 'mal_os_system.h5');
    assert.equal((await other.getByTestId('shared-sha256').innerText()).trim(), sha256);
    const shared = await visibleSummary(other);
    assert.deepEqual(shared, original, 'the shared page shows the same verdict, findings and payload names');
    assert.equal(await other.getByTestId('export-menu').count(), 0, 'read-only: no exports of a shared report');
    // Close: back to an empty page that can scan again.
    await other.getByTestId('shared-close').click();
    assert.equal(await other.getByTestId('shared-report').count(), 0);
    assert.equal(await other.evaluate(() => location.hash), '');
    await other.locator('[data-sample="no_lambda.keras"]').click();
    assert.equal(await waitVerdict(other), 'clean');
    assert.deepEqual(problems, []);
  },
  { contextOptions: CLIPBOARD },
);

test('share link without the layer list says what it left out', async ({ page, baseURL, fixture }) => {
  await dropFiles(page, [{ name: 'two_lambdas.h5', bytes: fixture('two_lambdas.h5') }]);
  await waitVerdict(page);
  await (await menuItem(page, 'share-drop-layers')).check();
  await (await menuItem(page, 'copy-link')).click();
  const result = page.getByTestId('share-result');
  await result.waitFor();
  assert.match(await result.innerText(), /the model config \/ layer list/);
  const fragment = await result.getAttribute('data-share-fragment');
  await page.goto(`${baseURL}${fragment}`);
  await page.getByTestId('shared-report').waitFor();
  assert.match(await page.getByTestId('shared-stripped').innerText(), /layer list/);
  assert.equal(await page.locator('[data-testid="graph-node"]').count(), 0, 'no layers travelled');
  assert.ok((await page.getByTestId('finding-row').count()) >= 2, 'the findings did');
});

test('#layer= deep link: picking a layer updates the URL; opening that URL selects it', async ({ page, baseURL, fixture }) => {
  await dropFiles(page, [{ name: 'mal_os_system.h5', bytes: fixture('mal_os_system.h5') }]);
  await waitVerdict(page);
  const node = page.locator('[data-testid="graph-node"][data-layer$="head"]');
  await node.waitFor({ timeout: 20_000 });
  const path = await node.getAttribute('data-layer');
  await node.click();
  await page.waitForFunction((p) => decodeURIComponent(location.hash) === `#layer=${p}`, path);
  assert.equal((await page.getByTestId('details-path').innerText()).trim(), path);

  // A fresh page opened at that URL selects the layer once the same file is scanned.
  await page.goto(`${baseURL}#layer=${encodeURIComponent(path)}`);
  await dropFiles(page, [{ name: 'mal_os_system.h5', bytes: fixture('mal_os_system.h5') }]);
  await waitVerdict(page);
  await page.waitForFunction(
    (p) => document.querySelector('[data-testid="details-path"]')?.textContent?.trim() === p,
    path,
    { timeout: 20_000 },
  );
  // The layer travels in a share link too.
  await (await menuItem(page, 'copy-link')).click();
  const fragment = await page.getByTestId('share-result').getAttribute('data-share-fragment');
  assert.ok(fragment.endsWith(`&layer=${encodeURIComponent(path)}`), fragment.slice(-80));
});

test('hostile share fragments: garbage, oversized, a deflate bomb and a non-report give a clear error, never a crash', async ({ page, baseURL }) => {
  const b64url = (bytes) => Buffer.from(bytes).toString('base64url');
  const cases = [
    { hash: '#report=garbage!!', expect: /not base64url/ },
    { hash: '#report=garbage', expect: /damaged|not valid|does not hold/ },
    { hash: `#report=${'A'.repeat(600_000)}`, expect: /too long|over \d+ characters/ },
    { hash: `#report=${b64url(deflateRawSync(Buffer.alloc(64 * 1024 * 1024)))}`, expect: /inflates to more than/ },
    { hash: `#report=${b64url(deflateRawSync(Buffer.from('{"hello": "<img src=x onerror=alert(1)>"}')))}`, expect: /does not hold a lambdalens report/ },
    { hash: `#report=${b64url(deflateRawSync(Buffer.from('['.repeat(5000))))}`, expect: /not valid JSON/ },
  ];
  let dialogs = 0;
  page.on('dialog', (dialog) => {
    dialogs++;
    dialog.dismiss().catch(() => {});
  });
  for (const { hash, expect } of cases) {
    // Both ways in: a fresh load, and a hash change in a page that is already open.
    for (const how of ['load', 'hashchange']) {
      if (how === 'load') await page.goto(`${baseURL}${hash}`);
      else {
        await page.goto(baseURL);
        await page.evaluate((h) => {
          location.hash = h;
        }, hash);
      }
      const error = page.getByTestId('share-error');
      await error.waitFor({ timeout: 20_000 });
      const text = await error.innerText();
      assert.match(text, /could not be opened/);
      assert.match(text, expect, `${hash.slice(0, 40)}… (${how}): ${text}`);
      assert.equal(await page.getByTestId('shared-report').count(), 0);
    }
  }
  assert.equal(dialogs, 0);
  assert.equal(await page.locator('img').count(), 0);
  // The page still works after closing the error.
  await page.getByTestId('shared-close').click();
  await page.locator('[data-sample="mal_os_system.h5"]').click();
  assert.equal(await waitVerdict(page), 'dangerous');
});

test('downloads: JSON, SARIF 2.1.0 (results = findings), Markdown and the evidence zip, all from blob: URLs', async ({ page, fixture }) => {
  await dropFiles(page, [{ name: 'two_lambdas.h5', bytes: fixture('two_lambdas.h5') }]);
  await waitVerdict(page);
  const findings = await page.getByTestId('finding-row').count();
  assert.ok(findings >= 2);

  const sarif = await download(page, async () => (await menuItem(page, 'export-sarif')).click());
  assert.equal(sarif.name, 'two_lambdas.h5.sarif');
  assert.match(sarif.url, /^blob:/);
  const log = JSON.parse(sarif.bytes.toString('utf8'));
  assert.equal(log.version, '2.1.0');
  assert.equal(log.runs[0].results.length, findings, 'one SARIF result per finding');

  const json = await download(page, async () => (await menuItem(page, 'export-json')).click());
  const envelope = JSON.parse(json.bytes.toString('utf8'));
  // The CLI's scan --json document (lambdalens/scan@1), valid against the shipped schema.
  assert.equal(envelope.schema, 'lambdalens/scan@1');
  assert.ok(validateScan(envelope), JSON.stringify(validateScan.errors?.slice(0, 3)));
  assert.deepEqual(envelope.summary.verdicts, { dangerous: 1, suspicious: 0, clean: 0, error: 0 });
  const [report] = envelope.files;
  assert.equal(report.path, 'two_lambdas.h5');
  assert.equal(report.findings.length, findings);

  const markdown = await download(page, async () => (await menuItem(page, 'export-markdown')).click());
  assert.match(markdown.bytes.toString('utf8'), /two_lambdas\.h5/);

  const evidence = await download(page, async () => (await menuItem(page, 'export-evidence')).click());
  assert.match(evidence.name, /^two_lambdas\.h5\.[0-9a-f]{8}\.evidence\.zip$/);
  assert.equal(evidence.bytes.subarray(0, 4).toString('latin1'), 'PK\x03\x04', 'a zip');
  const listing = evidence.bytes.toString('latin1');
  assert.ok(listing.includes('report.json') && listing.includes('SHA256SUMS'), 'report.json and SHA256SUMS inside');
  assert.ok(/documents\/[^\0]*\.json/.test(listing), 'the config documents from the worker are inside');
  assert.ok(listing.includes('.pyc'), 'payloads as .pyc');
  assert.match(await page.getByTestId('export-status').innerText(), /evidence\.zip/);
});
