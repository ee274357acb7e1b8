// Accessibility: axe-core on the empty page and on a report, light and dark. Serious/critical issues fail.
// (bypassCSP only so that axe itself can be injected; the app's CSP is checked in app.spec.mjs.)
import { createRequire } from 'node:module';
import { assert, dropFiles, test, waitVerdict } from './harness.mjs';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

async function axe(page, log) {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    if (!Array.isArray(r.passes) || r.passes.length === 0) throw new Error('axe did not run');
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length, targets: v.nodes.slice(0, 8).map((n) => `${n.target.join(' ')} ${n.any?.[0]?.message ?? ''}`) }));
  });
  const minor = result.filter((v) => v.impact !== 'serious' && v.impact !== 'critical');
  if (minor.length) log(`axe (moderate/minor): ${minor.map((v) => `${v.id}×${v.nodes}`).join(', ')}`);
  const serious = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of serious) log(`axe ${v.id}: ${v.targets.join(' | ')}`);
  return serious;
}

const VIEWPORTS = { desktop: { width: 1440, height: 900 }, phone: { width: 390, height: 844 } };

for (const colorScheme of ['light', 'dark']) for (const [device, viewport] of Object.entries(VIEWPORTS)) {
  test(
    `accessibility (${colorScheme}, ${device}): the empty page and a dangerous report have no serious axe violations`,
    async ({ page, log }) => {
      const empty = await axe(page, log);
      assert.deepEqual(empty, [], JSON.stringify(empty, null, 1));
      await page.locator('[data-sample="mal_os_system.h5"]').click();
      await waitVerdict(page);
      const report = await axe(page, log);
      assert.deepEqual(report, [], JSON.stringify(report, null, 1));
      // The inspector open: details panel with the payload view, version evidence, disassembly, raw bytes,
      // filters and grouping in use.
      const panel = page.getByTestId('details-panel');
      await panel.getByTestId('payload-source').waitFor();
      await panel.getByTestId('payload-version').first().locator('summary').click();
      await panel.getByTestId('show-base64').click();
      await panel.getByTestId('payload-base64').waitFor();
      await page.getByTestId('group-by-layer').click();
      await page.getByTestId('finding-row').first().click();
      const inspector = await axe(page, log);
      assert.deepEqual(inspector, [], JSON.stringify(inspector, null, 1));
      // The other tabs, the export menus open, and the full table as a wide panel.
      for (const tab of ['finding', 'config']) {
        await page.getByTestId(`tab-${tab}`).click();
        const tabbed = await axe(page, log);
        assert.deepEqual(tabbed, [], `${tab} tab: ${JSON.stringify(tabbed, null, 1)}`);
      }
      await page.locator('[data-testid="export-dropdown"] > summary').click();
      await page.getByTestId('open-table').click();
      await page.getByTestId('findings-overlay').waitFor();
      const table = await axe(page, log);
      assert.deepEqual(table, [], JSON.stringify(table, null, 1));
    },
    { contextOptions: { bypassCSP: true, colorScheme, viewport } },
  );
}

for (const colorScheme of ['light', 'dark']) {
  test(
    `accessibility (${colorScheme}): the Compare view with its merged graph has no serious axe violations`,
    async ({ page, fixture, log }) => {
      await dropFiles(page, ['echo_a.keras', 'lambda_inserted.keras'].map((name) => ({ name, bytes: fixture(`diff/${name}`) })));
      await page.getByTestId('compare-open').waitFor({ timeout: 60_000 });
      await page.getByTestId('compare-open').click();
      await page.getByTestId('compare-b').selectOption({ label: 'lambda_inserted.keras' });
      await page.getByTestId('compare-a').selectOption({ label: 'echo_a.keras' });
      await page.getByTestId('compare-run').click();
      await page.getByTestId('compare-graph').getByTestId('graph-node').first().waitFor({ timeout: 60_000 });
      const found = await axe(page, log);
      assert.deepEqual(found, [], JSON.stringify(found, null, 1));
    },
    { contextOptions: { bypassCSP: true, colorScheme, viewport: { width: 1440, height: 900 } } },
  );
}
