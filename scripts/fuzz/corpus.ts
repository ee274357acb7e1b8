/** Seeds for the fuzzer, all read from tests/fixtures: Keras saves, golden marshal payloads, pickles, protobuf. */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { metaGraph, nodeDef, encode, varint, msg, str } from '../../tests/fixtures/savedmodel/encode';
import { readZip } from './zip-lite';
import type { FuzzJson } from './json-edit';

export interface Seed {
  name: string;
  bytes: Uint8Array;
}

export interface Corpus {
  h5: Seed[];
  keras: Seed[];
  /** Members of each .keras seed (same order as `keras`). */
  kerasMembers: { name: string; data: Uint8Array; method: number }[][];
  /** Parsed config.json of every .keras seed. */
  configs: FuzzJson[];
  /** Golden marshal payloads (every CPython version, every case). */
  marshal: Uint8Array[];
  pickle: Seed[];
  pb: Seed[];
  /**
   * The payloads as the seeds store them: every base64 code string exactly as it appears in a seed's bytes (JSON
   * escapes included) and every golden payload's base64. The fail-open oracle: an input still holding one of
   * these must never be reported clean.
   */
  payloadTexts: Buffer[];
}

/** A JSON string value holding base64 of a marshalled code object (type byte 0xe3 / 0x63 → "4w…" / "Yw…"). */
const CODE_STRING = /"((?:4w|Yw)[A-Za-z0-9+/=]{8}(?:[A-Za-z0-9+/=]|\\n){32,})"/g;

function payloadTextsOf(seeds: Uint8Array[], marshal: Uint8Array[]): Buffer[] {
  const texts = new Set<string>();
  for (const bytes of seeds) for (const m of Buffer.from(bytes).toString('latin1').matchAll(CODE_STRING)) texts.add(m[1]);
  for (const m of marshal) texts.add(Buffer.from(m).toString('base64'));
  return [...texts].map((t) => Buffer.from(t, 'latin1'));
}

/** True when the input still holds one of the seed payloads byte for byte. */
export function holdsPayload(corpus: Corpus, bytes: Uint8Array): boolean {
  const haystack = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return corpus.payloadTexts.some((t) => haystack.indexOf(t) >= 0);
}

function files(dir: string, pattern: RegExp): Seed[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => pattern.test(f))
    .sort()
    .map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(path.join(dir, f))) }));
}

export function loadCorpus(root: string): Corpus {
  const fixtures = path.join(root, 'tests/fixtures');
  const h5 = [...files(fixtures, /\.h5$/), ...files(path.join(fixtures, 'crafted'), /\.h5$/), ...files(path.join(fixtures, 'hdf5-layouts'), /\.h5$/)];
  const keras = files(fixtures, /\.keras$/);
  const kerasMembers = keras.map((k) => readZip(k.bytes));
  const configs = kerasMembers.map((members) => {
    const cfg = members.find((m) => m.name === 'config.json');
    return JSON.parse(new TextDecoder().decode(cfg!.data)) as FuzzJson;
  });
  const marshal: Uint8Array[] = [];
  for (const g of files(path.join(fixtures, 'golden'), /\.json$/)) {
    const doc = JSON.parse(new TextDecoder().decode(g.bytes)) as { cases: { marshal_b64?: string }[] };
    for (const c of doc.cases) if (c.marshal_b64) marshal.push(new Uint8Array(Buffer.from(c.marshal_b64, 'base64')));
  }
  const pickle = [...files(path.join(fixtures, 'pickle'), /\.pkl$/), ...files(path.join(fixtures, 'pickle/npy'), /\.npy$/)];
  const lambdaMeta = JSON.stringify({
    class_name: 'Lambda',
    config: { name: 'lambda', function: [Buffer.from(marshal[0] ?? []).toString('base64'), null, null], function_type: 'lambda' },
  });
  const synthetic = encode([
    varint(1, 1),
    msg(
      2,
      metaGraph({
        tags: ['serve'],
        tfVersion: '2.15.0',
        nodes: [nodeDef('x', 'Placeholder'), nodeDef('py', 'PyFunc', ['x'], { token: { s: 'pyfunc_0' } }), nodeDef('rf', 'ReadFile', ['x'])],
        userObjects: [{ identifier: '_tf_keras_layer', metadata: lambdaMeta }],
      }),
    ),
    str(99, 'trailing'),
  ]);
  const pb = [...files(path.join(fixtures, 'savedmodel'), /\.pb$/), { name: 'synthetic_saved_model.pb', bytes: synthetic }];
  const payloadTexts = payloadTextsOf([...h5.map((s) => s.bytes), ...kerasMembers.flatMap((members) => members.map((m) => m.data))], marshal);
  return { h5, keras, kerasMembers, configs, marshal, pickle, pb, payloadTexts };
}
