/**
 * Shared readings of config objects for the rules: which loader family reads the file, serialized function
 * references (`{"module","class_name":"function","config":name}`), the arguments a Lambda passes, the
 * strings that look like paths or URLs. Pure functions over the walked model.
 */
import { isObject, joinPointer, type Json, type JsonObject } from '../json/parse';
import type { ConfigObject } from '../keras/model';
import type { RuleModel } from './rule';
import type { Detection } from './rule';

/** The writer says Keras 1/2 (tf.keras / tf_keras). Attacker-controlled: used to pick wording, never severity. */
export function writtenByKeras2(opened: RuleModel): boolean {
  return /^[12]\./.test(opened.meta.kerasVersion ?? '');
}

export function str(v: Json | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function clip(text: string, max = 120): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A reference to a named Python function, as Keras serializes it. */
export interface FunctionRef {
  module?: string;
  name: string;
  registeredName?: string;
  /** Which shape: `function` (class_name "function"), `named` (class_name is the function), `string` (Lambda function_type "function"). */
  form: 'function' | 'named' | 'string';
}

/** `{"class_name":"function","config":"relu","module":…}` or `{"module":"keras.utils","class_name":"get_file"}`. */
export function functionRef(obj: JsonObject): FunctionRef | undefined {
  const className = str(obj.class_name);
  if (className === undefined) return undefined;
  const module = str(obj.module);
  const registeredName = str(obj.registered_name);
  if (className === 'function' && typeof obj.config === 'string') return { module, name: obj.config, registeredName, form: 'function' };
  // HackTricks / io-no shape: the function's own name in class_name, with a module (snake_case = a function, not a class).
  if (module !== undefined && /^[a-z_][a-z0-9_]*$/.test(className) && !isObject(obj.config)) return { module, name: className, registeredName, form: 'named' };
  return undefined;
}

/** The enclosing Lambda config when `o` sits directly in one of its slots (`function`, `output_shape`, `mask`). */
export function enclosingLambdaConfig(o: ConfigObject): JsonObject | undefined {
  const parent = o.parent;
  if (!parent || Array.isArray(parent) || typeof o.key !== 'string') return undefined;
  if (o.layerClass !== 'Lambda' && !('function' in parent && 'arguments' in parent)) return undefined;
  return parent;
}

/** Strings that look like file paths or URLs, anywhere in `value` (bounded). */
export function pathsAndUrls(value: Json | undefined, out: string[] = [], limit = 20): string[] {
  if (out.length >= limit || value === undefined || value === null) return out;
  if (typeof value === 'string') {
    if (looksLikePathOrUrl(value)) out.push(clip(value, 300));
  } else if (Array.isArray(value)) for (const v of value) pathsAndUrls(v, out, limit);
  else if (isObject(value)) for (const v of Object.values(value)) pathsAndUrls(v, out, limit);
  return out;
}

export function looksLikePathOrUrl(s: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(s) || /^(\/|~\/|\.\.?\/|[A-Za-z]:[\\/]|\\\\)/.test(s) || /[\\/][^\\/\s]+\.[A-Za-z0-9]{1,5}$/.test(s);
}

/** `gs://`, `s3://`, `http(s)://` … : the loader would go to the network. */
export function remoteScheme(s: string): string | undefined {
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(s);
  return m && m[1].toLowerCase() !== 'file' ? m[1].toLowerCase() : undefined;
}

/** `inbound_nodes[].kwargs` / `args` of the layer entry that holds `o` (Keras 3 Functional can pass `inputs` there). */
export function inboundCallArgs(layerEntry: JsonObject | undefined): Json[] {
  const nodes = layerEntry?.inbound_nodes;
  if (!Array.isArray(nodes)) return [];
  const out: Json[] = [];
  for (const n of nodes) if (isObject(n)) for (const k of ['args', 'kwargs']) if (n[k] !== undefined) out.push(n[k]);
  return out.slice(0, 8);
}

/** The layer entry object (with `inbound_nodes`) that encloses `o`, found among the walked objects. */
export function layerEntryOf(o: ConfigObject, objects: readonly ConfigObject[]): JsonObject | undefined {
  if (o.isLayer || Array.isArray(o.value.inbound_nodes)) return o.value;
  if (!o.layer) return undefined;
  // The enclosing layer object is the nearest earlier layer object of the same document whose pointer prefixes ours.
  for (let i = objects.indexOf(o) - 1; i >= 0; i--) {
    const c = objects[i];
    if (c.document === o.document && c.isLayer && o.pointer.startsWith(c.pointer + '/')) return c.value;
  }
  return undefined;
}

/** Finding fields that say where an object sits. */
export function at(o: ConfigObject, pointer = o.pointer): Pick<Detection, 'document' | 'location' | 'layer' | 'slot'> {
  const slot = typeof o.key === 'string' ? o.key : undefined;
  return { document: o.document, location: pointer, layer: o.layer, slot };
}

export function child(pointer: string, ...keys: (string | number)[]): string {
  return keys.reduce<string>((p, k) => joinPointer(p, k), pointer);
}

/**
 * Functions Keras itself serializes by name (activations, losses, metrics, initializers, regularizers):
 * a reference to one of these under `builtins` / `keras.src.*` is what a normal save writes.
 */
export const KERAS_BUILTIN_NAMES: ReadonlySet<string> = new Set(
  (
    'relu relu6 leaky_relu elu selu celu gelu glu silu swish mish sigmoid hard_sigmoid hard_silu hard_swish log_sigmoid sparse_sigmoid ' +
    'softmax log_softmax softplus softsign sparse_plus sparsemax squareplus tanh tanh_shrink hard_tanh hard_shrink soft_shrink threshold ' +
    'exponential linear deserialize get serialize ' +
    'mse mae mape msle mean_squared_error mean_absolute_error mean_absolute_percentage_error mean_squared_logarithmic_error ' +
    'binary_crossentropy categorical_crossentropy sparse_categorical_crossentropy binary_focal_crossentropy categorical_focal_crossentropy ' +
    'hinge squared_hinge categorical_hinge kld kl_divergence kullback_leibler_divergence poisson cosine_similarity log_cosh logcosh huber ctc dice tversky circle ' +
    'accuracy acc binary_accuracy categorical_accuracy sparse_categorical_accuracy top_k_categorical_accuracy sparse_top_k_categorical_accuracy ' +
    'binary_iou iou precision recall auc r2_score ' +
    'glorot_uniform glorot_normal he_uniform he_normal lecun_uniform lecun_normal orthogonal zeros ones constant identity random_normal random_uniform truncated_normal variance_scaling ' +
    'l1 l2 l1_l2 orthogonal_regularizer'
  ).split(/\s+/),
);

/** Python builtins that run code, import, touch files or reach into interpreter state when called. */
export const BUILTIN_GADGETS: ReadonlySet<string> = new Set(
  'eval exec compile open __import__ getattr setattr delattr globals locals vars input breakpoint exit quit help memoryview apply execfile file reload'.split(' '),
);

/** Other Python builtins (harmless when called on a tensor); a name outside both lists is a user function. */
export const PYTHON_BUILTINS: ReadonlySet<string> = new Set(
  'abs all any ascii bin bool bytearray bytes callable chr classmethod complex dict dir divmod enumerate filter float format frozenset hasattr hash hex id int isinstance issubclass iter len list map max min next object oct ord pow print property range repr reversed round set slice sorted staticmethod str sum super tuple type zip'.split(' '),
);

/** Roots of modules whose import or functions run commands, code, files or network at once. */
export const DANGEROUS_MODULE_ROOTS: ReadonlySet<string> = new Set(
  (
    'os posix nt sys subprocess builtins __builtin__ importlib runpy pty shutil socket ctypes pickle _pickle marshal code codeop ' +
    'commands pdb bdb profile cProfile timeit pydoc webbrowser urllib urllib2 http httplib requests aiohttp asyncio multiprocessing ' +
    'threading tempfile glob io pathlib zipfile tarfile platform signal ssl ftplib smtplib telnetlib xmlrpc pip setuptools venv ensurepip ' +
    'dill cloudpickle joblib shelve functools operator types inspect gc ctypes'
  ).split(/\s+/),
);

export function moduleRoot(module: string): string {
  return module.split('.')[0];
}
