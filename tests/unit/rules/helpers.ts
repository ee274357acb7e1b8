/**
 * Test helpers for the rule tables: real containers around configs built from THREATS.md shapes — JSON text,
 * a tiny stored-zip writer (with CRC-32, unix modes for symlinks), HDF5 files written by h5wasm, protobuf via
 * tests/fixtures/savedmodel/encode.ts — and the real payloads of the Keras 3.15.1 fixtures.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MemorySource, type ByteSource } from '../../../src/core/io/byte-source';
import { openZip } from '../../../src/core/formats/zip';
import type { FileReport, Finding } from '../../../src/core/report';
import { scanFolder, scanSource } from '../../../src/core/scan';
import { mountHdf5Node } from '../../../src/node/hdf5-mount';
import { crc32 } from '../../../scripts/fuzz/zip-lite';

export const FIXTURES = path.join(__dirname, '../../fixtures');
export const CORPUS = path.resolve(__dirname, '../../../../shared/corpus/files');
export const fixtureBytes = (name: string) => new Uint8Array(readFileSync(path.join(FIXTURES, name)));
const enc = new TextEncoder();

export const scanBytes = (bytes: Uint8Array, name = 'input'): Promise<FileReport> =>
  scanSource(new MemorySource(bytes, name), { mountHdf5: mountHdf5Node });

export const scanFiles = (files: Record<string, Uint8Array>, name = 'folder'): Promise<FileReport> =>
  scanFolder(new Map<string, ByteSource>(Object.entries(files).map(([k, v]) => [k, new MemorySource(v, k)])), name, { mountHdf5: mountHdf5Node });

export const scanJson = (value: unknown): Promise<FileReport> => scanBytes(enc.encode(JSON.stringify(value)), 'model.json');

export const byRule = (r: FileReport, rule: string): Finding[] => r.findings.filter((f) => f.rule === rule);

// ---------------------------------------------------------------- payloads

/** `lambda x: x * 2` marshalled by CPython 3.11, as Keras' func_dump wrote it (THREATS.md §A.1). */
export const BENIGN_CODE_B64 =
  '4wEAAAAAAAAAAAAAAAIAAAADAAAA8wwAAACXAHwAZAF6BQAAUwCpAk7pAgAAAKkAKQHaAXhzAQAA\nACD6DnRyYWluX21vZGVsLnB5+gg8bGFtYmRhPnIHAAAACAAAAPMKAAAAgACIYZAhiWWAAPMAAAAA\n';

/** The os.system payload of the real Keras 3.15.1 save mal_os_system.keras (read from its config.json). */
export async function maliciousCodeB64(): Promise<string> {
  const zip = await openZip(new MemorySource(fixtureBytes('mal_os_system.keras')));
  try {
    const config = JSON.parse(new TextDecoder().decode(await zip.read('config.json')));
    const layer = config.config.layers.find((l: { class_name: string }) => l.class_name === 'Lambda');
    return layer.config.function.config.code as string;
  } finally {
    await zip.close();
  }
}

// ---------------------------------------------------------------- Keras config shapes

export const k3Lambda = (code: string) => ({ class_name: '__lambda__', config: { code, defaults: null, closure: null } });

export const k3Layer = (className: string, name: string, config: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  module: 'keras.layers',
  class_name: className,
  config: { name, trainable: true, ...config },
  registered_name: null,
  name,
  inbound_nodes: [],
  ...extra,
});

export const k3Functional = (name: string, layers: unknown[], extra: Record<string, unknown> = {}) => ({
  module: 'keras',
  class_name: 'Functional',
  config: { name, trainable: true, layers, input_layers: [], output_layers: [] },
  registered_name: 'Functional',
  name,
  ...extra,
});

/** tf.keras / tf_keras legacy layer (no module), as in `.h5` model_config. */
export const tkLayer = (className: string, name: string, config: Record<string, unknown> = {}) => ({
  class_name: className,
  config: { name, trainable: true, dtype: 'float32', ...config },
  name,
  inbound_nodes: [],
});

export const tkModel = (name: string, layers: unknown[]) => ({
  class_name: 'Functional',
  config: { name, layers, input_layers: [], output_layers: [] },
});

export const tkLambda = (name: string, code: string, extra: Record<string, unknown> = {}) =>
  tkLayer('Lambda', name, {
    function: [code, null, null],
    function_type: 'lambda',
    module: '__main__',
    output_shape: null,
    output_shape_type: 'raw',
    output_shape_module: null,
    arguments: {},
    ...extra,
  });

// ---------------------------------------------------------------- containers

export interface ZipEntry {
  name: string;
  data: Uint8Array | string;
  /** Unix symbolic link (mode 0o120777); data is the link target. */
  symlink?: boolean;
  /** Compress with raw deflate (method 8) instead of storing. */
  deflate?: boolean;
}

/** A zip (stored, or raw-deflated per entry), written byte by byte per APPNOTE 4.3. */
export function makeZip(entries: ZipEntry[]): Uint8Array {
  const locals: number[] = [];
  const central: number[] = [];
  const u16 = (a: number[], v: number) => a.push(v & 0xff, (v >>> 8) & 0xff);
  const u32 = (a: number[], v: number) => a.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  for (const e of entries) {
    const raw = typeof e.data === 'string' ? enc.encode(e.data) : e.data;
    const data = e.deflate ? new Uint8Array(deflateRawSync(raw)) : raw;
    const method = e.deflate ? 8 : 0;
    const name = enc.encode(e.name);
    const crc = crc32(raw);
    const offset = locals.length;
    u32(locals, 0x04034b50);
    u16(locals, 20);
    u16(locals, 0x0800); // UTF-8 names
    u16(locals, method);
    u16(locals, 0);
    u16(locals, 0x21);
    u32(locals, crc);
    u32(locals, data.length);
    u32(locals, raw.length);
    u16(locals, name.length);
    u16(locals, 0);
    locals.push(...name, ...data);
    u32(central, 0x02014b50);
    u16(central, (3 << 8) | 20); // made by unix
    u16(central, 20);
    u16(central, 0x0800);
    u16(central, method);
    u16(central, 0);
    u16(central, 0x21);
    u32(central, crc);
    u32(central, data.length);
    u32(central, raw.length);
    u16(central, name.length);
    u16(central, 0);
    u16(central, 0);
    u16(central, 0);
    u16(central, 0);
    u32(central, ((e.symlink ? 0o120777 : 0o100644) << 16) >>> 0);
    u32(central, offset);
    central.push(...name);
  }
  const end: number[] = [];
  u32(end, 0x06054b50);
  u16(end, 0);
  u16(end, 0);
  u16(end, entries.length);
  u16(end, entries.length);
  u32(end, central.length);
  u32(end, locals.length);
  u16(end, 0);
  return Uint8Array.from([...locals, ...central, ...end]);
}

/** A `.keras` archive around a config (metadata.json says Keras `kerasVersion`). */
export function makeKeras(config: unknown, extra: ZipEntry[] = [], kerasVersion = '3.15.1'): Uint8Array {
  return makeZip([
    { name: 'metadata.json', data: JSON.stringify({ keras_version: kerasVersion, date_saved: '2026-01-01@00:00:00' }) },
    { name: 'config.json', data: JSON.stringify(config) },
    ...extra,
  ]);
}

type H5Module = typeof import('h5wasm/node');
let h5: Promise<H5Module['default']> | undefined;
async function h5wasm(): Promise<H5Module['default']> {
  h5 ??= import('h5wasm/node').then(async (m) => {
    await m.default.ready;
    return m.default;
  });
  return h5;
}

export interface H5Spec {
  attrs?: Record<string, string>;
  /** Adds links under /model_weights. */
  softLink?: string;
  externalLink?: { file: string; target: string };
}

/** An HDF5 file written by the real HDF5 library (h5wasm), returned as bytes. */
export async function makeH5(spec: H5Spec): Promise<Uint8Array> {
  const lib = await h5wasm();
  const dir = mkdtempSync(path.join(tmpdir(), 'lambdalens-rules-'));
  const file = path.join(dir, 'model.h5');
  try {
    const f = new lib.File(file, 'w');
    for (const [k, v] of Object.entries(spec.attrs ?? {})) f.create_attribute(k, v);
    const g = f.create_group('model_weights') as InstanceType<typeof lib.Group>;
    g.create_dataset({ name: 'kernel', data: new Float32Array([1, 2, 3, 4]) });
    if (spec.softLink) g.create_soft_link(spec.softLink, 'soft');
    if (spec.externalLink) g.create_external_link(spec.externalLink.file, spec.externalLink.target, 'ext');
    f.close();
    return new Uint8Array(readFileSync(file));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A legacy Keras `.h5` model: model_config (+ training_config) root attributes. */
export const makeKerasH5 = (modelConfig: unknown, trainingConfig?: unknown, kerasVersion = '2.15.0') =>
  makeH5({
    attrs: {
      model_config: JSON.stringify(modelConfig),
      ...(trainingConfig ? { training_config: JSON.stringify(trainingConfig) } : {}),
      keras_version: kerasVersion,
      backend: 'tensorflow',
    },
  });
