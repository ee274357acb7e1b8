// The page end to end: samples, real drops, verdicts, finding rows, errors, several files, text safety.
import { createHash } from 'node:crypto';
import { assert, dropFiles, test, waitVerdict, waitFileVerdicts } from './harness.mjs';

test('the page loads with a drop zone, samples and a CSP without unsafe-eval', async ({ page }) => {
  assert.equal(await page.title(), 'Lambda Lens');
  await page.getByTestId('dropzone').waitFor();
  assert.equal(await page.getByTestId('sample').count(), 3);
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  assert.ok(csp, 'CSP meta tag present');
  assert.match(csp, /'wasm-unsafe-eval'/);
  assert.doesNotMatch(csp, /'unsafe-eval'/);
  assert.match(csp, /connect-src 'self'/);
  assert.match(csp, /worker-src 'self' blob:/);
});

test('the build works from a sub-path (relative asset URLs)', async ({ page, baseURL }) => {
  await page.goto(new URL('some/sub/path/', baseURL).href);
  await page.locator('[data-sample="mal_os_system.h5"]').click();
  assert.equal(await waitVerdict(page), 'dangerous');
});

test('a sample opens with one click: mal_os_system.h5 is dangerous', async ({ page }) => {
  await page.locator('[data-sample="mal_os_system.h5"]').click();
  assert.equal(await waitVerdict(page), 'dangerous');
  assert.ok((await page.getByTestId('finding-row').count()) >= 1);
});

test('a sample opens with one click: no_lambda.keras is clean', async ({ page }) => {
  await page.locator('[data-sample="no_lambda.keras"]').click();
  assert.equal(await waitVerdict(page), 'clean');
  assert.equal(await page.getByTestId('finding-row').count(), 0);
});

test('a sample opens with one click: seq_lambda_benign.keras shows its Lambda', async ({ page }) => {
  await page.locator('[data-sample="seq_lambda_benign.keras"]').click();
  const verdict = await waitVerdict(page);
  assert.notEqual(verdict, 'error');
  assert.notEqual(verdict, 'clean', 'a Lambda with bytecode is never "clean"');
  assert.ok((await page.getByTestId('finding-row').count()) >= 1);
  assert.ok((await page.getByTestId('payload-disassembly').count()) >= 1, 'disassembly shown');
});

test('drop mal_os_system.h5: dangerous, names include system, source and disassembly shown', async ({ page, fixture }) => {
  await dropFiles(page, [{ name: 'mal_os_system.h5', bytes: fixture('mal_os_system.h5') }]);
  assert.equal(await waitVerdict(page), 'dangerous');
  const rows = page.getByTestId('finding-row');
  assert.ok((await rows.count()) >= 1);
  const layers = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-layer')));
  assert.ok(layers.some((l) => l && l.endsWith('payload')), `a finding at layer …payload (got ${layers})`);
  const names = await page.getByTestId('payload-names').first().innerText();
  assert.match(names, /\bsystem\b/);
  const strings = await page.getByTestId('payload-strings').first().innerText();
  assert.match(strings, /echo inspector-test/);
  assert.ok((await page.getByTestId('payload-disassembly').count()) >= 1);
  const disassembly = await page.getByTestId('payload-disassembly').first().textContent();
  assert.match(disassembly ?? '', /system/);
  // base64 only on request
  assert.equal(await page.getByTestId('payload-base64').count(), 0);
  await page.getByTestId('show-base64').first().click();
  assert.equal(await page.getByTestId('payload-base64').count(), 1);
});

test('drop no_lambda.keras: clean with zero finding rows', async ({ page, fixture }) => {
  await dropFiles(page, [{ name: 'no_lambda.keras', bytes: fixture('no_lambda.keras') }]);
  assert.equal(await waitVerdict(page), 'clean');
  assert.equal(await page.getByTestId('finding-row').count(), 0);
  assert.ok((await page.locator('[data-testid="graph-node"]').count()) > 0, 'layers drawn');
});

test('drop nested_submodel_lambda.keras: the finding sits at the nested layer path', async ({ page, fixture }) => {
  await dropFiles(page, [{ name: 'nested_submodel_lambda.keras', bytes: fixture('nested_submodel_lambda.keras') }]);
  const verdict = await waitVerdict(page);
  assert.ok(verdict === 'dangerous' || verdict === 'suspicious', `verdict ${verdict}`);
  const layers = await page.getByTestId('finding-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-layer')));
  assert.ok(
    layers.includes('nested_submodel_lambda/inner_block/inner_add_one'),
    `finding rows at ${JSON.stringify(layers)}`,
  );
  const flagged = await page.locator('[data-testid="graph-node"][data-flagged="true"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-layer')));
  assert.ok(flagged.includes('nested_submodel_lambda/inner_block/inner_add_one'), `the graph flags it (${flagged})`);
});

test('a corrupt file gives verdict error with a message', async ({ page, fixture }) => {
  const garbage = Buffer.alloc(4096);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) & 0xff;
  await dropFiles(page, [{ name: 'garbage.bin', bytes: garbage }]);
  assert.equal(await waitVerdict(page), 'error');
  const reason = await page.getByTestId('verdict-reason').innerText();
  assert.ok(reason.trim().length > 10, `an explanation: ${reason}`);
});

test('a truncated HDF5 file gives verdict error (h5wasm failure is contained)', async ({ page, fixture }) => {
  const full = fixture('mal_os_system.h5');
  await dropFiles(page, [{ name: 'truncated.h5', bytes: full.subarray(0, 2048) }]);
  assert.equal(await waitVerdict(page), 'error');
  const reason = await page.getByTestId('verdict-reason').innerText();
  assert.ok(reason.trim().length > 10, `an explanation: ${reason}`);
  // The worker is still usable afterwards.
  await dropFiles(page, [{ name: 'no_lambda.h5', bytes: fixture('no_lambda.h5') }]);
  await page.locator('[data-testid="verdict"][data-verdict="clean"]').waitFor({ timeout: 30_000 });
});

test('several files at once: a list with each verdict, switching between them', async ({ page, fixture }) => {
  await dropFiles(page, [
    { name: 'mal_os_system.h5', bytes: fixture('mal_os_system.h5') },
    { name: 'no_lambda.keras', bytes: fixture('no_lambda.keras') },
    { name: 'two_lambdas.h5', bytes: fixture('two_lambdas.h5') },
    { name: 'broken.keras', bytes: Buffer.from('PK\x03\x04 not really a zip') },
  ]);
  const items = page.getByTestId('file-item');
  await waitFileVerdicts(page, 4);
  const verdicts = await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-verdict')));
  assert.equal(verdicts[0], 'dangerous');
  assert.equal(verdicts[1], 'clean');
  assert.notEqual(verdicts[2], 'clean');
  assert.equal(verdicts[3], 'error');
  await items.nth(1).click();
  await page.locator('[data-testid="verdict"][data-verdict="clean"]').waitFor();
  await items.nth(2).click();
  await page.locator('[data-testid="verdict"]:not([data-verdict="clean"])').waitFor();
  assert.ok((await page.getByTestId('finding-row').count()) >= 2, 'two_lambdas has two findings');
});

test('findings table: filter and sort', async ({ page, fixture }) => {
  await dropFiles(page, [{ name: 'two_lambdas.h5', bytes: fixture('two_lambdas.h5') }]);
  await waitVerdict(page);
  await page.getByTestId('open-table').click();
  const rows = page.getByTestId('table-row');
  const total = await rows.count();
  assert.ok(total >= 2);
  const layersOf = () => rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-layer')));
  await page.getByTestId('findings-filter').fill('second_lambda');
  const filtered = await layersOf();
  assert.ok(filtered.length >= 1 && filtered.length < total, `filtered to ${filtered}`);
  assert.ok(filtered.every((l) => l.includes('second_lambda')));
  await page.getByTestId('findings-filter').fill('');
  await page.getByTestId('sort-layer').click();
  const asc = await layersOf();
  await page.getByTestId('sort-layer').click();
  const desc = await layersOf();
  assert.deepEqual([...asc].sort(), asc, 'ascending');
  assert.deepEqual([...asc].reverse(), desc, 'descending');
});

test('file names are rendered as text: HTML and bidi characters are inert and visible', async ({ page, fixture }) => {
  const name = '<img src=x onerror="window.__pwned=1">\u202Egnp.h5';
  await dropFiles(page, [{ name, bytes: fixture('mal_os_system.h5') }]);
  await waitVerdict(page);
  assert.equal(await page.locator('img').count(), 0, 'no element created from the name');
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  const shown = await page.getByTestId('verdict').innerText();
  assert.ok(shown.includes('<img src=x'), 'the name appears as text');
  assert.ok(shown.includes('⟨U+202E⟩'), 'the bidi override is shown, not applied');
});

test('speed: resnet_like_graph.h5 (308 layers), drop to verdict', async ({ page, fixture, log }) => {
  const bytes = fixture('resnet_like_graph.h5');
  const cold0 = await dropFiles(page, [{ name: 'resnet_like_graph.h5', bytes }]);
  assert.notEqual(await waitVerdict(page, 60_000), 'error');
  const cold = (await page.evaluate(() => performance.now())) - cold0;
  const layers = await page.locator('[data-testid="graph-node"]').count();
  const old = await page.getByTestId('verdict').elementHandle();
  const warm0 = await dropFiles(page, [{ name: 'resnet_like_graph.h5', bytes }]);
  await page.waitForFunction((element) => !element.isConnected, old);
  assert.notEqual(await waitVerdict(page, 60_000), 'error');
  const warm = (await page.evaluate(() => performance.now())) - warm0;
  const banner = await page.getByTestId('verdict').getAttribute('data-elapsed-ms');
  const core = await page.getByTestId('verdict').getAttribute('data-scan-ms');
  log(
    `resnet_like_graph.h5: drop→verdict cold (incl. worker start + h5wasm init) ${cold.toFixed(0)} ms, warm ${warm.toFixed(0)} ms; ` +
      `queue→report ${banner} ms, core scan ${core} ms; ${layers} graph nodes drawn`,
  );
  const rows = await page.getByTestId('finding-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-layer')));
  assert.ok(rows.some((l) => l && l.endsWith('mid_scale')), `the Lambda deep inside is found (${rows})`);
});

test('Stop: queued and running scans end with an error report saying they were stopped', async ({ page, fixture }) => {
  // The 308-layer file first keeps the others queued while Stop is clicked.
  const names = ['resnet_like_graph.h5', 'two_lambdas.h5', 'mal_eval.h5', 'mal_urllib.h5', 'no_lambda.h5', 'seq_lambda_benign.h5'];
  await dropFiles(page, names.map((name) => ({ name, bytes: fixture(name) })));
  await page.getByTestId('stop-all').click();
  await waitFileVerdicts(page, names.length, 30_000);
  const items = page.getByTestId('file-item');
  const verdicts = await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-verdict')));
  assert.equal(verdicts.at(-1), 'error', `the last queued file was stopped (${verdicts})`);
  await items.last().click();
  assert.match(await page.getByTestId('verdict-reason').innerText(), /stopped/i);
  assert.equal(await page.getByTestId('stop-all').count(), 0, 'nothing left running');
  // The scanner still works after a stop.
  await dropFiles(page, [{ name: 'no_lambda.keras', bytes: fixture('no_lambda.keras') }]);
  await page.locator('[data-testid="verdict"][data-verdict="clean"]').waitFor({ timeout: 30_000 });
});

test('Stop on one file stops only that file; the others finish', async ({ page, fixture }) => {
  // Four 308-layer files in front keep the target queued while it is selected and stopped.
  const resnet = fixture('resnet_like_graph.h5');
  await dropFiles(page, [
    ...[1, 2, 3, 4].map((i) => ({ name: `resnet_${i}.h5`, bytes: resnet })),
    { name: 'mal_os_system.h5', bytes: fixture('mal_os_system.h5') },
    { name: 'no_lambda.keras', bytes: fixture('no_lambda.keras') },
  ]);
  const items = page.getByTestId('file-item');
  await items.nth(4).click();
  await page.getByTestId('stop').click();
  await page.waitForFunction(
    () => [...document.querySelectorAll('[data-testid="file-item"]')].every((e) =>
      ['dangerous', 'suspicious', 'clean', 'error'].includes(e.getAttribute('data-verdict')),
    ),
    null,
    { timeout: 60_000 },
  );
  const verdicts = await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-verdict')));
  assert.deepEqual(verdicts, ['dangerous', 'dangerous', 'dangerous', 'dangerous', 'error', 'clean']);
  await items.nth(4).click();
  assert.match(await page.getByTestId('verdict-reason').innerText(), /stopped|cancelled/i);
});

test('a SavedModel folder chosen with the folder input is scanned as one model named after the folder', async ({ page, log }) => {
  const { cpSync, existsSync, mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const corpus = new URL('../../../shared/corpus/files/sm-ionut-siamese/', import.meta.url).pathname;
  if (!existsSync(join(corpus, 'saved_model.pb'))) {
    log(`SKIP: ${corpus} is absent (third-party corpus), the SavedModel folder check did not run`);
    return;
  }
  const dir = join(mkdtempSync(join(tmpdir(), 'll-e2e-')), 'siamese_savedmodel');
  cpSync(corpus, dir, { recursive: true });
  await page.getByTestId('folder-input').setInputFiles(dir);
  const verdict = await waitVerdict(page);
  const banner = await page.getByTestId('verdict').innerText();
  assert.notEqual(verdict, 'error', banner);
  assert.match(banner, /siamese_savedmodel/);
  const facts = await page.locator('.ws-facts').innerText();
  const layers = Number(/(\d+) layers/.exec(facts)?.[1] ?? 0);
  assert.ok(layers > 10, `the layers of the nested Functional models are walked (${layers})`);
  assert.ok((await page.locator('[data-testid="graph-node"]').count()) > 0, 'and drawn');
});

test('a folder without saved_model.pb gives one error entry that says so', async ({ page, fixture }) => {
  const { mkdtempSync, mkdirSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = join(mkdtempSync(join(tmpdir(), 'll-e2e-')), 'not_a_model');
  mkdirSync(join(dir, 'variables'), { recursive: true });
  writeFileSync(join(dir, 'keras_model.h5'), fixture('mal_os_system.h5'));
  writeFileSync(join(dir, 'variables', 'variables.index'), Buffer.from('not an index'));
  await page.getByTestId('folder-input').setInputFiles(dir);
  assert.equal(await waitVerdict(page), 'error');
  const banner = await page.getByTestId('verdict').innerText();
  assert.match(banner, /not_a_model/);
  assert.match(banner, /saved_model\.pb/);
});

test('a large file (fixture + 256 MB appended) gets its verdict from lazy reads, then its hash', async ({ page, fixture, log }) => {
  const head = fixture('mal_os_system.h5');
  const t0 = await page.evaluate(async (b64) => {
    const binary = atob(b64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    const chunk = new Uint8Array(16 * 1024 * 1024);
    const file = new File([bytes, ...Array.from({ length: 16 }, () => chunk)], 'big.h5');
    const dt = new DataTransfer();
    dt.items.add(file);
    const t = performance.now();
    document.querySelector('[data-testid="dropzone"]').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    return t;
  }, head.toString('base64'));
  assert.equal(await waitVerdict(page, 60_000), 'dangerous');
  const verdictMs = (await page.evaluate(() => performance.now())) - t0;
  await page.waitForFunction(() => /^[0-9a-f]{64}$/.test(document.querySelector('[data-testid="sha256"]')?.textContent ?? ''), null, {
    timeout: 60_000,
  });
  const hashMs = (await page.evaluate(() => performance.now())) - t0;
  // Above 256 MiB the page hashes on two threads (scan worker reads, hash helper hashes): the same digest as Node's.
  const expected = createHash('sha256').update(head);
  for (let i = 0; i < 16; i++) expected.update(new Uint8Array(16 * 1024 * 1024));
  assert.equal((await page.getByTestId('sha256').innerText()).trim(), expected.digest('hex'));
  log(`big.h5 (${((head.length + 256 * 1024 * 1024) / 1048576).toFixed(0)} MB): verdict after ${verdictMs.toFixed(0)} ms, sha256 after ${hashMs.toFixed(0)} ms`);
  assert.ok(verdictMs < hashMs, 'the verdict does not wait for the hash');
});
