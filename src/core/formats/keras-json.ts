/**
 * Keras model JSON: `model.to_json()` (Keras 1/2/3), the Keras 1/2.0 Sequential list form, a file whose
 * content is a JSON *string* holding the model JSON (seen in the wild), and TF.js `model.json`
 * (`modelTopology`).
 */
import type { ByteSource } from '../io/byte-source';
import { isObject, parseJson, JsonError, type Json } from '../json/parse';
import type { ConfigDocument, OpenedModel } from '../keras/model';
import { FormatError, decodeUtf8, type FormatContext, type FormatModule, type Probe } from './format';

const MAX_TEXT_BYTES = 64 * 1024 * 1024;
const MAX_STRING_WRAPPING = 3;

export function firstTextByte(head: Uint8Array): number {
  let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09)) i++;
  return i < head.length ? head[i] : -1;
}

export async function readText(source: ByteSource): Promise<string> {
  if (source.size > MAX_TEXT_BYTES) throw new FormatError('limit', `text file of ${source.size} bytes is over the ${MAX_TEXT_BYTES}-byte limit`);
  return decodeUtf8(await source.read(0, source.size)).replace(/^\uFEFF/, '');
}

function str(v: Json | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export const kerasJson: FormatModule<true> = {
  container: 'json',
  produces: [],
  async detect(_source: ByteSource, probe: Probe) {
    const c = firstTextByte(probe.head);
    return c === 0x7b /* { */ || c === 0x5b /* [ */ || c === 0x22 /* " */ ? true : null;
  },
  async open(source: ByteSource, _detected: true, ctx: FormatContext): Promise<OpenedModel> {
    ctx.progress('parsing JSON');
    let value: Json;
    let wrapping = 0;
    try {
      value = parseJson(await readText(source));
      while (typeof value === 'string' && wrapping < MAX_STRING_WRAPPING) {
        value = parseJson(value);
        wrapping++;
      }
    } catch (e) {
      if (e instanceof JsonError) throw new FormatError('damaged', e.message, { offset: e.offset });
      throw e;
    }
    const wrapNote = wrapping ? `, double-encoded (a JSON string holding the model JSON${wrapping > 1 ? ` ×${wrapping}` : ''})` : '';
    const writer: Record<string, string> = {};
    const documents: ConfigDocument[] = [];
    let format: OpenedModel['format'] = 'keras-json';
    let detail = 'Keras model JSON';

    if (Array.isArray(value)) {
      // Keras 1 / 2.0 Sequential saved as a bare list of layers.
      value = { class_name: 'Sequential', config: value };
      detail = 'Keras Sequential JSON (list form)';
    }
    if (!isObject(value)) throw new FormatError('unrecognised', 'not a recognised model format: JSON that is not an object');
    if (isObject(value.modelTopology)) {
      format = 'tfjs-json';
      const topo = value.modelTopology;
      const model = isObject(topo.model_config) ? topo.model_config : topo;
      for (const k of ['keras_version', 'backend']) if (str(topo[k]) ?? str(model[k])) writer[k] = (str(topo[k]) ?? str(model[k]))!;
      for (const k of ['format', 'generatedBy', 'convertedBy']) if (str(value[k])) writer[k] = str(value[k])!;
      documents.push({ name: 'modelTopology', value: model, role: 'model' });
      if (isObject(topo.training_config)) documents.push({ name: 'training_config', value: topo.training_config, role: 'training' });
      detail = 'TensorFlow.js model.json (Keras layers format)';
    } else if (typeof value.class_name === 'string') {
      for (const k of ['keras_version', 'backend']) if (str(value[k])) writer[k] = str(value[k])!;
      if (typeof value.module === 'string') detail = 'Keras 3 config JSON';
      documents.push({ name: 'model_config', value, role: 'model' });
    } else {
      throw new FormatError('unrecognised', 'not a recognised model format: a JSON object without class_name or modelTopology');
    }
    return {
      format,
      formatDetail: detail + wrapNote,
      documents,
      meta: { kerasVersion: writer.keras_version, backend: writer.backend, writer },
      containerFacts: [],
      skipped: [],
    };
  },
};
