import { describe, expect, it } from 'vitest';
import { shownWithGaps } from '../../../src/ui/show-more';

describe('shownWithGaps', () => {
  it('draws the first `limit` and marks the rest as one gap', () => {
    expect(shownWithGaps(5, 2)).toEqual([{ index: 0 }, { index: 1 }, { gap: 3, from: 2 }]);
  });
  it('keeps marked indices beyond the limit, with the gaps around them', () => {
    expect(shownWithGaps(10, 2, (i) => i === 6)).toEqual([{ index: 0 }, { index: 1 }, { gap: 4, from: 2 }, { index: 6 }, { gap: 3, from: 7 }]);
  });
  it('no gap when everything fits', () => {
    expect(shownWithGaps(3, 5, () => true)).toEqual([{ index: 0 }, { index: 1 }, { index: 2 }]);
  });
});
