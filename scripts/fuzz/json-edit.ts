/** Structural edits on parsed Keras configs: replaced/deleted/duplicated nodes, deep nesting, huge strings, NaN tokens. */
import type { Rng } from './prng';
import { sized } from './profile';

type J = null | boolean | number | string | J[] | { [k: string]: J };
type Slot = { parent: J[] | { [k: string]: J }; key: string | number };

/** Marker strings turned into bare Python tokens after serialisation. */
const TOKENS: Record<string, string> = { '"\u0000NaN"': 'NaN', '"\u0000Inf"': 'Infinity', '"\u0000-Inf"': '-Infinity' };

const CLASS_NAMES = [
  'Lambda', 'Sequential', 'Functional', 'Model', 'TimeDistributed', 'Bidirectional', 'RNN', 'StackedRNNCells', 'Dense',
  '__lambda__', '__function__', 'function', 'InputLayer', 'Activation', 'Wrapper',
];
const KEYS = ['class_name', 'config', 'layers', 'layer', 'function', 'function_type', 'module', 'registered_name', 'output_shape', 'arguments', 'cell', 'inbound_nodes', 'name', 'code', 'activation'];

function slots(root: J, limit = 20000): Slot[] {
  const out: Slot[] = [];
  const stack: J[] = [root];
  while (stack.length && out.length < limit) {
    const v = stack.pop()!;
    if (Array.isArray(v)) v.forEach((x, i) => (out.push({ parent: v, key: i }), stack.push(x)));
    else if (v && typeof v === 'object') for (const k of Object.keys(v)) (out.push({ parent: v, key: k }), stack.push(v[k]));
  }
  return out;
}

function get(s: Slot): J {
  return (s.parent as Record<string | number, J>)[s.key];
}
function set(s: Slot, v: J): void {
  (s.parent as Record<string | number, J>)[s.key] = v;
}

export function randomJson(rng: Rng, depth = 0): J {
  switch (rng.int(depth > 3 ? 6 : 9)) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick([0, -1, 1e308, -0, 2 ** 53 + 1, 1.5, rng.int(1000)]);
    case 3:
      return rng.pick(['', 'x', 'lambda', 'os.system', '\u0000NaN', '\u0000Inf', '\u0000-Inf', '\ud800', 'é'.repeat(rng.int(40))]);
    case 4:
      return rng.pick(CLASS_NAMES);
    case 5:
      return '4w' + 'A'.repeat(rng.range(14, 200));
    case 6:
      return Array.from({ length: rng.int(4) }, () => randomJson(rng, depth + 1));
    case 7: {
      const o: Record<string, J> = {};
      for (let i = rng.int(4); i > 0; i--) o[rng.pick(KEYS)] = randomJson(rng, depth + 1);
      return o;
    }
    default:
      return { class_name: rng.pick(CLASS_NAMES), config: { name: 'n', layers: [], function: randomJson(rng, depth + 1) } };
  }
}

function nest(rng: Rng, inner: J, levels: number): J {
  let v = inner;
  const asObject = rng.chance(0.5);
  // Object nesting adds three levels per step (object, config, layers array).
  for (let i = 0; i < (asObject ? Math.ceil(levels / 3) : levels); i++) v = asObject ? { class_name: 'Sequential', config: { layers: [v] } } : [v];
  return v;
}

export interface JsonEditContext {
  /** A code payload (base64 marshal) that may be dropped into the config. */
  payload(): string;
}

/** Applies 1–5 structural edits in place (on a clone) and returns the new value plus recipe names. */
export function editJson(rng: Rng, value: J, ctx: JsonEditContext, recipe: string[]): J {
  let root = structuredClone(value);
  const n = rng.range(1, 5);
  for (let i = 0; i < n; i++) {
    const all = slots(root);
    if (all.length === 0) {
      root = randomJson(rng);
      recipe.push('json:replace-root');
      continue;
    }
    const s = rng.pick(all);
    const op = rng.int(10);
    switch (op) {
      case 0:
        recipe.push('json:replace');
        set(s, randomJson(rng));
        break;
      case 1:
        recipe.push('json:delete');
        if (Array.isArray(s.parent)) s.parent.splice(Number(s.key), 1);
        else delete s.parent[s.key as string];
        break;
      case 2: {
        const levels = rng.pick(sized([64, 255, 256, 257, 1000, 2000], [64, 255, 256, 257, 300]));
        recipe.push(`json:nest-${levels}`);
        set(s, nest(rng, get(s), levels));
        break;
      }
      case 3: {
        const len = rng.pick(sized([70_000, 1_000_000, 4_000_000], [1000, 70_000]));
        recipe.push(`json:huge-string-${len}`);
        set(s, rng.chance(0.5) ? 'A'.repeat(len) : '4w' + 'B'.repeat(len));
        break;
      }
      case 4: {
        const sub = get(s);
        // Shared references serialise in full: keep the text under ~24 MB so generation stays cheap.
        const size = JSON.stringify(sub)?.length ?? 4;
        const times = Math.max(1, Math.min(rng.pick(sized([2, 10, 100, 1000], [2, 5, 10])), Math.floor(24_000_000 / size)));
        recipe.push(`json:duplicate-${times}`);
        const arr: J[] = [];
        for (let k = 0; k < times; k++) arr.push(sub);
        set(s, arr);
        break;
      }
      case 5:
        recipe.push('json:class-name');
        if (s.parent && !Array.isArray(s.parent)) s.parent.class_name = rng.pick(CLASS_NAMES);
        break;
      case 6:
        recipe.push('json:payload');
        set(s, rng.chance(0.5) ? ctx.payload() : [ctx.payload(), rng.chance(0.5) ? null : [1, 'x'], rng.chance(0.5) ? null : [ctx.payload()]]);
        break;
      case 7:
        recipe.push('json:type-swap');
        set(s, rng.pick<J>([[], {}, '', 0, null, true, [get(s)], { config: get(s) }]));
        break;
      case 8:
        recipe.push('json:non-finite');
        set(s, rng.pick(['\u0000NaN', '\u0000Inf', '\u0000-Inf']));
        break;
      default:
        recipe.push('json:rename-key');
        if (!Array.isArray(s.parent)) {
          const v = get(s);
          delete s.parent[s.key as string];
          s.parent[rng.pick(KEYS)] = v;
        }
    }
  }
  return root;
}

/** JSON text with the NaN/Infinity markers turned into Python's bare tokens. Shared, repeated subtrees are fine. */
export function serialize(value: J, rng: Rng): string {
  // Indented output grows with depth × values (deep nesting × duplication made a 2 GB string): count it.
  const indent = rng.chance(0.3);
  if (estimateSize(value, MAX_GENERATED_CHARS, indent) > MAX_GENERATED_CHARS) throw new Error('generated JSON over the generator budget');
  let text = JSON.stringify(value, null, indent ? 1 : undefined) ?? 'null';
  for (const [marker, token] of Object.entries(TOKENS)) text = text.split(JSON.stringify(marker.slice(1, -1))).join(token);
  return text;
}

/** Inputs above this are a waste of generation time: every reader limit sits well below it. */
const MAX_GENERATED_CHARS = 72_000_000;

/** Rough serialised size (shared subtrees counted each time), stopping once past `cap`. */
function estimateSize(root: J, cap: number, indent = false): number {
  let size = 0;
  const stack: [J, number][] = [[root, 0]];
  while (stack.length && size <= cap) {
    const [v, depth] = stack.pop()!;
    if (indent) size += depth + 1;
    if (typeof v === 'string') size += v.length + 2;
    else if (Array.isArray(v)) {
      size += 2 + v.length;
      for (const x of v) stack.push([x, depth + 1]);
    } else if (v && typeof v === 'object') for (const k of Object.keys(v)) (size += k.length + 4), stack.push([v[k], depth + 1]);
    else size += 5;
  }
  return size;
}

/** Wrappers under which a Keras config reaches the JSON reader. */
export function wrapConfig(rng: Rng, value: J, recipe: string[]): J | { text: string } {
  switch (rng.int(6)) {
    case 0:
      recipe.push('wrap:tfjs');
      return { format: 'layers-model', generatedBy: 'keras', modelTopology: { keras_version: '2.15.0', backend: 'tensorflow', model_config: value } };
    case 1:
      recipe.push('wrap:list');
      return value && typeof value === 'object' && !Array.isArray(value) && value.config && typeof value.config === 'object' && !Array.isArray(value.config)
        ? ((value.config as Record<string, J>).layers ?? [])
        : value;
    case 2:
      recipe.push('wrap:string');
      return { text: JSON.stringify(serialize(value, rng)) };
    default:
      return value;
  }
}

export type { J as FuzzJson };
