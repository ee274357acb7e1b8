// The inspector: for real fixtures, the flagged graph nodes are the sidecar's Lambda layers, the decompiled source
// in the details panel equals the sidecar's `lambdas[].source` (whitespace aside), a row click selects the node,
// filters narrow the table, n/p move between rows, the cited disassembly lines are marked, copy works.
import { assert, dropFiles, test, waitVerdict } from './harness.mjs';

const squash = (text) => text.replace(/\s+/g, '');

/** The sidecar's Lambda payloads: layer name path, slot, source, stored defaults. */
function sidecarLambdas(fixture, name) {
  const sidecar = JSON.parse(fixture(`${name}.expected.json`).toString('utf8'));
  return sidecar.lambdas.map((l) => ({
    layer: l.layer_path.join('/'),
    slot: l.slot,
    source: l.source,
    defaults: l.stored_defaults,
    defaultsRepr: l.python_defaults_repr,
  }));
}

/**
 * The decompiled code object's signature has no default values: Keras stores them beside the code (the
 * `defaults` key), and the view shows them in their own row. The sidecar's source is the function's, with them.
 */
function codeObjectSource(lambda) {
  if (lambda.defaults == null) return lambda.source;
  const values = lambda.defaultsRepr.replace(/^\(|,?\)$/g, '').split(/,\s*/);
  let out = lambda.source;
  for (const value of values) out = out.replace(`=${value}`, '');
  return out;
}

async function open(page, fixture, name) {
  await dropFiles(page, [{ name, bytes: fixture(name) }]);
  const verdict = await waitVerdict(page);
  await page.getByTestId('layer-graph').waitFor({ state: 'visible', timeout: 30_000 });
  return verdict;
}

const FILES = ['nested_submodel_lambda.keras', 'timedistributed_lambda.keras', 'lambda_output_shape_fn.keras', 'mal_os_system.h5', 'mal_exec_b64.keras'];

for (const name of FILES) {
  test(`inspector: ${name}: flagged nodes, rows, row click selects the node, source equals the sidecar`, async ({ page, fixture }) => {
    const lambdas = sidecarLambdas(fixture, name);
    const layers = [...new Set(lambdas.map((l) => l.layer))];
    const verdict = await open(page, fixture, name);
    assert.ok(verdict === 'dangerous' || verdict === 'suspicious', `verdict ${verdict}`);

    const flagged = await page
      .locator('[data-testid="graph-node"][data-flagged="true"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-layer')));
    assert.deepEqual([...flagged].sort(), [...layers].sort(), 'the flagged graph nodes are the Lambda layers');

    const rows = page.getByTestId('finding-row');
    for (const lambda of lambdas) {
      const row = page.locator(`[data-testid="finding-row"][data-layer="${lambda.layer}"][data-kind="lambda-bytecode"]`);
      assert.ok((await row.count()) >= 1, `a lambda-bytecode row at ${lambda.layer}`);
    }
    assert.ok((await rows.count()) >= lambdas.length);

    for (const layer of layers) {
      // Select some other layer in the graph first, so the row click is what selects this one.
      // (a leaf: clicking a container would collapse it; after "Fit" every layer of these small models is in view)
      await page.locator('.lg-zoom button', { hasText: 'Fit' }).click();
      await page.locator('[data-testid="graph-node"][data-flagged="false"]:not([data-collapsed])').first().click();
      const node = page.locator(`[data-testid="graph-node"][data-layer="${layer}"]`);
      assert.notEqual(await node.getAttribute('aria-current'), 'true');
      await page.locator(`[data-testid="finding-row"][data-layer="${layer}"]`).first().click();
      await page.waitForFunction((l) => document.querySelector(`[data-testid="graph-node"][data-layer="${CSS.escape(l)}"]`)?.getAttribute('aria-current') === 'true', layer);
      assert.equal(await page.getByTestId('details-path').innerText(), layer);
      const row = page.locator(`[data-testid="finding-row"][data-layer="${layer}"]`).first();
      assert.equal(await row.getAttribute('aria-current'), 'true');

      const panel = page.getByTestId('details-panel');
      // The layer's config from the file's config document (the pointer in the report), long strings folded.
      await panel.getByTestId('tab-config').click();
      const config = (await panel.getByTestId('details-config').textContent()) ?? '';
      assert.match(config, /"Lambda"/);
      assert.ok(config.includes(`"${layer.split('/').pop()}"`), `the config names the layer: ${config.slice(0, 200)}`);
      await panel.getByTestId('tab-payload').click();
      for (const lambda of lambdas.filter((l) => l.layer === layer)) {
        const section = panel.locator(`[data-testid="layer-payload"][data-slot="${lambda.slot}"]`);
        assert.equal(await section.count(), 1, `one payload view for slot ${lambda.slot}`);
        const source = await section.getByTestId('payload-source').textContent();
        assert.equal(squash(source ?? ''), squash(codeObjectSource(lambda)), `${lambda.slot} source`);
        // Highlighted: at least the lambda keyword is its own span.
        assert.equal(await section.locator('[data-testid="payload-source"] .py-keyword').first().textContent(), 'lambda');
        const defaults = await section.getByTestId('payload-defaults').innerText();
        if (lambda.defaults == null) assert.match(defaults, /none stored/);
        else assert.equal(squash(defaults), squash(JSON.stringify(lambda.defaults)));
        assert.ok((await section.getByTestId('payload-disassembly').count()) === 1);
      }
      assert.equal(await panel.locator('[data-testid="layer-payload"]').count(), lambdas.filter((l) => l.layer === layer).length);
    }
  });
}

test('inspector: mal_exec_b64.keras: cited disassembly lines are marked; versions with evidence; copy source', async ({ page, fixture }) => {
  await open(page, fixture, 'mal_exec_b64.keras');
  // The most severe finding's layer is selected on open: the panel shows its payload.
  const panel = page.getByTestId('details-panel');
  await panel.getByTestId('payload-source').waitFor();
  const cited = panel.locator('[data-testid="payload-disassembly"] [data-cited="true"]');
  const citedText = (await cited.allTextContents()).join('\n');
  assert.ok((await cited.count()) >= 3, `marked lines: ${citedText}`);
  assert.match(citedText, /exec/);
  assert.match(citedText, /b64decode/);
  assert.match(citedText, /▶/);
  const plain = panel.locator('[data-testid="payload-disassembly"] .dis-line:not([data-cited])');
  assert.ok((await plain.count()) > 0, 'not every line is marked');
  assert.doesNotMatch((await plain.allTextContents()).join('\n'), /b64decode/);

  const version = panel.getByTestId('payload-version').first();
  assert.match(await version.locator('summary').innerText(), /3\.\d+/);
  await version.locator('summary').click();
  assert.match(await version.innerText(), /opcode table|marshal/);

  await panel.getByTestId('copy-source').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="details-panel"] [data-testid="copy-source"]')?.textContent?.startsWith('Copied'));
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(squash(copied), squash("lambda x: (exec(__import__('base64').b64decode(SECRET_B64)), x)[1]"));
  // base64 only on request
  assert.equal(await panel.getByTestId('payload-base64').count(), 0);
  await panel.getByTestId('show-base64').click();
  assert.ok(((await panel.getByTestId('payload-base64').textContent()) ?? '').length > 100);
}, { contextOptions: { permissions: ['clipboard-read', 'clipboard-write'] } });

test('inspector: the full table (a wide panel): filters by severity, kind and rule, grouping by layer, text filter', async ({ page, fixture }) => {
  await open(page, fixture, 'lambda_output_shape_fn.keras');
  await page.getByTestId('open-table').click();
  const rows = page.getByTestId('table-row');
  const attr = (name) => rows.evaluateAll((els, n) => els.map((e) => e.getAttribute(n)), name);
  const all = await attr('data-severity');
  const total = all.length;
  assert.ok(total >= 4, `lambda payloads and info findings (${all})`);
  assert.ok(all.includes('info') && all.includes('high'));

  await page.getByTestId('filter-severity-high').click();
  const high = await attr('data-severity');
  assert.ok(high.length === all.filter((s) => s === 'high').length && high.every((s) => s === 'high'), `high only: ${high}`);
  await page.getByTestId('filter-severity-info').click();
  assert.equal((await attr('data-severity')).length, all.filter((s) => s === 'high' || s === 'info').length);
  await page.getByTestId('filters-clear').click();
  assert.equal(await rows.count(), total);

  await page.getByTestId('filter-kind').selectOption('lambda-bytecode');
  const kinds = await attr('data-kind');
  assert.equal(kinds.length, 3, 'function, output_shape and mask');
  assert.ok(kinds.every((k) => k === 'lambda-bytecode'));
  await page.getByTestId('filter-kind').selectOption('');

  const rulesAll = await attr('data-rule');
  const otherRule = rulesAll.find((r) => !r.includes('LAMBDA'));
  await page.getByTestId('filter-rule').selectOption(otherRule);
  const rules = await attr('data-rule');
  assert.ok(rules.length >= 1 && rules.every((r) => r === otherRule), `rule ${otherRule}: ${rules}`);
  await page.getByTestId('filter-rule').selectOption('');

  await page.getByTestId('table-group-by-layer').check();
  const groups = await page.getByTestId('table-group').allInnerTexts();
  assert.ok(groups.some((g) => g.includes('lambda_output_shape_fn/slice_with_shape_fn') && g.includes('(3)')), `groups: ${groups}`);
  // Rows of one layer are together.
  const layers = await attr('data-layer');
  const firstAt = layers.indexOf('lambda_output_shape_fn/slice_with_shape_fn');
  assert.deepEqual(layers.slice(firstAt, firstAt + 3), Array(3).fill('lambda_output_shape_fn/slice_with_shape_fn'));
  await page.getByTestId('table-group-by-layer').uncheck();

  await page.getByTestId('findings-filter').fill('mask');
  const masked = await attr('data-finding-id');
  assert.ok(masked.length >= 1 && masked.length < total && masked.every((id) => id.includes('mask')), `text filter: ${masked}`);
  // Esc closes the wide panel; the workspace is back.
  await page.keyboard.press('Escape');
  await page.getByTestId('findings-overlay').waitFor({ state: 'detached' });
});

test('inspector: n/p and arrows move between finding rows and keep the graph selection in step', async ({ page, fixture }) => {
  await open(page, fixture, 'two_lambdas.h5');
  const rows = page.getByTestId('finding-row');
  const count = await rows.count();
  assert.ok(count >= 2);
  // One row is in the tab order.
  assert.equal(await page.locator('[data-testid="finding-row"][tabindex="0"]').count(), 1);
  await rows.first().focus();
  await page.keyboard.press('Enter');
  assert.equal(await rows.first().getAttribute('aria-current'), 'true');
  await page.keyboard.press('n');
  const second = rows.nth(1);
  assert.equal(await second.getAttribute('aria-current'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-finding-id')), await second.getAttribute('data-finding-id'));
  const layer = await second.getAttribute('data-layer');
  if (layer) {
    await page.waitForFunction((l) => document.querySelector(`[data-testid="graph-node"][data-layer="${CSS.escape(l)}"]`)?.getAttribute('aria-current') === 'true', layer);
  }
  await page.keyboard.press('p');
  assert.equal(await rows.first().getAttribute('aria-current'), 'true');
  await page.keyboard.press('ArrowDown');
  assert.equal(await second.getAttribute('aria-current'), 'true');
  // Tab leaves the table (focus does not walk through every row).
  await page.keyboard.press('Tab');
  assert.notEqual(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'finding-row');
});

test('inspector: a pickle is shown like a payload: imports marked safe or not, calls with their arguments, strings', async ({ page, fixture }) => {
  await dropFiles(page, [{ name: 'pipeline.pkl', bytes: fixture('pickle/ml/sklearn_pipeline_with_system.pkl') }]);
  assert.equal(await waitVerdict(page), 'dangerous');
  const view = page.getByTestId('details-panel').getByTestId('pickle-view').first();
  await view.waitFor({ timeout: 30_000 });
  const dangerous = await view.locator('[data-testid=pickle-globals] li[data-class=dangerous]').allTextContents();
  assert.ok(dangerous.some((t) => t.includes('posix.system')), `posix.system listed as dangerous: ${dangerous}`);
  const safe = await view.locator('[data-testid=pickle-globals] li[data-class=safe]').allTextContents();
  assert.ok(safe.some((t) => t.startsWith('safe') && t.includes('sklearn.')), `sklearn classes marked safe: ${safe.slice(0, 3)}`);
  assert.match(await view.getByTestId('pickle-calls').textContent(), /posix\.system\("echo fixture"\)/);
  assert.match(await view.getByTestId('pickle-strings').textContent(), /"echo fixture"/);
  // The opcode listing on request.
  await view.locator('.pickle-listing > summary').click();
  assert.match(await view.getByTestId('pickle-listing').textContent(), /^\s+0: PROTO\s+\d/);
});
