// The e2e test registry and small assertion helpers (no framework: node + playwright-core only).
import assert from 'node:assert/strict';

/** @type {{ name: string, fn: (ctx: TestContext) => Promise<void>, file?: string }[]} */
export const registered = [];

/**
 * @typedef {object} TestContext
 * @property {import('playwright-core').Page} page  a fresh page in a fresh context, already at baseURL
 * @property {string} baseURL
 * @property {string} singleFileURL  file:// URL of dist-single/lambdalens.html
 * @property {(name: string) => Buffer} fixture  reads tests/fixtures/<name>
 * @property {(message: string) => void} log
 * @property {TestEnv | undefined} env  what the test's `setup` returned, when it has one
 */

/**
 * What a test's `setup` starts before its browser context exists (e.g. local servers), and what the runner
 * needs to know about it.
 * @typedef {object} TestEnv
 * @property {string[]} [allowOrigins]  origins this test may send requests to besides the page's own: the
 *   foreign-request check accepts exactly these (a URL inspection of a test server), nothing wider
 * @property {string[]} [browserArgs]  extra Chromium flags: the test then gets a browser of its own
 * @property {() => Promise<unknown>} close  stops what setup started (after the test, pass or fail)
 */

/**
 * @param {string} name
 * @param {(ctx: TestContext) => Promise<void>} fn
 * @param {{ contextOptions?: import('playwright-core').BrowserContextOptions, start?: 'server' | 'single-file',
 *   setup?: () => Promise<TestEnv> }} [options]
 *   start: 'single-file' opens dist-single/lambdalens.html over file:// instead of the served dist/ (that file is
 *   then the page's own origin for the foreign-request check).
 *   setup: runs before the test's browser context is made (only when the test is selected); its result is
 *   `ctx.env`, and its `close` runs after the test.
 */
export function test(name, fn, options = {}) {
  registered.push({ name, fn, contextOptions: options.contextOptions, start: options.start ?? 'server', setup: options.setup });
}

/**
 * Records every request of the page's context (page, workers, service worker) from now on.
 * @param {import('playwright-core').Page} page
 * @returns {{ url: string, method: string, hasBody: boolean }[]}
 */
export function recordRequests(page) {
  const seen = [];
  page.context().on('request', (request) =>
    seen.push({ url: request.url(), method: request.method(), hasBody: request.postDataBuffer() !== null }),
  );
  return seen;
}

/**
 * Waits for a download started by `click` and returns its suggested name and bytes.
 * @param {import('playwright-core').Page} page
 * @param {() => Promise<unknown>} click
 */
export async function download(page, click) {
  const [event] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), click()]);
  const file = await event.path();
  const { readFile } = await import('node:fs/promises');
  return { name: event.suggestedFilename(), bytes: await readFile(file), url: event.url() };
}

export { assert };

export { dropFiles } from '../../scripts/browser-kit.mjs';

/**
 * Waits for the verdict banner of the selected file and returns its verdict.
 * @param {import('playwright-core').Page} page
 */
/** Waits until the file list has `count` entries and every one of them has a verdict. */
export async function waitFileVerdicts(page, count, timeout = 60_000) {
  await page.waitForFunction(
    (n) => {
      const all = [...document.querySelectorAll('[data-testid="file-item"]')];
      return all.length === n && all.every((e) => ['dangerous', 'suspicious', 'clean', 'error'].includes(e.getAttribute('data-verdict')));
    },
    count,
    { timeout },
  );
}

export async function waitVerdict(page, timeout = 30_000) {
  const banner = page.getByTestId('verdict');
  await banner.waitFor({ state: 'visible', timeout });
  return banner.getAttribute('data-verdict');
}

/**
 * An item of the Export ▾ / Share ▾ menus: opens its menu first (a <details> in the header bar).
 * @param {import('playwright-core').Page} page
 * @param {string} testId
 */
export async function menuItem(page, testId) {
  const item = page.getByTestId(testId);
  await item.evaluate((element) => {
    const menu = element.closest('details');
    if (menu) menu.open = true;
  });
  return item;
}
