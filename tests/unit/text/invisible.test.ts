/**
 * One list of invisible characters (core/text/invisible.ts) for both views: over the whole BMP, the page's
 * one-line rendering and the terminal's one-line escape change exactly the same characters; the block renderings
 * differ only in what each keeps (page: tab, LF, CR; terminal: tab, LF).
 */
import { describe, expect, it } from 'vitest';
import { inert, inertBlock } from '../../../src/cli/terminal-text';
import { visible, visibleMultiline } from '../../../src/ui/visible-text';

const bmp = Array.from({ length: 0x10000 }, (_, c) => c)
  .filter((c) => c < 0xd800 || c > 0xdfff)
  .map((c) => String.fromCharCode(c));
const changedBy = (f: (s: string) => string) => bmp.filter((ch) => f(ch) !== ch).map((ch) => ch.charCodeAt(0));

describe('one list of invisible characters', () => {
  it('page and terminal hide the same characters on one line', () => {
    const page = changedBy(visible);
    expect(page).toEqual(changedBy(inert));
    // a few that matter: ESC, C1 CSI, bidi override, isolates, zero width, line separator, BOM, Hangul filler
    for (const c of [0x1b, 0x9b, 0x202e, 0x2066, 0x200b, 0x2028, 0xfeff, 0x3164, 0x0a]) expect(page).toContain(c);
    expect(page).not.toContain(0x41);
  });
  it('blocks keep what each view can show safely', () => {
    const page = changedBy(visibleMultiline);
    const terminal = changedBy(inertBlock);
    expect(terminal.filter((c) => !page.includes(c))).toEqual([0x0d]); // CR would overwrite a terminal line
    expect(page.filter((c) => !terminal.includes(c))).toEqual([]);
    expect(page).not.toContain(0x0a);
  });
});
