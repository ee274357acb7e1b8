import { expect, it } from 'vitest';
import { joinPointer, type Json } from '../../src/core/json/parse';
import { getPointer } from '../../src/core/json/pointer';

it('getPointer inverts joinPointer, with escapes, and refuses prototype keys', () => {
  const doc = { a: [{ 'b/c': { '~d': 1 } }] } as Json;
  const p = joinPointer(joinPointer(joinPointer(joinPointer('', 'a'), 0), 'b/c'), '~d');
  expect(p).toBe('/a/0/b~1c/~0d');
  expect(getPointer(doc, p)).toBe(1);
  expect(getPointer(doc, '')).toBe(doc);
  expect(getPointer(doc, '/a/1')).toBeUndefined();
  expect(getPointer(doc, '/a/01')).toBeUndefined();
  expect(getPointer(doc, '/constructor')).toBeUndefined();
});
