// Issue 6: a full session with every request recorded (page, worker, service worker). Nothing may leave the
// page's own origin, nothing is sent with a body, and no dropped file is ever requested or uploaded.
import { hostileModel } from './hostile.spec.mjs';
import { assert, download, dropFiles, recordRequests, test, waitVerdict, waitFileVerdicts, menuItem } from './harness.mjs';

test(
  'full session: samples, drops, every export, a share link opened in a new page; no request leaves the origin',
  async ({ page, baseURL, fixture, log }) => {
    const requests = recordRequests(page);
    await page.reload();
    const origin = new URL(baseURL).origin;

    // The three samples, one after the other.
    for (const sample of ['no_lambda.keras', 'seq_lambda_benign.keras', 'mal_os_system.h5']) {
      if (await page.getByTestId('clear').count()) await page.getByTestId('clear').click();
      await page.locator(`[data-sample="${sample}"]`).click();
      assert.notEqual(await waitVerdict(page), 'error', sample);
    }

    // Several files at once, including a hostile one.
    const dropped = ['two_lambdas.h5', 'mal_urllib.keras', 'nested_submodel_lambda.keras'];
    await dropFiles(page, [
      ...dropped.map((name) => ({ name, bytes: fixture(name) })),
      { name: 'hostile_model.json', bytes: await hostileModel(fixture) },
    ]);
    await waitFileVerdicts(page, 4);

    // Every export of the hostile file and of a normal one.
    for (const index of [3, 0]) {
      await page.getByTestId('file-item').nth(index).click();
      await waitVerdict(page);
      for (const id of ['export-json', 'export-sarif', 'export-markdown', 'export-evidence']) {
        const file = await download(page, async () => (await menuItem(page, id)).click());
        assert.ok(file.bytes.length > 0, `${id} has content`);
        assert.match(file.url, /^blob:/, `${id} comes from a blob: URL`);
      }
      await (await menuItem(page, 'copy-markdown')).click();
      await page.getByTestId('export-status').filter({ hasText: /Markdown summary copied/ }).waitFor();
    }
    const markdown = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(markdown, /two_lambdas\.h5/);

    // A share link, opened in a second page of the same (recorded) context.
    await (await menuItem(page, 'copy-link')).click();
    const fragment = await page.getByTestId('share-result').getAttribute('data-share-fragment');
    const other = await page.context().newPage();
    await other.goto(`${baseURL}${fragment}`);
    await other.getByTestId('shared-report').waitFor();
    assert.notEqual(await waitVerdict(other), 'error');
    await other.close();

    // The record: same origin only, GET only, no bodies, and never a dropped file's name.
    assert.ok(requests.length >= 5, `requests were recorded (${requests.length})`);
    assert.ok(requests.some((r) => /\/assets\/worker-[^/]+\.js$/.test(r.url)), 'the worker script load is in the record');
    const foreign = requests.filter((r) => {
      if (r.url.startsWith('data:')) return false;
      const url = r.url.startsWith('blob:') ? r.url.slice(5) : r.url;
      try {
        return new URL(url).origin !== origin;
      } catch {
        return true;
      }
    });
    assert.deepEqual(foreign, [], 'no request outside the page origin');
    assert.deepEqual(requests.filter((r) => r.method !== 'GET' || r.hasBody), [], 'no request sends anything');
    const leaked = requests.filter((r) => [...dropped, 'hostile_model'].some((name) => r.url.includes(name)));
    assert.deepEqual(leaked, [], 'no dropped file appears in any request');
    const kinds = new Map();
    for (const r of requests) {
      const kind = r.url.startsWith('blob:') ? 'blob' : (new URL(r.url).pathname.split('/').at(-2) ?? '');
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    log(`session: ${requests.length} requests, all to ${origin} (${[...kinds].map(([k, n]) => `${k || '/'}: ${n}`).join(', ')})`);
  },
  { contextOptions: { permissions: ['clipboard-read', 'clipboard-write'] } },
);
