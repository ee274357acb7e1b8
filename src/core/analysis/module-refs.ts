/**
 * The "module trick" shared by R-K3-MODULE and R-TK-MODULE: a serialized object whose `module` names a Python
 * module the loader imports (`importlib.import_module(module)`, then `vars(mod)[name]`), CVE-2025-1550 in
 * Keras 3.0–3.8 and still open in tf_keras (CVE-2025-1550, tf-keras PR #910).
 */
import { isObject } from '../json/parse';
import type { ConfigObject } from '../keras/model';
import type { Severity } from '../report';
import {
  BUILTIN_GADGETS,
  DANGEROUS_MODULE_ROOTS,
  KERAS_BUILTIN_NAMES,
  at,
  clip,
  enclosingLambdaConfig,
  functionRef,
  inboundCallArgs,
  layerEntryOf,
  moduleRoot,
  pathsAndUrls,
  str,
} from './config-facts';
import type { Detection } from './rule';

export interface ModuleHit {
  object: ConfigObject;
  module?: string;
  className: string;
  severity: Severity;
  /** Short reason for the title. */
  reason: string;
  /**
   * A Functional layers[] entry that is itself a function is a layer of its own (named by its `name`), not part
   * of the enclosing model: findings are reported at `<model>/<name>`.
   */
  entryLayer?: string;
}

const FUNCTIONAL_LAYER_ENTRY = /\/layers\/\d+$/;

/** Keras-internal function modules that are normal in saves (`keras.src.ops…`, `keras.src.activations…`). */
const KERAS_SRC_SAFE = /^keras\.src\.(ops|activations|losses|metrics|initializers|regularizers|constraints|backend)(\.|$)/;

export function moduleHits(objects: readonly ConfigObject[], allowedRoot: (module: string) => boolean, kerasSrcGadgets: boolean): ModuleHit[] {
  const hits: ModuleHit[] = [];
  for (const o of objects) {
    const v = o.value;
    const className = str(v.class_name);
    if (className === undefined) continue;
    const module = str(v.module);
    const ref = functionRef(v);
    // CVE-2025-1550: a Functional layers[] entry that is a function is called with inbound args during load.
    if (className === 'function' && FUNCTIONAL_LAYER_ENTRY.test(o.pointer)) {
      hits.push({
        object: o,
        module,
        className,
        severity: 'critical',
        reason: `a Functional layer entry that is the function ${module ? `${module}.` : ''}${str(v.config) ?? '?'}`,
        // the walker lists the entry as a layer of its own (unique path, drawn in the graph)
        ...(o.layer ? { entryLayer: o.layer } : {}),
      });
      continue;
    }
    if (module === undefined) continue;
    const root = moduleRoot(module);
    if (DANGEROUS_MODULE_ROOTS.has(root)) {
      // Keras 3 writes any named Python function as `builtins.<name>`; only real builtins that run code matter
      // (a user function's name resolves to nothing there: R-CUSTOM reports it as context).
      if ((root === 'builtins' || root === '__builtin__') && ref && !BUILTIN_GADGETS.has(ref.name)) continue;
      hits.push({ object: o, module, className, severity: 'critical', reason: `imports ${module}${ref ? ` and resolves ${ref.name}` : `.${className}`}` });
      continue;
    }
    if (allowedRoot(module)) {
      if (kerasSrcGadgets && module.startsWith('keras.src') && ref && !KERAS_SRC_SAFE.test(module) && !KERAS_BUILTIN_NAMES.has(ref.name)) {
        hits.push({ object: o, module, className, severity: 'high', reason: `resolves the Keras-internal function ${module}.${ref.name}` });
      }
      continue;
    }
    const registered = str(v.registered_name);
    if (registered && registered.includes('>') && !ref) continue; // a registered custom object: R-CUSTOM
    hits.push({
      object: o,
      module,
      className,
      severity: ref ? 'high' : 'medium',
      reason: ref ? `calls ${module}.${ref.name}` : `imports the module ${module} (runs its import-time code if installed)`,
    });
  }
  return hits;
}

/** The values that make a module hit a finding: module, name, the Lambda's arguments, inbound args, paths. */
export function moduleEvidence(hit: ModuleHit, objects: readonly ConfigObject[]): Record<string, unknown> {
  const v = hit.object.value;
  const lambda = enclosingLambdaConfig(hit.object);
  const entry = layerEntryOf(hit.object, objects);
  const args = lambda?.arguments;
  const inbound = inboundCallArgs(entry);
  return {
    module: hit.module,
    className: hit.className,
    name: typeof v.config === 'string' ? v.config : undefined,
    registeredName: str(v.registered_name),
    key: hit.object.key,
    layerClass: hit.object.layerClass,
    arguments: isObject(args) && Object.keys(args).length > 0 ? args : undefined,
    inboundArgs: inbound.length > 0 ? inbound : undefined,
    paths: pathsAndUrls([args ?? null, ...inbound]).map((p) => clip(p, 300)),
  };
}

export function moduleDetection(hit: ModuleHit, objects: readonly ConfigObject[], title: string): Detection {
  return { title, severity: hit.severity, ...at(hit.object), ...(hit.entryLayer ? { layer: hit.entryLayer } : {}), evidence: moduleEvidence(hit, objects) };
}
