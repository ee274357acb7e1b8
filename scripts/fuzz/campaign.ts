/**
 * One fuzz input per (seed, format, index): the same triple always yields the same bytes, so a worker can
 * generate inputs itself and the parent can regenerate any input that hung or crashed.
 */
import { encodeBase64 } from '../../src/core/keras/payload-bytes';
import type { Corpus } from './corpus';
import { editJson, randomJson, serialize, wrapConfig, type FuzzJson } from './json-edit';
import { mutateMarshal, randomMarshal } from './marshal-gen';
import { join, mutateBytes } from './mutate';
import { mutatePickle, pickleFlood, randomPickle } from './pickle-gen';
import { mutateProtobuf, protobufBomb, randomProtobuf } from './protobuf-gen';
import { Rng } from './prng';
import { profile, sized } from './profile';
import { writeZip, type LiteMember } from './zip-lite';

export const FORMATS = ['h5', 'keras', 'json', 'marshal', 'pickle', 'pb'] as const;
export type FuzzFormat = (typeof FORMATS)[number];

export interface FuzzInput {
  format: FuzzFormat;
  index: number;
  name: string;
  bytes: Uint8Array;
  /** Mutations applied, in order (for the crash report). */
  recipe: string[];
}

const enc = new TextEncoder();
const EXT: Record<FuzzFormat, string> = { h5: 'h5', keras: 'keras', json: 'json', marshal: 'json', pickle: 'pkl', pb: 'pb' };

export function generateInput(corpus: Corpus, seed: number, format: FuzzFormat, index: number, options: { light?: boolean } = {}): FuzzInput {
  profile.light = options.light ?? false;
  const rng = new Rng(seed, format, index);
  const recipe: string[] = [];
  let bytes: Uint8Array;
  try {
    bytes = GENERATORS[format](rng, corpus, recipe);
  } catch (e) {
    // The generator itself hit a limit (e.g. serialising a very deep edit): fall back to a simple flip.
    recipe.push(`generator-fallback(${e instanceof Error ? e.message : String(e)})`);
    const fallback = new Rng(seed, format, index, 'fallback');
    const pool = { h5: corpus.h5, keras: corpus.keras, json: corpus.keras, marshal: corpus.h5, pickle: corpus.pickle, pb: corpus.pb }[format];
    bytes = mutateBytes(fallback, fallback.pick(pool).bytes, () => fallback.pick(pool).bytes, recipe);
  }
  return { format, index, name: `fuzz-${format}-${index}.${EXT[format]}`, bytes, recipe };
}

type Generator = (rng: Rng, corpus: Corpus, recipe: string[]) => Uint8Array;

function anySeed(rng: Rng, corpus: Corpus): Uint8Array {
  const pool = rng.pick([corpus.h5, corpus.keras, corpus.pickle, corpus.pb]);
  return rng.pick(pool).bytes;
}

function payloadB64(rng: Rng, corpus: Corpus): string {
  return encodeBase64(rng.pick(corpus.marshal));
}

const GENERATORS: Record<FuzzFormat, Generator> = {
  h5(rng, corpus, recipe) {
    // The 1.4 MB resnet seed is slow to copy for every input: pick it rarely.
    const pool = rng.chance(0.9) ? corpus.h5.filter((s) => s.bytes.length < 500_000) : corpus.h5;
    const seed = rng.pick(pool);
    recipe.push(`seed:${seed.name}`);
    let bytes = seed.bytes;
    if (rng.chance(0.25)) bytes = editH5Config(rng, corpus, bytes, recipe);
    if (recipe.length === 1 || rng.chance(0.5)) {
      bytes = mutateBytes(rng, bytes, () => (rng.chance(0.8) ? rng.pick(corpus.h5).bytes : anySeed(rng, corpus)), recipe);
    }
    return bytes;
  },

  keras(rng, corpus, recipe) {
    const i = rng.int(corpus.keras.length);
    const seed = corpus.keras[i];
    recipe.push(`seed:${seed.name}`);
    const choice = rng.int(100);
    let bytes: Uint8Array;
    if (choice < 40) {
      bytes = seed.bytes;
    } else {
      const members: LiteMember[] = corpus.kerasMembers[i].map((m) => ({ name: m.name, data: m.data, method: rng.chance(0.5) ? 8 : 0 }));
      if (choice < 70) {
        const cfg = members.find((m) => m.name === 'config.json')!;
        cfg.data = enc.encode(serialize(editJson(rng, corpus.configs[i], { payload: () => payloadB64(rng, corpus) }, recipe) as FuzzJson, rng));
      } else if (choice < 85) {
        lieInHeaders(rng, members, recipe);
      } else {
        restructure(rng, corpus, members, recipe);
      }
      const lies = rng.chance(0.1) ? { declaredCount: rng.interestingInt() & 0xffff } : rng.chance(0.05) ? { declaredCdOffset: rng.interestingInt() } : {};
      if (Object.keys(lies).length) recipe.push(`zip:${Object.keys(lies)[0]}`);
      bytes = writeZip(members, lies);
    }
    if (choice < 40 || rng.chance(0.3)) bytes = mutateBytes(rng, bytes, () => rng.pick(corpus.keras).bytes, recipe);
    return bytes;
  },

  json(rng, corpus, recipe) {
    const i = rng.int(corpus.configs.length);
    recipe.push(`seed:${corpus.keras[i].name}/config.json`);
    if (rng.chance(0.04)) return rawJsonBomb(rng, recipe);
    const edited = rng.chance(0.9) ? editJson(rng, corpus.configs[i], { payload: () => payloadB64(rng, corpus) }, recipe) : randomJson(rng);
    const wrapped = wrapConfig(rng, edited as FuzzJson, recipe);
    const asText = wrapped !== null && typeof wrapped === 'object' && !Array.isArray(wrapped) && typeof wrapped.text === 'string' && Object.keys(wrapped).length === 1;
    let bytes: Uint8Array = enc.encode(asText ? (wrapped as { text: string }).text : serialize(wrapped as FuzzJson, rng));
    if (rng.chance(0.3)) bytes = mutateBytes(rng, bytes, () => enc.encode(JSON.stringify(rng.pick(corpus.configs))), recipe);
    if (rng.chance(0.03)) {
      recipe.push('wrap:base64-text');
      bytes = enc.encode(Buffer.from(bytes).toString('base64').replace(/(.{76})/g, '$1\n'));
    }
    return bytes;
  },

  marshal(rng, corpus, recipe) {
    let code: Uint8Array;
    const choice = rng.int(100);
    if (choice < 15) {
      recipe.push('marshal:random');
      code = randomMarshal(rng);
    } else {
      code = rng.pick(corpus.marshal);
      recipe.push('seed:golden');
      if (choice < 40) code = mutateMarshal(rng, code, recipe);
      if (choice >= 40 || rng.chance(0.3)) code = mutateBytes(rng, code, () => rng.pick(corpus.marshal), recipe);
    }
    // Keep most inputs looking like a code object so the config walker hands them to the decoder.
    if (code.length > 0 && rng.chance(0.9)) {
      code = code.slice();
      code[0] = rng.chance(0.8) ? 0xe3 : 0x63;
    }
    if (code.length < 16) code = join(code, new Uint8Array(16 - code.length));
    return enc.encode(lambdaConfig(rng, code, recipe));
  },

  pickle(rng, corpus, recipe) {
    const choice = rng.int(100);
    if (choice < 25) {
      recipe.push('pickle:random');
      return randomPickle(rng);
    }
    if (choice < 32) return pickleFlood(rng, recipe);
    const seed = rng.pick(corpus.pickle);
    recipe.push(`seed:${seed.name}`);
    let bytes = seed.bytes;
    if (choice < 50) bytes = mutatePickle(rng, bytes, recipe);
    if (choice >= 50 || rng.chance(0.3)) bytes = mutateBytes(rng, bytes, () => rng.pick(corpus.pickle).bytes, recipe);
    return bytes;
  },

  pb(rng, corpus, recipe) {
    const choice = rng.int(100);
    if (choice < 20) {
      recipe.push('pb:random');
      return randomProtobuf(rng);
    }
    if (choice < 30) return protobufBomb(rng, recipe);
    const seed = rng.pick(corpus.pb);
    recipe.push(`seed:${seed.name}`);
    let bytes = seed.bytes;
    if (choice < 50) bytes = mutateProtobuf(rng, bytes, recipe);
    if (choice >= 50 || rng.chance(0.3)) bytes = mutateBytes(rng, bytes, () => rng.pick(corpus.pb).bytes, recipe);
    return bytes;
  },
};

/** A Keras config carrying the marshal bytes the way Keras 1, 2 or 3 wrote them. */
function lambdaConfig(rng: Rng, code: Uint8Array, recipe: string[]): string {
  const b64 = encodeBase64(code);
  const form = rng.int(4);
  let fn: unknown;
  if (form === 0) {
    recipe.push('carrier:keras3');
    fn = { class_name: '__lambda__', config: { code: b64, defaults: null, closure: null } };
  } else if (form === 1 && code[0] === 0xe3 && code[3] === 0 && code[4] === 0) {
    recipe.push('carrier:raw_unicode_escape');
    fn = [String.fromCharCode(...code), null, null];
  } else {
    recipe.push('carrier:keras2');
    fn = [b64, null, rng.chance(0.2) ? [b64] : null];
  }
  const version = rng.pick(['1.2.2', '2.2.4', '2.15.0', '3.15.1']);
  return JSON.stringify({
    class_name: 'Sequential',
    keras_version: version,
    backend: 'tensorflow',
    config: { name: 'seq', layers: [{ class_name: 'Lambda', config: { name: 'lambda', function: fn, function_type: 'lambda', output_shape: null, arguments: {} } }] },
  });
}

/** Edits the model_config JSON inside an .h5 in place, keeping its byte length (padding or cutting). */
function editH5Config(rng: Rng, corpus: Corpus, bytes: Uint8Array, recipe: string[]): Uint8Array {
  const text = Buffer.from(bytes).toString('latin1');
  const start = text.indexOf('{"class_name"');
  if (start < 0) return bytes;
  let depth = 0;
  let inString = false;
  let end = -1;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      if (--depth === 0) {
        end = i + 1;
        break;
      }
    }
  }
  if (end < 0) return bytes;
  let value: FuzzJson;
  try {
    value = JSON.parse(Buffer.from(bytes.subarray(start, end)).toString('utf8')) as FuzzJson;
  } catch {
    return bytes;
  }
  recipe.push('h5:in-place-config');
  const edited = enc.encode(serialize(editJson(rng, value, { payload: () => payloadB64(rng, corpus) }, recipe) as FuzzJson, rng));
  const out = bytes.slice();
  const room = end - start;
  const fill = edited.length >= room ? edited.subarray(0, room) : join(edited, new Uint8Array(room - edited.length).fill(0x20));
  out.set(fill, start);
  return out;
}

function lieInHeaders(rng: Rng, members: LiteMember[], recipe: string[]): void {
  const m = rng.pick(members);
  const lie = rng.int(4);
  if (lie === 0) m.declaredSize = rng.interestingInt();
  else if (lie === 1) m.declaredCompressedSize = rng.interestingInt();
  else if (lie === 2) m.crc = rng.u32();
  else {
    m.declaredSize = rng.interestingInt();
    m.declaredCompressedSize = rng.interestingInt();
  }
  recipe.push(`zip:lie-${['size', 'csize', 'crc', 'both'][lie]}:${m.name}`);
}

function restructure(rng: Rng, corpus: Corpus, members: LiteMember[], recipe: string[]): void {
  switch (rng.int(6)) {
    case 0: {
      recipe.push('zip:duplicate-member');
      const m = rng.pick(members);
      members.splice(rng.int(members.length + 1), 0, { ...m, data: rng.chance(0.5) ? m.data : enc.encode('{"class_name": 1}') });
      break;
    }
    case 1: {
      const n = rng.pick(sized([100, 2000, 20000], [100, 300]));
      recipe.push(`zip:many-members-${n}`);
      for (let k = 0; k < n; k++) members.push({ name: `assets/${k}`, data: new Uint8Array(0) });
      break;
    }
    case 2: {
      // A member that inflates far beyond what it declares (small deflate bomb: 80 MiB of zeros in ~80 KB).
      recipe.push('zip:inflate-bomb');
      const target = rng.pick(members.filter((m) => /\.(json|h5)$/.test(m.name)).concat(members[0]));
      target.method = 8;
      target.data = new Uint8Array((profile.light ? 4 : 80) * 1024 * 1024);
      target.declaredSize = rng.chance(0.5) ? 1000 : undefined;
      break;
    }
    case 3:
      recipe.push('zip:odd-names');
      members.push(
        { name: '../../etc/passwd', data: enc.encode('x') },
        { name: '/abs/config.json', data: enc.encode('{}') },
        { name: `assets/${'a'.repeat(rng.pick([200, 65535]))}`, data: new Uint8Array(0) },
      );
      break;
    case 4: {
      recipe.push('zip:nested-seed');
      const other = rng.pick([...corpus.h5, ...corpus.pickle, ...corpus.keras]);
      members.push({ name: rng.pick(['model.weights.h5', 'data.pkl', 'archive/data.pkl', 'weights.npz', 'inner.keras']), data: other.bytes });
      break;
    }
    default:
      recipe.push('zip:drop-member');
      members.splice(rng.int(members.length), 1);
  }
}

function rawJsonBomb(rng: Rng, recipe: string[]): Uint8Array {
  const n = rng.pick(sized([255, 256, 257, 10_000, 1_000_000], [255, 256, 257, 10_000]));
  const kind = rng.int(4);
  recipe.push(`json:raw-bomb-${['array', 'object', 'number', 'nan'][kind]}-${n}`);
  if (kind === 0) return enc.encode('['.repeat(n) + ']'.repeat(rng.chance(0.5) ? n : 0));
  if (kind === 1) return enc.encode('{"class_name":"Sequential","config":'.repeat(n) + '{}' + '}'.repeat(n));
  if (kind === 2) return enc.encode(`{"class_name":"Sequential","config":{"layers":[],"x":1${'0'.repeat(n)}}}`);
  return enc.encode(`{"class_name":"Sequential","config":{"layers":[${'NaN,'.repeat(n)}Infinity]}}`);
}
