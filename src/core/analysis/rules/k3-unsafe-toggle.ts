import { isObject, joinPointer, type Json } from '../../json/parse';
import { at, clip, enclosingLambdaConfig, inboundCallArgs, layerEntryOf } from '../config-facts';
import type { Detection, Rule } from '../rule';

/** Names that switch Keras safe mode off when called or referenced from a config (CVE-2025-9906). */
const TOGGLES = ['enable_unsafe_deserialization', 'set_global_attribute', 'SafeModeScope', 'safe_mode_saving'];
const TOGGLE_TEXT = new RegExp(`(^|[^A-Za-z0-9_])(${TOGGLES.join('|')})([^A-Za-z0-9_]|$)`);

/**
 * R-K3-UNSAFE-TOGGLE: a config that references a safe-mode switch, or passes `safe_mode: false` as an argument
 * (io-no PoC: `set_global_attribute` with `{"value": false}` and `inputs: "safe_mode_saving"`, then a Lambda).
 */
export const k3UnsafeToggle: Rule = {
  id: 'R-K3-UNSAFE-TOGGLE',
  title: 'Config switches Keras safe mode off',
  kind: 'unsafe-toggle',
  severity: 'critical',
  effect: 'code',
  references: ['CVE-2025-9906', 'GHSA-36fq-jgmw-4r9c'],
  loaders: [
    { loader: 'Keras 3', versions: '< 3.11.0', when: 'default', note: 'fixed in 3.11.0 (deny-list, keras.src functions no longer resolvable)' },
    { loader: 'tf_keras', versions: 'all', when: 'default', note: 'a load_model(safe_mode=False) reference still opens later Lambdas' },
  ],
  explanation:
    'The config calls a function that turns Keras safe mode off (enable_unsafe_deserialization, set_global_attribute("safe_mode_saving", False), SafeModeScope) or loads another model with safe_mode=False. Any Lambda bytecode that follows in the same load then runs even though the caller kept the default safe_mode=True.',
  detect({ walked }) {
    const out: Detection[] = [];
    for (const o of walked.objects) {
      const hits: { key: string; value: Json }[] = [];
      for (const [k, v] of Object.entries(o.value)) {
        if (typeof v === 'string' && TOGGLE_TEXT.test(v)) hits.push({ key: k, value: v });
        else if (k === 'safe_mode' && v === false) hits.push({ key: k, value: v });
      }
      if (hits.length === 0) continue;
      const lambda = enclosingLambdaConfig(o);
      const entry = layerEntryOf(o, walked.objects);
      const first = hits[0];
      out.push({
        title: first.key === 'safe_mode' ? 'Config passes safe_mode=False' : `Config references ${clip(String(first.value), 60)}`,
        ...at(o, joinPointer(o.pointer, first.key)),
        evidence: {
          values: Object.fromEntries(hits.map((h) => [h.key, h.value])),
          module: typeof o.value.module === 'string' ? o.value.module : undefined,
          className: o.value.class_name,
          arguments: isObject(lambda?.arguments) ? lambda!.arguments : undefined,
          inboundArgs: inboundCallArgs(entry),
          layerClass: o.layerClass,
        },
      });
    }
    return out;
  },
};
