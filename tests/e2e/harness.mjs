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
 */

/**
 * @param {string} name
 * @param {(ctx: TestContext) => Promise<void>} fn
 * @param {{ contextOptions?: import('playwright-core').BrowserContextOptions, start?: 'server' | 'single-file' }} [options]
 *   start: 'single-file' opens dist-single/lambdalens.html over file:// instead of the served dist/ (that file is
 *   then the page's own origin for the foreign-request check).
 */
export function test(name, fn, options = {}) {
  registered.push({ name, fn, contextOptions: options.contextOptions, start: options.start ?? 'server' });
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

/**
 * Drops files onto the drop zone with a real DataTransfer built in the page from bytes.
 * Returns performance.now() in the page just before the drop event was dispatched.
 * @param {import('playwright-core').Page} page
 * @param {{ name: string, bytes: Buffer | Uint8Array }[]} files
 */
export async function dropFiles(page, files) {
  const payload = files.map((f) => ({ name: f.name, b64: Buffer.from(f.bytes).toString('base64') }));
  const transfer = await page.evaluateHandle((items) => {
    const dt = new DataTransfer();
    for (const item of items) {
      const binary = atob(item.b64);
      const bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      dt.items.add(new File([bytes], item.name, { type: 'application/octet-stream' }));
    }
    return dt;
  }, payload);
  const zone = page.getByTestId('dropzone');
  await zone.dispatchEvent('dragenter', { dataTransfer: transfer });
  await zone.dispatchEvent('dragover', { dataTransfer: transfer });
  const t0 = await page.evaluate(() => performance.now());
  await zone.dispatchEvent('drop', { dataTransfer: transfer });
  await transfer.dispose();
  return t0;
}

/**
 * Waits for the verdict banner of the selected file and returns its verdict.
 * @param {import('playwright-core').Page} page
 */
export async function waitVerdict(page, timeout = 30_000) {
  const banner = page.getByTestId('verdict');
  await banner.waitFor({ state: 'visible', timeout });
  return banner.getAttribute('data-verdict');
}
