/**
 * The one path from code carriers to findings. Every carrier the walker found becomes a finding, whatever the
 * file's label: the family only picks which rule's loader table (and severity) applies. A test walks every
 * fixture and checks that each carrier is a finding.
 */
import type { Family } from '../formats/registry';
import type { CodeCarrier } from '../keras/model';
import { encodeBase64 } from '../keras/payload-bytes';
import type { PayloadDecoding } from '../python/types';
import type { Detection, RuleContext } from './rule';

/** The bytecode rule whose loader table applies to each family (the strictest one where none is specific). */
export const BYTECODE_RULE: Record<Family, string> = {
  h5: 'R-H5-LAMBDA',
  'keras-zip': 'R-K3-LAMBDA',
  json: 'R-K3-LAMBDA',
  savedmodel: 'R-SM-LAMBDA',
  yaml: 'R-YAML',
  pickle: 'R-H5-LAMBDA',
  other: 'R-H5-LAMBDA',
};

const SHAPE_NAMES: Record<CodeCarrier['shape'], string> = {
  'keras3-lambda': 'Keras 3 __lambda__ object',
  'keras3-lambda-value': 'Keras 3 __lambda__ value list',
  'value-list': 'Keras 3 {value: [code, defaults, closure]}',
  tuple: 'keras_metadata __tuple__ [code, defaults, closure]',
  list: '[code, defaults, closure] list (Keras 1.1 – tf_keras)',
  'bare-string': 'bare marshal string (Keras 1.0)',
};

function clip(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** "runs os.system('echo hi') when the model is loaded" when the decoding says so; else a neutral title. */
export function payloadTitle(carrier: CodeCarrier, decoded: PayloadDecoding): string {
  const where = carrier.layer ? `layer ${carrier.layer}` : carrier.document;
  const slot = carrier.slot ? ` (${carrier.slot})` : '';
  const top = decoded.indicators[0];
  if (top) return `Python bytecode in ${where}${slot} ${clip(top.title, 90)}`;
  if (!decoded.ok) return `Undecodable Python bytecode in ${where}${slot}`;
  return `Python bytecode in ${where}${slot}`;
}

export function payloadDetection(carrier: CodeCarrier, decoded: PayloadDecoding): Detection {
  return {
    title: payloadTitle(carrier, decoded),
    document: carrier.document,
    location: carrier.pointer,
    layer: carrier.layer,
    slot: carrier.slot,
    evidence: {
      layerClass: carrier.layerClass,
      carrier: SHAPE_NAMES[carrier.shape],
      declaredType: carrier.declaredType,
      module: carrier.module,
      arguments: carrier.arguments,
      names: decoded.names.slice(0, 50),
      strings: decoded.strings.slice(0, 20).map((s) => clip(s, 200)),
      pythonVersions: decoded.pythonVersions.map((v) => v.version),
    },
    payload: {
      encoding: carrier.encoding,
      carrier: carrier.shape,
      sha256: carrier.sha256,
      size: carrier.bytes.length,
      defaults: carrier.defaults,
      closure: carrier.closure,
      decoded,
      base64: encodeBase64(carrier.bytes),
    },
  };
}

/** Code in a document no loader reads as a config (a renamed model_config): reported, but not as running on load. */
const UNREAD: Pick<Detection, 'severity' | 'loaders' | 'explanation'> = {
  severity: 'medium',
  loaders: [{ loader: 'no Keras loader', versions: 'reads it', when: 'option', note: 'a custom loader that reads this value by its name' }],
  explanation:
    'This Python bytecode sits in a JSON value the Keras loaders do not read as a model config (a renamed model_config attribute, a zip entry hidden behind a later one of the same name). A plain load does not run it, but the file carries code: whatever reads that value with func_load or a custom loader would run it.',
};

/**
 * The carriers of this file as detections of rule `ruleId`, when that rule's table applies to the family (else
 * none: another bytecode rule reports them). A SavedModel repeats each layer in the root node and in the layer's
 * own node: one finding per distinct payload and slot there, the other places listed in `evidence.alsoIn`.
 */
export function carrierDetections(ctx: Pick<RuleContext, 'family' | 'walked' | 'decoded' | 'opened'>, ruleId: string): Detection[] {
  if (BYTECODE_RULE[ctx.family] !== ruleId) return [];
  const unread = new Set(ctx.opened.documents.filter((d) => d.role === 'unread').map((d) => d.name));
  const merge = ctx.family === 'savedmodel';
  const out: Detection[] = [];
  const first = new Map<string, Detection>();
  for (const c of ctx.walked.carriers) {
    const key = `${c.sha256}:${c.slot ?? ''}`;
    const earlier = merge ? first.get(key) : undefined;
    if (earlier) {
      (earlier.evidence.alsoIn as string[]).push(`${c.document}${c.pointer}`);
      continue;
    }
    const d = payloadDetection(c, ctx.decoded.get(c)!);
    if (unread.has(c.document)) Object.assign(d, UNREAD);
    if (merge) {
      d.evidence.alsoIn = [];
      first.set(key, d);
    }
    out.push(d);
  }
  return out;
}
