import { describe, expect, it } from 'vitest';
import { reportToMarkdown, reportsToMarkdown } from '../../../src/core/export/markdown';
import { mdCode, mdFence, mdText } from '../../../src/core/export/markdown-escape';
import { scanPath } from '../../../src/node/scan-path';
import { HOSTILE_LAYER, HOSTILE_MODEL, scanFixture, writeHostileKeras } from './helpers';

/** Unescaped `|` characters in a table row (GFM cell separators). */
function cellSeparators(line: string): number {
  let n = 0;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\\') i++;
    else if (line[i] === '|') n++;
  }
  return n;
}

/** The Markdown with fenced blocks and code spans removed (their content is literal text, never HTML). */
function outsideCode(md: string): string {
  const noFences = md.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '');
  return noFences.replace(/(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g, '');
}

/** Lines allowed to carry file-controlled text: our own prefixes only. */
const OWN_LINE = /^(## Lambda Lens: |\*\*Verdict: |\*\*What it does:\*\* |\| |### \d+\. |- [A-Z][a-z]+|- [a-z-]+: |Rule `|$)/;

describe('Markdown summary of a real report', () => {
  it('has the verdict, a findings table row per finding, and the decompiled source', async () => {
    const report = await scanFixture('lambda_output_shape_fn.keras');
    const md = reportToMarkdown(report);
    expect(md).toContain(`**Verdict: ${report.verdict.toUpperCase()}**`);
    const rows = md.split('\n').filter((l) => /^\| \d+ \| /.test(l));
    expect(rows).toHaveLength(report.findings.length);
    for (const row of rows) expect(cellSeparators(row)).toBe(6);
    const withSource = report.findings.filter((f) => f.payload?.decoded.source);
    expect(withSource.length).toBeGreaterThan(0);
    for (const f of withSource) {
      const firstLine = f.payload!.decoded.source!.split('\n')[0];
      expect(md).toContain('```python\n' + firstLine);
    }
    expect(md).toContain('### Which loaders run it');
  });

  it('prints the disassembly when there is no source, and on request', async () => {
    const report = await scanFixture('mal_os_system.keras');
    const f = report.findings.find((x) => x.payload)!;
    const noSource = { ...report, findings: [{ ...f, payload: { ...f.payload!, decoded: { ...f.payload!.decoded, source: undefined } } }] };
    const firstDis = f.payload!.decoded.disassembly!.split('\n')[0];
    expect(reportToMarkdown(noSource)).toContain('```text\n' + firstDis);
    expect(reportToMarkdown(report)).not.toContain('```text');
    expect(reportToMarkdown(report, { disassembly: 'always' })).toContain('```text\n' + firstDis);
  });

  it('says "No findings." for a clean file and separates several reports', async () => {
    const clean = await scanFixture('no_lambda.h5');
    const bad = await scanFixture('mal_eval.h5');
    const md = reportsToMarkdown([clean, bad]);
    expect(md).toContain('No findings.');
    expect(md.split('\n---\n')).toHaveLength(2);
  });
});

describe('Markdown escaping of hostile names', () => {
  it('a .keras whose layer, model and file names are hostile cannot break the Markdown', async () => {
    const report = await scanPath(await writeHostileKeras());
    expect(report.findings.some((f) => f.layer?.includes('<script>'))).toBe(true);
    const md = reportToMarkdown(report);
    // No HTML can form: outside code (where text is literal) every < from the file is an entity.
    expect(outsideCode(md)).not.toMatch(/<(script|img|td|b|i)\b/i);
    expect(outsideCode(md)).toContain('injected');
    expect(md).toContain('&lt;script&gt;');
    // The hostile newline did not start a heading or any other line of its own.
    for (const line of md.split('\n')) {
      if (/^(```|    |\d+ |[A-Z_]+ )/.test(line)) continue; // code block content and fences
      if (line.includes('injected') || line.includes('script')) expect(line).toMatch(OWN_LINE);
    }
    expect(md).not.toMatch(/^#+ injected/m);
    // Tables keep their column count.
    for (const line of md.split('\n').filter((l) => /^\| \d+ \| /.test(l))) expect(cellSeparators(line)).toBe(6);
    // No live mention, no link, bidi override shown as text.
    expect(outsideCode(md)).not.toMatch(/(^|[^\\])@octocat/);
    expect(outsideCode(md)).not.toContain('](http');
    expect(md).not.toContain('\u202e');
    expect(md).toContain('\\u202e');
    expect(HOSTILE_MODEL.includes('```')).toBe(true);
  });

  it('mdText: one line, punctuation escaped, entities for < > &', () => {
    expect(mdText('a\nb\r\nc')).toBe('a ⏎ b ⏎ c');
    expect(mdText('<b>&</b>')).toBe('&lt;b&gt;&amp;&lt;/b&gt;');
    expect(mdText('*x* _y_ [z](u) `c` |p| ~s~ $m$ @me #1')).toBe(
      '\\*x\\* \\_y\\_ \\[z\\]\\(u\\) \\`c\\` \\|p\\| \\~s\\~ \\$m\\$ \\@me \\#1',
    );
    expect(mdText('x'.repeat(20), 5)).toBe('xxxxx…');
    expect(mdText('nul\u0000 del\u007f')).toBe('nul\\\\x00 del\\\\x7f');
  });

  it('mdCode: fence longer than any backtick run, pipes escaped, padding for edge backticks', () => {
    expect(mdCode('a|b')).toBe('`a\\|b`');
    expect(mdCode('x``y')).toBe('```x``y```');
    expect(mdCode('`edge')).toBe('`` `edge ``');
    expect(mdCode('two\nlines')).toBe('`two ⏎ lines`');
    expect(mdCode('')).toBe('` `');
  });

  it('mdFence: content with a fence inside cannot close the block', () => {
    const body = 'print(1)\n```\n# not a heading\n````';
    const block = mdFence(body, 'python');
    const lines = block.split('\n');
    expect(lines[0]).toBe('`````python');
    expect(lines[lines.length - 1]).toBe('`````');
    expect(lines.slice(1, -1).every((l) => !/^`{5,}\s*$/.test(l))).toBe(true);
    expect(mdFence('evil\u202ecode\u200b')).toContain('evil\\u202ecode\\u200b');
  });

  it(`keeps the hostile layer name recognisable`, async () => {
    const report = await scanPath(await writeHostileKeras());
    const md = reportToMarkdown(report);
    expect(md).toContain(mdCode(report.findings.find((f) => f.layer?.includes('script'))!.layer!));
    expect(HOSTILE_LAYER.length).toBeGreaterThan(20);
  });
});
