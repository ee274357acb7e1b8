import { isObject } from '../../json/parse';
import type { LoaderImpact } from '../../report';
import { at, clip, enclosingLambdaConfig, functionRef, inboundCallArgs, layerEntryOf, pathsAndUrls, str } from '../config-facts';
import type { Detection, Rule } from '../rule';

/** Keras 3.15 `NON_MODELING_APIS` loaders/savers (keras-team/keras saving/serialization_lib.py); the first two download or load models. */
const CRITICAL = new Set(['get_file', 'load_model']);
const LOADING = new Set([
  'get_file',
  'load_model',
  'load_weights',
  'model_from_json',
  'model_from_yaml',
  'model_from_config',
  'deserialize_keras_object',
  'register_keras_serializable',
  'save_model',
  'save_weights',
  'save',
  'load_img',
  'save_img',
  'array_to_img',
  'image_dataset_from_directory',
  'text_dataset_from_directory',
  'audio_dataset_from_directory',
  'clear_session',
]);

const FIXED_8747: LoaderImpact[] = [
  { loader: 'Keras 3', versions: '3.0.0 – 3.10.x', when: 'default', note: 'CVE-2025-8747; fixed in 3.11.0 (LOADING_APIS deny-list)' },
  { loader: 'tf_keras', versions: 'all', when: 'default', note: 'Lambda function references are resolved by module (tf-keras PR #910)' },
  { loader: 'Keras 3', versions: '≥ 3.11.0', when: 'fixed' },
];
const FIXED_LATER: LoaderImpact[] = [
  { loader: 'Keras 3', versions: '< 3.15.0 (3.12.3 on the 3.12 line)', when: 'default', note: 'NON_MODELING_APIS deny-list extended in 3.15.0 / 3.12.3' },
  { loader: 'tf_keras', versions: 'all', when: 'default' },
  { loader: 'Keras 3', versions: '≥ 3.15.0', when: 'fixed' },
];

/**
 * R-K3-LOADERS: a function reference (Lambda `function`, a layer entry, any serialized function) to a Keras API
 * that downloads, loads or saves files (`get_file`, `load_model` …), with the arguments it would get.
 */
export const k3Loaders: Rule = {
  id: 'R-K3-LOADERS',
  title: 'Config calls a Keras file-loading or saving API',
  kind: 'loader-gadget',
  severity: 'high',
  effect: 'code',
  references: ['CVE-2025-8747', 'GHSA-c9rc-mg46-23w3'],
  loaders: FIXED_LATER,
  explanation:
    'A Lambda (or a Functional layer entry) names a public Keras function instead of code. Keras calls it with the layer input and the Lambda’s `arguments` while the model is built: get_file downloads any URL to a chosen path, load_model loads a second model (which can carry safe_mode=False and a Lambda), the savers write files.',
  detect({ walked }) {
    const out: Detection[] = [];
    for (const o of walked.objects) {
      const ref = functionRef(o.value);
      let name = ref?.name;
      let module = ref?.module;
      let location = o.pointer;
      // tf.keras Lambda with function_type "function" and the name as a plain string.
      if (!ref && o.layerClass === 'Lambda' && o.value.function_type === 'function' && typeof o.value.function === 'string') {
        name = o.value.function;
        module = str(o.value.module);
        location = `${o.pointer}/function`;
      }
      if (!name || !LOADING.has(name.split('.').pop()!)) continue;
      const short = name.split('.').pop()!;
      const lambda = ref ? enclosingLambdaConfig(o) : o.value;
      const args = lambda?.arguments;
      const inbound = inboundCallArgs(layerEntryOf(o, walked.objects));
      const critical = CRITICAL.has(short);
      out.push({
        title: `Config calls ${module ? `${module}.` : ''}${name}${critical ? (short === 'get_file' ? ' (downloads a file)' : ' (loads another model)') : ''}`,
        severity: critical ? 'critical' : 'high',
        loaders: critical || short === 'model_from_json' || short === 'deserialize_keras_object' ? FIXED_8747 : FIXED_LATER,
        ...at(o, location),
        evidence: {
          module,
          name,
          arguments: isObject(args) ? args : undefined,
          inboundArgs: inbound.length ? inbound : undefined,
          urlsAndPaths: pathsAndUrls([isObject(args) ? args : null, ...inbound]).map((p) => clip(p, 300)),
          layerClass: o.layerClass,
        },
      });
    }
    return out;
  },
};
