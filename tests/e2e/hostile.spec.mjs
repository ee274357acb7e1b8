// Issue 6, the browser side: hostile text in a model renders inert and visible; a scan that hangs costs only
// its own file (the watchdog kills the worker for real, a fresh one takes the rest of the drop).
import { ZipReader, Uint8ArrayReader, TextWriter } from '@zip.js/zip.js';
import { assert, dropFiles, test, waitVerdict, waitFileVerdicts } from './harness.mjs';

const XSS_IMG = '<img src=x onerror=alert(1)>';
const XSS_SCRIPT = '<script>alert(2)</script>';
const JS_URL = 'javascript:alert(document.domain)';
const RLO = '\u202E';
const ZWSP = '\u200B';

/** config.json of a real Keras save (mal_os_system.keras). */
async function realConfig(fixture) {
  const zip = new ZipReader(new Uint8ArrayReader(fixture('mal_os_system.keras')), { useWebWorkers: false });
  const entry = (await zip.getEntries()).find((e) => e.filename === 'config.json');
  const text = await entry.getData(new TextWriter());
  await zip.close();
  return JSON.parse(text);
}

/**
 * Replaces one string constant of a marshalled code object: the short-ASCII record ('z' | FLAG_REF, 1-byte
 * length) becomes a unicode record ('u' | FLAG_REF, 4-byte length, UTF-8), so any text fits. One object in,
 * one object out, so marshal back-references stay valid.
 */
function patchMarshalString(marshal, oldText, newText) {
  const old = Buffer.concat([Buffer.from([0xfa, oldText.length]), Buffer.from(oldText, 'latin1')]);
  const at = marshal.indexOf(old);
  assert.ok(at > 0, `constant ${oldText} found in the payload`);
  const utf8 = Buffer.from(newText, 'utf8');
  const head = Buffer.alloc(5);
  head[0] = 0xf5;
  head.writeUInt32LE(utf8.length, 1);
  return Buffer.concat([marshal.subarray(0, at), head, utf8, marshal.subarray(at + old.length)]);
}

/** A Keras JSON model whose names, config strings and payload constants are hostile. */
export async function hostileModel(fixture) {
  const config = await realConfig(fixture);
  config.config.name = `${JS_URL}${ZWSP}`;
  const layers = config.config.layers;
  const dense = layers.find((l) => l.class_name === 'Dense');
  dense.config.name = XSS_IMG;
  dense.config.activation = `${XSS_SCRIPT}${RLO}exe.txt`;
  const lambda = layers.find((l) => l.class_name === 'Lambda');
  lambda.config.name = `${XSS_SCRIPT}${RLO}gnp.exe${ZWSP}`;
  lambda.config.arguments = { link: JS_URL, html: XSS_IMG };
  const code = Buffer.from(lambda.config.function.config.code, 'base64');
  const patched = patchMarshalString(code, 'echo inspector-test', `${XSS_IMG} ${XSS_SCRIPT} ${JS_URL} ${RLO}txt.exe${ZWSP}`);
  lambda.config.function.config.code = patched.toString('base64');
  return Buffer.from(JSON.stringify(config));
}

test('hostile names, config strings and payload constants render as inert, visible text', async ({ page, fixture }) => {
  const problems = [];
  page.on('dialog', (dialog) => {
    problems.push(`dialog opened: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  const startUrl = page.url();
  page.on('framenavigated', (frame) => {
    // Only the fragment may change (the #layer= deep link, via replaceState).
    if (frame === page.mainFrame() && frame.url().split('#')[0] !== startUrl) problems.push(`navigated to ${frame.url()}`);
  });
  // Watch for elements the file could have smuggled in.
  await page.evaluate(() => {
    window.__injected = [];
    new MutationObserver((records) => {
      for (const r of records) {
        for (const node of r.addedNodes) {
          if (!(node instanceof Element)) continue;
          for (const el of [node, ...node.querySelectorAll('*')]) {
            if (/^(SCRIPT|IMG|IFRAME|OBJECT|EMBED|BASE|META|LINK)$/.test(el.tagName)) window.__injected.push(el.outerHTML.slice(0, 120));
            for (const attr of el.attributes) {
              if (/^on/i.test(attr.name) || (/^(href|src|action|formaction|xlink:href|srcdoc)$/i.test(attr.name) && /^\s*javascript:/i.test(attr.value))) window.__injected.push(`${el.tagName} ${attr.name}=${attr.value.slice(0, 60)}`);
            }
          }
        }
      }
    }).observe(document, { childList: true, subtree: true });
  });
  const scriptsBefore = await page.evaluate(() => document.scripts.length);

  const name = `${XSS_IMG}${RLO}gnp.json`;
  await dropFiles(page, [{ name, bytes: await hostileModel(fixture) }]);
  assert.equal(await waitVerdict(page), 'dangerous');
  // Open everything there is to open: base64, the Lambda's layer details.
  for (const button of await page.getByTestId('show-base64').all()) await button.click();
  const lambdaNode = page.locator('[data-testid="graph-node"][data-layer*="script"]');
  if (await lambdaNode.count()) await lambdaNode.first().click();
  await page.waitForTimeout(300);

  const text = await page.evaluate(() => document.body.innerText);
  assert.ok(text.includes(XSS_IMG), 'the <img> layer name is shown literally');
  assert.ok(text.includes('<script>alert(2)</script>'), 'the <script> text is shown literally');
  assert.ok(text.includes(JS_URL), 'the javascript: URL is shown as text');
  assert.ok(text.includes('⟨U+202E⟩'), 'the bidi override is made visible');
  assert.ok(text.includes('⟨U+200B⟩'), 'the zero-width space is made visible');
  assert.ok(!text.includes(RLO), 'no raw U+202E reaches the screen');
  assert.ok(!text.includes(ZWSP), 'no raw U+200B reaches the screen');
  // The Lambda's finding selected: its payload in the details panel.
  await page.locator('[data-testid="finding-row"][data-kind="lambda-bytecode"]').first().click();
  const strings = await page.getByTestId('payload-strings').first().innerText();
  assert.ok(strings.includes(XSS_IMG) && strings.includes('⟨U+202E⟩'), `payload constant shown literally: ${strings}`);

  assert.deepEqual(await page.evaluate(() => window.__injected), [], 'no element or handler injected');
  assert.equal(await page.evaluate(() => document.scripts.length), scriptsBefore, 'no script element added');
  assert.equal(await page.locator('a[href^="javascript:" i]').count(), 0);
  assert.equal(page.url().split('#')[0], startUrl, 'no navigation');
  assert.deepEqual(problems, []);
});

test('watchdog (?watchdog=ms): a file that runs past it is killed with a reason; the others get their reports', async ({ page, baseURL, fixture, log }) => {
  const watchdogMs = 2500;
  await page.goto(`${baseURL}?watchdog=${watchdogMs}`);
  // Let the first worker start (h5wasm compiles on start) before the drop, as a visitor's page would.
  await page.waitForTimeout(500);
  const normal = ['mal_os_system.h5', 'no_lambda.keras', 'two_lambdas.h5'];
  // The slow file: a crafted .h5 on which the HDF5 library loops forever in a structure the attribute
  // pre-check cannot read (a "huge" heap object), so only terminating the worker can end it — exactly what
  // the watchdog is for.
  // Beside it, the first fuzz-found hang: the attribute pre-check refuses it in the worker, no watchdog needed.
  await dropFiles(page, [
    { name: 'hdf5-unchecked-heap-hang.h5', bytes: fixture('regressions/hdf5-unchecked-heap-hang.h5') },
    { name: 'hdf5-library-hang.h5', bytes: fixture('regressions/hdf5-library-hang.h5') },
    ...normal.map((name) => ({ name, bytes: fixture(name) })),
  ]);
  await waitFileVerdicts(page, normal.length + 2);
  const items = page.getByTestId('file-item');
  const verdicts = await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-verdict')));
  log(`verdicts with a ${watchdogMs} ms watchdog: ${verdicts.join(', ')}`);
  assert.equal(verdicts[0], 'error', 'the slow file was stopped');
  await items.first().click();
  const reason = await page.getByTestId('verdict-reason').innerText();
  assert.match(reason, new RegExp(`took longer than ${Math.round(watchdogMs / 1000)} s and was stopped while opening HDF5 \\(some root attributes not pre-checked: huge`), reason);
  assert.equal(verdicts[1], 'error', 'the damaged heap was refused');
  await items.nth(1).click();
  const refused = await page.getByTestId('verdict-reason').innerText();
  assert.match(refused, /damaged HDF5 global heap: object 0 at byte \d+ declares 0 bytes, on which the HDF5 library loops forever/, refused);
  assert.deepEqual(verdicts.slice(2), ['dangerous', 'clean', 'dangerous']);
});

test('an oversized payload (100,000 instructions) renders a step at a time: cited lines shown, no frozen tab', async ({ page, log }) => {
  const { inflatedLambdaConfig } = await import('../fixtures/slow-model.mjs');
  const bytes = inflatedLambdaConfig('mal_os_system', 100_000);
  const started = Date.now();
  await dropFiles(page, [{ name: 'inflated.json', bytes }]);
  assert.equal(await waitVerdict(page, 60_000), 'dangerous');
  const dis = page.getByTestId('payload-disassembly').first();
  await dis.waitFor();
  log(`drop → disassembly on screen: ${Date.now() - started} ms for ${(bytes.length / 1e6).toFixed(1)} MB`);
  const drawn = await dis.locator('.dis-line:not(.dis-gap)').count();
  assert.ok(drawn <= 2000 + 20, `at most one step of lines drawn (got ${drawn})`);
  // The os.system call sits after the filler, far beyond the first step: drawn anyway, marked as cited.
  const cited = await dis.locator('[data-cited="true"]').allInnerTexts();
  assert.ok(cited.some((t) => /LOAD_METHOD\s+1 \(system\)/.test(t)), `cited system call drawn: ${cited.join(' | ')}`);
  assert.ok((await dis.getByTestId('dis-gap').count()) >= 1, 'the left-out lines are marked');
  // The page answers promptly while showing it, and the next step draws on request.
  const t0 = Date.now();
  await page.evaluate(() => 1);
  assert.ok(Date.now() - t0 < 1000, 'page responsive');
  await page.getByTestId('more-disassembly').first().click();
  assert.ok((await dis.locator('.dis-line:not(.dis-gap)').count()) > drawn, 'one more step drawn');
  assert.match(await page.getByTestId('payload-source').first().innerText(), /more than the 65536 it decompiles/);
});
