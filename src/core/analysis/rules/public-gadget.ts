import { isObject } from '../../json/parse';
import { KERAS_BUILTIN_NAMES, at, clip, enclosingLambdaConfig, functionRef, inboundCallArgs, layerEntryOf, pathsAndUrls } from '../config-facts';
import type { Detection, Rule } from '../rule';

/** Public API areas a Lambda may name without concern (tensor math only). */
const ALLOWED = /^(keras(\.src)?\.(ops|activations|backend|random|losses|metrics)|tf\.math|tensorflow\.math|tf_keras\.(activations|backend)|tf_keras\.src\.(activations|backend))(\.|$)/;
/** Known file writers reachable as Lambda functions (PoC on Keras 3.14.1 under safe_mode=True). */
const FILE_WRITERS = /(^|\.)(plot_image_gallery|plot_segmentation_mask_gallery|plot_bounding_box_gallery|plot_model|plot_\w+|model_to_dot|savefig|write_file|save\w*)$/;
/** Handled by R-K3-LOADERS / R-K3-UNSAFE-TOGGLE. */
const OTHER_RULES = /(^|\.)(get_file|load_model|load_weights|model_from_json|model_from_yaml|model_from_config|deserialize_keras_object|register_keras_serializable|save_model|save_weights|save|load_img|save_img|array_to_img|\w+_dataset_from_directory|clear_session|enable_unsafe_deserialization|set_global_attribute|SafeModeScope)$/;

/**
 * R-PUBLIC-GADGET: a Lambda `function` that is a named Keras/TF function outside the tensor-math allowlist. Keras
 * 3 (HEAD included) only deny-lists a few APIs; the rest run with attacker `arguments` (open at keras 3422977a5e).
 */
export const publicGadget: Rule = {
  id: 'R-PUBLIC-GADGET',
  title: 'Lambda calls a public Keras function outside tensor math',
  kind: 'loader-gadget',
  severity: 'high',
  effect: 'file-write',
  references: ['keras.visualization.plot_image_gallery writes to `path` (keras 3422977a5e, no CVE)'],
  loaders: [
    { loader: 'Keras 3', versions: 'all, incl. 3.15.1', when: 'default', note: 'safe_mode=True does not stop public API functions that are not on the deny-list' },
    { loader: 'tf_keras', versions: 'all', when: 'default' },
  ],
  explanation:
    'The Lambda names a public Keras function instead of bytecode, and Keras calls it with the layer input and the Lambda’s `arguments` while building the model. Functions such as keras.visualization.plot_image_gallery or keras.utils.plot_model write files to a path the file chooses, and safe_mode does not block them.',
  detect({ walked }) {
    const out: Detection[] = [];
    for (const o of walked.objects) {
      if (o.key !== 'function' || o.layerClass !== 'Lambda') continue;
      const ref = functionRef(o.value);
      if (!ref || !ref.module) continue;
      const full = `${ref.module}.${ref.name}`;
      if (!/^(keras|tf_keras|tensorflow|tf)(\.|$)/.test(ref.module)) continue; // other modules: R-K3-MODULE / R-TK-MODULE
      if (ALLOWED.test(ref.module) || KERAS_BUILTIN_NAMES.has(ref.name) || OTHER_RULES.test(full)) continue;
      const lambda = enclosingLambdaConfig(o);
      const args = lambda?.arguments;
      const inbound = inboundCallArgs(layerEntryOf(o, walked.objects));
      const writer = FILE_WRITERS.test(full);
      out.push({
        title: `Lambda calls ${full}${writer ? ' (writes a file)' : ''}`,
        severity: writer ? 'high' : 'medium',
        evidence: {
          module: ref.module,
          name: ref.name,
          effect: writer ? 'file-write' : 'code',
          arguments: isObject(args) ? args : undefined,
          inboundArgs: inbound.length ? inbound : undefined,
          paths: pathsAndUrls([isObject(args) ? args : null, ...inbound]).map((p) => clip(p, 300)),
        },
        ...at(o),
      });
    }
    return out;
  },
};
