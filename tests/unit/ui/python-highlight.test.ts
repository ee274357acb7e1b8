// The offline Python tokenizer behind the payload view's highlighting: token kinds on real decompiled sources
// (the fixtures' sidecar `lambdas[].source`) and tricky literals; the tokens always reassemble the input.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tokenizePython, type PyTokenKind } from '../../../src/ui/highlight/python-tokens';

const kinds = (source: string, kind: PyTokenKind) => tokenizePython(source).filter((t) => t.kind === kind).map((t) => t.text);

describe('python tokenizer', () => {
  it('keywords, builtins, strings, numbers and operators in a real payload', () => {
    const source = "lambda x: (__import__('os').system('echo inspector-test'), x)[1]";
    expect(kinds(source, 'keyword')).toEqual(['lambda']);
    expect(kinds(source, 'builtin')).toEqual(['__import__']);
    expect(kinds(source, 'string')).toEqual(["'os'", "'echo inspector-test'"]);
    expect(kinds(source, 'number')).toEqual(['1']);
    expect(kinds(source, 'name')).toEqual(['x', 'system', 'x']);
    expect(kinds(source, 'operator')).toEqual([':', '(', '(', ')', '.', '(', ')', ',', ')', '[', ']']);
  });

  it('string prefixes: f-strings, bytes, raw, unicode, mixed case, triple quotes', () => {
    const source = `a = f"{x!r}" + rb'\\d' + Br"q" + u'é' + b"\\x00\\"" + '''multi\nline''' + """x"""`;
    expect(kinds(source, 'string')).toEqual([`f"{x!r}"`, `rb'\\d'`, `Br"q"`, `u'é'`, `b"\\x00\\""`, `'''multi\nline'''`, `"""x"""`]);
    // A name ending in a prefix letter is a name, not a string prefix.
    expect(kinds(`sub'x'`, 'name')).toEqual(['sub']);
  });

  it('numbers: ints, floats, exponents, hex/octal/binary, underscores, imaginary, Python 2 longs', () => {
    const source = '1 1.0 .5 1. 1e-3 2.5E+10 0xFF 0o17 0b1010 1_000_000 3j 10L';
    expect(kinds(source, 'number')).toEqual(['1', '1.0', '.5', '1.', '1e-3', '2.5E+10', '0xFF', '0o17', '0b1010', '1_000_000', '3j', '10L']);
  });

  it('comments run to the end of the line; a # inside a string is not a comment', () => {
    const source = "x = '#no' # yes\ny = 2";
    expect(kinds(source, 'comment')).toEqual(['# yes']);
    expect(kinds(source, 'string')).toEqual(["'#no'"]);
  });

  it('multi-character operators stay whole', () => {
    expect(kinds('a **= b // c -> d := e != f << g', 'operator')).toEqual(['**=', '//', '->', ':=', '!=', '<<']);
  });

  it('unterminated strings end at the line end (single) or the source end (triple)', () => {
    expect(kinds("x = 'open\ny = 1", 'string')).toEqual(["'open"]);
    expect(kinds('x = """open\ny = 1', 'string')).toEqual(['"""open\ny = 1']);
  });

  it('every fixture sidecar source tokenizes back to itself with lambda as a keyword', () => {
    const dir = path.resolve(__dirname, '../../fixtures');
    const sources: string[] = [];
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.expected.json'))) {
      const sidecar = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as { lambdas?: { source?: string }[] };
      for (const l of sidecar.lambdas ?? []) if (typeof l.source === 'string') sources.push(l.source);
    }
    expect(sources.length).toBeGreaterThan(10);
    for (const source of sources) {
      const tokens = tokenizePython(source);
      expect(tokens.map((t) => t.text).join('')).toBe(source);
      if (source.startsWith('lambda')) expect(tokens[0]).toEqual({ kind: 'keyword', text: 'lambda' });
    }
  });

  it('never throws and always reassembles arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        expect(tokenizePython(text).map((t) => t.text).join('')).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});
