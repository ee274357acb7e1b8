/**
 * Keras YAML configs (`model.to_yaml()`, TF < 2.6). `model_from_yaml` used `yaml.unsafe_load`, so any
 * `!!python/…` tag builds Python objects or calls functions while parsing (CVE-2021-37678, R-YAML).
 * Only the tags are read here (line by line); the YAML is not interpreted and no layer tree is built.
 */
import type { ByteSource } from '../io/byte-source';
import type { ConfigDocument, ContainerFact, OpenedModel } from '../keras/model';
import type { Json } from '../json/parse';
import { fact } from './facts';
import { decodeUtf8, type FormatContext, type FormatModule, type Probe } from './format';
import { firstTextByte, readText } from './keras-json';

const KEY_LINE = /^(class_name|keras_version|backend|config)\s*:/m;
const PYTHON_TAG = /!!python\/[A-Za-z_/]+(?::[^\s,\]}]*)?/g;
/**
 * Tags that import or call (PyYAML constructors `python/object*`, `python/name`, `python/module`). Data tags such
 * as `!!python/tuple` appear in every Keras YAML (tuples in layer configs) and build nothing but the value.
 */
const CALLING_TAG = /^!!python\/(object|name|module)/;
/** A quoted scalar that starts like base64 marshal code (Lambda bytecode written by to_yaml). */
const CODE_SCALAR = /(['"])((?:4w|Yw)[A-Za-z0-9+/=\s\\n]{12,}?)\1/g;
const MAX_TAGS = 200;

function isText(head: Uint8Array): boolean {
  for (let i = 0; i < head.length; i++) if (head[i] === 0) return false;
  return true;
}

export const kerasYaml: FormatModule<true> = {
  container: 'yaml',
  produces: ['yaml-python-tag'],
  async detect(_source: ByteSource, probe: Probe) {
    const c = firstTextByte(probe.head);
    if (c === 0x7b || c === 0x5b || c === 0x22 || c < 0 || !isText(probe.head)) return null;
    const text = decodeUtf8(probe.head);
    return KEY_LINE.test(text) || text.includes('!!python/') ? true : null;
  },
  async open(source: ByteSource, _detected: true, ctx: FormatContext): Promise<OpenedModel> {
    ctx.progress('reading YAML tags');
    const text = await readText(source);
    const facts: ContainerFact[] = [];
    let truncated = false;
    const lines = text.split(/\r?\n/);
    const writer: Record<string, string> = {};
    lines.forEach((line, i) => {
      for (const m of line.matchAll(PYTHON_TAG)) {
        // Data tags (`!!python/tuple`) build nothing but the value: only calling tags are facts.
        if (!CALLING_TAG.test(m[0])) continue;
        if (facts.length >= MAX_TAGS) {
          truncated = true;
          return;
        }
        facts.push(fact('yaml-python-tag', `line ${i + 1}`, { tag: m[0], line: i + 1, text: line.trim().slice(0, 300) }));
      }
      const kv = /^(keras_version|backend)\s*:\s*['"]?([^'"\s]+)/.exec(line);
      if (kv) writer[kv[1]] = kv[2];
    });
    const classes = [...text.matchAll(/^\s*-?\s*class_name\s*:\s*['"]?([\w.]+)/gm)].map((m) => m[1]);
    // Lambda bytecode is not interpreted as YAML; its quoted scalars are handed to the walker keyed by line.
    const byLine: Record<string, Json> = {};
    for (const m of text.matchAll(CODE_SCALAR)) {
      const line = text.slice(0, m.index).split('\n').length;
      byLine[String(line)] = m[2].replace(/\\n/g, '').replace(/\\/g, '').replace(/\s+/g, '');
    }
    const documents: ConfigDocument[] = Object.keys(byLine).length ? [{ name: 'yaml', value: { line: byLine }, role: 'training' }] : [];
    return {
      format: 'yaml',
      formatDetail: `Keras YAML config (model_from_yaml, TF < 2.6)${classes.length ? `; ${classes.length} class_name entries` : ''}`,
      documents,
      meta: { kerasVersion: writer.keras_version, backend: writer.backend, writer },
      containerFacts: facts,
      // More tags than listed: the first ones are findings already, so the rest cannot change the verdict.
      skipped: [],
      ...(truncated ? { notes: [`Only the first ${MAX_TAGS} Python tags are listed.`] } : {}),
    };
  },
};
