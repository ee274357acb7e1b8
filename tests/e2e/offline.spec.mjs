// Offline use: after one visit the service worker serves the app shell, so the page works with the network off.
import { assert, dropFiles, test, waitVerdict, menuItem } from './harness.mjs';

/** Waits until the service worker controls the page and its shell cache is complete. */
async function waitForOfflineReady(page) {
  await page.evaluate(() => navigator.serviceWorker.ready);
  // The page of the first visit is claimed on activate; wait for that.
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
}

/** Every URL in every cache of this origin. */
function cachedUrls(page) {
  return page.evaluate(async () => {
    const out = [];
    for (const key of await caches.keys()) {
      const cache = await caches.open(key);
      for (const request of await cache.keys()) out.push(request.url);
    }
    return out;
  });
}

test('offline: visit once, go offline, reload, open a sample → verdict', async ({ page, fixture, log }) => {
  await waitForOfflineReady(page);
  const cached = await cachedUrls(page);
  log(`service worker cached ${cached.length} shell files`);
  assert.ok(cached.some((u) => /\/assets\/worker-[^/]+\.js$/.test(u)), 'the worker script is cached');
  assert.ok(cached.some((u) => u.endsWith('/samples/mal_os_system.h5')), 'the samples are cached');

  await page.context().setOffline(true);
  // Prove the network really is off for this context.
  const reachable = await page.evaluate(() => fetch('./not-cached-probe.txt').then(() => true, () => false));
  assert.equal(reachable, false, 'a URL outside the shell fails while offline');

  await page.reload();
  await page.locator('[data-sample="mal_os_system.h5"]').click();
  assert.equal(await waitVerdict(page), 'dangerous');
  // Dropped files work too (they never touch the network).
  await dropFiles(page, [{ name: 'two_lambdas.h5', bytes: fixture('two_lambdas.h5') }]);
  await page.locator('[data-testid="verdict"]:not([data-verdict="error"])').waitFor({ timeout: 30_000 });
  await page.context().setOffline(false);
});

test('offline cache holds the app shell only: nothing dropped or exported is ever stored', async ({ page, fixture }) => {
  await waitForOfflineReady(page);
  const before = await cachedUrls(page);
  const manifest = await page.evaluate(async () => {
    const text = await (await fetch('./sw-manifest.js')).text();
    return JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)).files;
  });
  const shell = new Set(manifest.map((f) => new URL(f, page.url()).href));
  assert.ok(before.every((u) => shell.has(u)), `only manifest files are cached: ${before.filter((u) => !shell.has(u))}`);
  await dropFiles(page, [{ name: 'mal_eval.keras', bytes: fixture('mal_eval.keras') }]);
  await waitVerdict(page);
  await (await menuItem(page, 'export-json')).click();
  const after = await cachedUrls(page);
  assert.deepEqual(after.sort(), before.sort(), 'the cache did not grow');
  assert.ok(after.every((u) => !u.includes('mal_eval')), 'the dropped model is not cached');
});
