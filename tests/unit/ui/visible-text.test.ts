// Untrusted text is shown with bidi controls and invisible characters made visible.
import { describe, expect, it } from 'vitest';
import { briefValue, visible, visibleMultiline } from '../../../src/ui/visible-text';

describe('visible text', () => {
  it('marks bidi overrides, isolates, zero-width characters and controls', () => {
    expect(visible('abc\u202Egnp.h5')).toBe('abc⟨U+202E⟩gnp.h5');
    expect(visible('a\u2066b\u2069c')).toBe('a⟨U+2066⟩b⟨U+2069⟩c');
    expect(visible('sys\u200Btem')).toBe('sys⟨U+200B⟩tem');
    expect(visible('x\u0000y\u001bz')).toBe('x⟨U+0000⟩y⟨U+001B⟩z');
    expect(visible('\uFEFFname')).toBe('⟨U+FEFF⟩name');
  });

  it('keeps ordinary text, HTML-looking text and non-Latin scripts as they are', () => {
    expect(visible('<img src=x onerror=alert(1)>')).toBe('<img src=x onerror=alert(1)>');
    expect(visible('слой/層/طبقة')).toBe('слой/層/طبقة');
  });

  it('one-line text marks line breaks and tabs; blocks keep them', () => {
    expect(visible('a\nb\tc')).toBe('a⟨U+000A⟩b⟨U+0009⟩c');
    expect(visibleMultiline('a\n\tb\u202Ec')).toBe('a\n\tb⟨U+202E⟩c');
  });

  it('briefValue shortens JSON and marks hidden characters', () => {
    expect(briefValue({ module: 'os\u202E' })).toBe('{"module":"os⟨U+202E⟩"}');
    expect(briefValue('x'.repeat(500), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});
