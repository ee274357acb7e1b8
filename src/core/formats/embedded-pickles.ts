/**
 * Pickles carried inside config values: Keras 3 `TorchModuleWrapper.config.module` is base64 of
 * `torch.save(module)` (a PyTorch zip or a legacy torch stream), loaded with `torch.load(weights_only=False)`
 * (CVE-2025-49655, R-TORCHWRAP). Decoded and scanned statically; never unpickled.
 */
import { MemorySource } from '../io/byte-source';
import type { ConfigObject, EmbeddedPickle } from '../keras/model';
import { decodeBase64Loosely } from '../keras/payload-bytes';
import { joinPointer } from '../json/parse';
import { scanPickle } from '../pickle/scan';
import { hasLegacyTorchMagic, isTorchPickleMember, scanLegacyTorchStream } from '../pickle/torch-pickles';
import { ZIP_MAGIC, openZip } from './zip';

const MAX_BLOB_CHARS = 512 * 1024 * 1024;
const MAX_MEMBER_BYTES = 256 * 1024 * 1024;

export interface BlobFact {
  pointer: string;
  document: string;
  layer?: string;
  /** What the decoded bytes are: `torch-zip`, `torch-legacy`, `pickle`, `not-base64`, `unreadable`. */
  kind: string;
  bytes: number;
  members?: string[];
  error?: string;
}

function isZip(bytes: Uint8Array): boolean {
  return ZIP_MAGIC.every((b, i) => bytes[i] === b);
}

/** Decodes and scans every TorchModuleWrapper `config.module` blob. */
export async function scanTorchModuleBlobs(objects: readonly ConfigObject[]): Promise<{ pickles: EmbeddedPickle[]; blobs: BlobFact[] }> {
  const pickles: EmbeddedPickle[] = [];
  const blobs: BlobFact[] = [];
  for (const o of objects) {
    if (o.value.class_name !== 'TorchModuleWrapper') continue;
    const config = o.value.config;
    if (typeof config !== 'object' || config === null || Array.isArray(config)) continue;
    const text = config.module;
    if (typeof text !== 'string' || text.length > MAX_BLOB_CHARS) continue;
    const pointer = joinPointer(joinPointer(o.pointer, 'config'), 'module');
    const base = { pointer, document: o.document, layer: o.layer };
    // Keras decodes it with base64.b64decode, which skips characters outside the alphabet: so do we.
    const bytes = decodeBase64Loosely(text);
    if (!bytes || bytes.length === 0) {
      blobs.push({ ...base, kind: 'not-base64', bytes: text.length });
      continue;
    }
    const at = (container: string, scan: EmbeddedPickle['scan'], member?: string): EmbeddedPickle => ({
      document: o.document,
      location: pointer,
      container: member ? `${container}:${member}` : container,
      offset: 0,
      scan,
      layer: o.layer,
    });
    if (isZip(bytes)) {
      try {
        const zip = await openZip(new MemorySource(bytes, 'config.module'));
        try {
          const members = zip.members.map((m) => m.name);
          blobs.push({ ...base, kind: 'torch-zip', bytes: bytes.length, members });
          for (const m of zip.members) {
            if (m.directory || !isTorchPickleMember(m.name)) continue;
            pickles.push(at('torch-module-wrapper', scanPickle(await zip.read(m.name, MAX_MEMBER_BYTES)), m.name));
          }
        } finally {
          await zip.close();
        }
      } catch (e) {
        blobs.push({ ...base, kind: 'unreadable', bytes: bytes.length, error: e instanceof Error ? e.message : String(e) });
      }
    } else if (hasLegacyTorchMagic(bytes)) {
      blobs.push({ ...base, kind: 'torch-legacy', bytes: bytes.length });
      pickles.push(at('torch-module-wrapper', scanLegacyTorchStream(bytes)));
    } else {
      blobs.push({ ...base, kind: 'pickle', bytes: bytes.length });
      pickles.push(at('torch-module-wrapper', scanPickle(bytes)));
    }
  }
  return { pickles, blobs };
}
