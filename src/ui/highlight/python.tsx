/** Python source as highlighted React text: one span per token, classes `py-<kind>`. Never HTML strings. */
import type { ReactNode } from 'react';
import { visibleMultiline } from '../visible-text';
import { tokenizePython } from './python-tokens';

export { tokenizePython, type PyToken, type PyTokenKind } from './python-tokens';

/** Untrusted text: hidden characters are made visible before tokenizing, so markers appear inside tokens. */
export function HighlightedPython({ source }: { source: string }): ReactNode {
  const tokens = tokenizePython(visibleMultiline(source));
  return tokens.map((token, index) =>
    token.kind === 'space' || token.kind === 'name' || token.kind === 'text' ? (
      token.text
    ) : (
      <span key={index} className={`py-${token.kind}`}>
        {token.text}
      </span>
    ),
  );
}
