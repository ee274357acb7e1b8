// Issue 15 in the browser: "Open from URL" and `#url=` links against local HTTPS servers (remote-servers.mjs):
// the same verdict as dropping the file, what was read shown on the page, and a record of every request the page
// sent — GET (or HEAD) only, to the given origin and where it redirected, with no cookies, credentials, referrer
// or body. The runner's foreign-request check admits exactly the servers each test started, nothing else.
import { assert, dropFiles, recordRequests, test, waitFileVerdicts, waitVerdict } from './harness.mjs';
import { HUB_ORIGIN, hubBrowserArgs, startRemoteServers } from './remote-servers.mjs';

/** Servers for one test; `origins(servers)` are the only ones it may contact; `hub` maps huggingface.co to the fake hub. */
function withServers(origins, { hub = false } = {}) {
  return async () => {
    const servers = await startRemoteServers();
    return { ...servers, servers, allowOrigins: origins(servers), ...(hub ? { browserArgs: hubBrowserArgs(servers.hub) } : {}) };
  };
}

// Self-signed test certificates; see remote-servers.mjs for why the servers are https.
const contextOptions = { ignoreHTTPSErrors: true };

/**
 * A cookie the servers would receive if the page sent credentials (Secure + SameSite=None: a credentialed
 * cross-site fetch would carry it). Cookies ignore ports, so it covers every test server on 127.0.0.1.
 */
async function plantCookies(page) {
  await page.context().addCookies([
    { name: 'session', value: 'must-not-be-sent', domain: '127.0.0.1', path: '/', secure: true, sameSite: 'None' },
    { name: 'token', value: 'must-not-be-sent', domain: 'huggingface.co', path: '/', secure: true, sameSite: 'None' },
  ]);
}

/** Verdict, verdict reason and finding rules of the selected file, as the page shows them. */
async function shown(page) {
  const verdict = await waitVerdict(page);
  const rules = await page.getByTestId('finding-row').evaluateAll((rows) => rows.map((r) => r.textContent ?? '').sort());
  return { verdict, findings: rules.length };
}

async function dropped(page, fixture, name) {
  await dropFiles(page, [{ name, bytes: fixture(name) }]);
  const result = await shown(page);
  await page.getByTestId('clear').click();
  await page.getByTestId('open-url').waitFor();
  return result;
}

async function openUrl(page, address) {
  await page.locator('#open-url-input').fill(address);
  await page.getByTestId('open-url').getByRole('button').click();
}

/** The server-side record: every request any test server received, checked for what a URL inspection may send. */
function checkServerLog(log, allowedServers) {
  const preflights = log.filter((r) => r.method === 'OPTIONS');
  const sent = log.filter((r) => r.method !== 'OPTIONS');
  assert.ok(sent.length > 0, 'the servers saw the inspection');
  assert.deepEqual(sent.filter((r) => r.method !== 'GET' && r.method !== 'HEAD'), [], 'GET or HEAD only');
  assert.deepEqual(log.filter((r) => r.cookie || r.authorization || r.referer || r.body), [], 'no cookie, credentials, referrer or body');
  assert.deepEqual(log.filter((r) => !allowedServers.includes(r.server)), [], `only ${allowedServers.join(', ')} were contacted`);
  return { sent, preflights };
}

/** The browser-side record: the page's own origin, or exactly the allowed origins; GET/HEAD, no body. */
function checkBrowserRecord(requests, pageOrigin, allowed) {
  const remote = requests.filter((r) => !r.url.startsWith('data:') && !r.url.startsWith('blob:') && new URL(r.url).origin !== pageOrigin);
  assert.deepEqual(remote.filter((r) => !allowed.includes(new URL(r.url).origin)), [], 'no request beyond the given origin and its redirect target');
  assert.deepEqual(requests.filter((r) => (r.method !== 'GET' && r.method !== 'HEAD') || r.hasBody), [], 'the page sent GET/HEAD without bodies only');
  return remote;
}

test(
  'remote: Open from URL gives the same verdict as a drop (direct, via a redirect, after a 429); shows what was read; GET only, no credentials',
  async ({ page, baseURL, fixture, env, log }) => {
    const { files, cdn } = env.servers;
    await plantCookies(page);
    const pageOrigin = new URL(baseURL).origin;
    const cases = [
      { name: 'mal_os_system.keras', path: '/files/mal_os_system.keras' },
      // A legacy HDF5 file through a redirect to the second origin (our own HDF5 reader in the worker).
      { name: 'mal_os_system.h5', path: '/redirect/mal_os_system.h5', redirect: true },
      { name: 'no_lambda.keras', path: '/flaky/no_lambda.keras' },
      { name: 'resnet_like_graph.h5', path: '/redirect/resnet_like_graph.h5', redirect: true },
    ];
    for (const c of cases) {
      const expected = await dropped(page, fixture, c.name);
      const requests = recordRequests(page);
      env.log.length = 0;
      await openUrl(page, `${files.origin}${c.path}`);
      const got = await shown(page);
      assert.deepEqual(got, expected, `${c.name}: URL inspection shows what the drop showed`);
      // The page says how much was read, as text.
      const read = await page.getByTestId('remote-read').textContent();
      assert.match(read ?? '', /^read [\d.]+ (B|KB|MB) of [\d.]+ (B|KB|MB) in \d+ requests?/, `${c.name}: "${read}"`);
      if (c.redirect) assert.match(read ?? '', new RegExp(`redirected to ${cdn.origin.replace(/[.:/]/g, '\\$&')}`));
      assert.equal(await page.evaluate(() => location.hash), `#url=${encodeURIComponent(`${files.origin}${c.path}`)}`, 'the address is in the fragment');

      const { sent, preflights } = checkServerLog(env.log, c.redirect ? ['files', 'cdn'] : ['files']);
      if (c.path.startsWith('/flaky/')) assert.ok(sent.filter((r) => r.path === c.path).length >= 3, 'the 429 was retried');
      assert.ok(sent.every((r) => r.range), 'every GET asked for a range');
      const remote = checkBrowserRecord(requests, pageOrigin, c.redirect ? [files.origin, cdn.origin] : [files.origin]);
      log(`${c.name}: ${read} — ${sent.length} requests at the servers (${preflights.length} CORS preflights), ${remote.length} seen by the browser`);
      // A hosted file is not hashed (that would download it) and its size is the one the server gave.
      assert.equal(await page.getByTestId('sha256').count(), 0, 'no "SHA-256 computing…" for a hosted file');
      assert.doesNotMatch((await page.getByTestId('file-item').textContent()) ?? '', /· 0 B/);

      // Clear returns to the empty page without fetching the address again, and forgets it.
      const before = env.log.length;
      await page.getByTestId('clear').click();
      await page.getByTestId('open-url').waitFor();
      await page.waitForTimeout(300);
      assert.equal(env.log.length, before, 'Clear sends nothing');
      assert.equal(await page.evaluate(() => location.hash), '', 'Clear takes the address out of the fragment');
    }
  },
  { contextOptions, setup: withServers((s) => [s.files.origin, s.cdn.origin]) },
);

test(
  'remote: a #url= link re-inspects the hosted file with the verdict a drop gives',
  async ({ page, baseURL, fixture, env, log }) => {
    const { files, cdn } = env.servers;
    await plantCookies(page);
    const expected = await dropped(page, fixture, 'mal_os_system.h5');
    env.log.length = 0;
    const address = `${files.origin}/redirect/mal_os_system.h5`;
    const requests = recordRequests(page);
    // A fresh document: a hash change alone would not load the page again.
    await page.goto('about:blank');
    await page.goto(`${baseURL}#url=${encodeURIComponent(address)}`);
    assert.deepEqual(await shown(page), expected);
    assert.equal(await page.evaluate(() => location.hash), `#url=${encodeURIComponent(address)}`, 'the link stays re-inspectable');
    const read = await page.getByTestId('remote-read').textContent();
    assert.match(read ?? '', /^read .+ in \d+ requests?/);
    checkServerLog(env.log, ['files', 'cdn']);
    checkBrowserRecord(requests, new URL(baseURL).origin, [files.origin, cdn.origin]);
    log(`#url=: ${read}`);
  },
  { contextOptions, setup: withServers((s) => [s.files.origin, s.cdn.origin]) },
);

test(
  'remote: a server without Range support is a clear error suggesting download-and-drop',
  async ({ page, env, log }) => {
    const { norange } = env.servers;
    // Larger than what a range-less server may send whole (256 KiB), so this would be a download.
    await openUrl(page, `${norange.origin}/resnet_like_graph.h5`);
    assert.equal(await waitVerdict(page), 'error');
    const reason = (await page.getByTestId('verdict-reason').textContent()) ?? '';
    assert.match(reason, /does not support range requests/);
    assert.match(reason, /download the file and open it from disk/);
    const { sent } = checkServerLog(env.log, ['norange']);
    // The page gave up on the first answers instead of downloading the file.
    assert.ok(sent.length <= 2, `${sent.length} requests`);
    log(`no Range: ${reason}`);
  },
  { contextOptions, setup: withServers((s) => [s.norange.origin]) },
);

test(
  'remote: a server that does not allow cross-origin reads (no CORS) is a clear error suggesting download-and-drop',
  async ({ page, env, log }) => {
    const { nocors } = env.servers;
    await openUrl(page, `${nocors.origin}/mal_os_system.keras`);
    assert.equal(await waitVerdict(page), 'error');
    const reason = (await page.getByTestId('verdict-reason').textContent()) ?? '';
    assert.match(reason, /CORS/);
    assert.match(reason, /download the file and open it from disk/);
    // The page cannot tell a refused cross-origin read from a network failure, so it retries twice; nothing else is sent.
    checkServerLog(env.log, ['nocors']);
    log(`no CORS: ${reason} (${env.log.map((r) => r.method).join(', ')})`);
  },
  { contextOptions, setup: withServers((s) => [s.nocors.origin]) },
);

test(
  'remote: hf://owner/repo lists the repository through the Hub API, one row per model file',
  async ({ page, baseURL, env, log }) => {
    const { cdn } = env.servers;
    await plantCookies(page);
    const requests = recordRequests(page);
    await openUrl(page, 'hf://owner/repo');
    await waitFileVerdicts(page, 2);
    const rows = await page.getByTestId('file-item').evaluateAll((items) =>
      items.map((e) => ({ text: e.textContent ?? '', verdict: e.getAttribute('data-verdict') })),
    );
    assert.equal(rows.length, 2, 'README.md and .gitattributes are not model files');
    const keras = rows.find((r) => r.text.includes('mal_os_system.keras'));
    const h5 = rows.find((r) => r.text.includes('weights/no_lambda.h5'));
    assert.equal(keras?.verdict, 'dangerous');
    assert.equal(h5?.verdict, 'clean');
    const { sent } = checkServerLog(env.log, ['hub', 'cdn']);
    const listing = sent.filter((r) => r.server === 'hub' && r.path.startsWith('/api/'));
    assert.equal(listing.length, 2, 'both pages of the listing');
    assert.ok(listing.every((r) => r.host === 'huggingface.co'), 'addressed to the Hub by name');
    checkBrowserRecord(requests, new URL(baseURL).origin, [HUB_ORIGIN, cdn.origin]);
    log(`hf://: ${rows.map((r) => `${r.text.trim()} → ${r.verdict}`).join('; ')}; ${sent.length} requests`);
  },
  { contextOptions, setup: withServers((s) => [HUB_ORIGIN, s.cdn.origin], { hub: true }) },
);
