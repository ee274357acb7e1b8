// The layer graph in the page: the Lambda deep inside resnet_like_graph.keras is flagged in the graph and
// "next finding" brings it into view; the graph stays virtualised (far fewer DOM nodes than layers).
import { assert, dropFiles, test, waitVerdict } from './harness.mjs';

const LAMBDA = 'resnet_like_graph/mid_scale';

test('graph: resnet_like_graph.keras, next finding shows the flagged Lambda', async ({ page, fixture }) => {
  await dropFiles(page, [{ name: 'resnet_like_graph.keras', bytes: fixture('resnet_like_graph.keras') }]);
  const verdict = await waitVerdict(page);
  assert.notEqual(verdict, 'clean');
  const graph = page.getByTestId('layer-graph');
  await graph.waitFor({ state: 'visible', timeout: 30_000 });
  await graph.scrollIntoViewIfNeeded();

  const drawn = await page.getByTestId('graph-node').count();
  assert.ok(drawn > 0, 'some layers are drawn');
  assert.ok(drawn < 308, `only what is in view is in the DOM (${drawn} of 309 layers)`);

  await page.getByTestId('graph-next-finding').click();
  const lambda = page.locator(`[data-testid="graph-node"][data-layer="${LAMBDA}"]`);
  await lambda.waitFor({ state: 'visible', timeout: 5_000 });
  assert.equal(await lambda.getAttribute('data-flagged'), 'true');
  assert.match((await lambda.getAttribute('aria-label')) ?? '', /flagged/);

  // Inside the graph viewport, not merely in the DOM.
  const box = await lambda.boundingBox();
  const viewport = await page.locator('.lg-viewport').boundingBox();
  assert.ok(box && viewport, 'both have boxes');
  assert.ok(
    box.x >= viewport.x && box.y >= viewport.y && box.x + box.width <= viewport.x + viewport.width && box.y + box.height <= viewport.y + viewport.height,
    `the Lambda node ${JSON.stringify(box)} lies inside the viewport ${JSON.stringify(viewport)}`,
  );
  // The only flagged layer; keyboard "n" from the graph keeps it selected and focused.
  assert.equal(await page.locator('[data-testid="graph-node"][data-flagged="true"]').count(), 1);
  await page.keyboard.press('n');
  const focused = await page.evaluate(() => document.activeElement?.getAttribute('data-layer'));
  assert.equal(focused, LAMBDA);
  assert.equal(await lambda.getAttribute('aria-current'), 'true');
});

test('graph: nested_submodel_lambda.keras, a container collapses and expands in place', async ({ page, fixture }) => {
  await dropFiles(page, [{ name: 'nested_submodel_lambda.keras', bytes: fixture('nested_submodel_lambda.keras') }]);
  await waitVerdict(page);
  await page.getByTestId('layer-graph').waitFor({ state: 'visible', timeout: 30_000 });
  const inner = page.locator('[data-testid="graph-node"][data-layer="nested_submodel_lambda/inner_block"]');
  const lambda = page.locator('[data-testid="graph-node"][data-layer="nested_submodel_lambda/inner_block/inner_add_one"]');
  assert.equal(await inner.getAttribute('data-collapsed'), 'false');
  assert.equal(await lambda.getAttribute('data-flagged'), 'true');
  await inner.click();
  assert.equal(await inner.getAttribute('data-collapsed'), 'true');
  assert.equal(await inner.getAttribute('data-contains-flagged'), 'true');
  assert.equal(await lambda.count(), 0, 'the Lambda is hidden inside the collapsed container');
  // "next finding" opens the container again to show the Lambda.
  await page.getByTestId('graph-next-finding').click();
  await lambda.waitFor({ state: 'visible', timeout: 5_000 });
  assert.equal(await inner.getAttribute('data-collapsed'), 'false');
});
