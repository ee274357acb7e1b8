/**
 * The root group's attribute values read by our own parser, without the HDF5 library: used when the file is not
 * on this machine (an HTTP range source). h5wasm can only open a path (Node) or a synchronously readable file
 * (the worker), so over HTTP it would need the whole file or a synchronous request per block; this reader needs
 * only what the pre-check (preflight.ts) has just read — the root object header, the dense attribute heap when
 * there is one, and the global heap collection holding `model_config` — so through the source's block cache it
 * costs no extra requests.
 *
 * What Keras writes is modelled: scalar (or one-element) fixed- and variable-length strings, and numeric
 * scalars. Any other value is reported as "not text" (as h5wasm's arrays are), and an attribute whose value cannot
 * be read is listed with the reason, so that the caller can refuse to call a file without a readable
 * `model_config` clean. Must run after preflightRootAttributes: it relies on the heap checks made there.
 */
import type { ByteSource } from '../../io/byte-source';
import { attributeLayout, attributeName } from './attribute';
import { readDenseAttributeMessages } from './dense-attributes';
import { readCollection } from './global-heap';
import { MESSAGE, MESSAGE_SHARED, readHeaderMessages } from './object-header';
import { Hdf5Unparsed, Hdf5Unsupported, isUndefinedAddress, uint } from './raw';
import { readSuperblock, type Superblock } from './superblock';

export interface RootAttributes {
  /** Attribute name → its value as text (numbers as decimal); undefined for values that are not one string or number. */
  text: Map<string, string | undefined>;
  /** Attributes found whose value could not be read, with why. */
  unreadable: Map<string, string>;
  /** Attribute messages whose name could not be read either (shared, in a heap this parser does not read): why. */
  unnamed: string[];
  /** Later messages with a name already seen (only a crafted file has them), in file order. */
  repeated: { name: string; text: string | undefined }[];
}

/** Keras's configs are JSON text; the caller's own limit (characters) is the same. */
const MAX_VALUE_BYTES = 64 * 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: false });

export async function readRootAttributes(source: ByteSource, superblockAt: number): Promise<RootAttributes> {
  const sb = await readSuperblock(source, superblockAt);
  const messages: Uint8Array[] = [];
  const out: RootAttributes = { text: new Map(), unreadable: new Map(), unnamed: [], repeated: [] };
  for (const m of await readHeaderMessages(source, sb, sb.rootHeader)) {
    if (m.type === MESSAGE.attribute) {
      if (m.flags & MESSAGE_SHARED) out.unnamed.push('shared attribute message');
      else messages.push(m.data);
    } else if (m.type === MESSAGE.attributeInfo) {
      try {
        const dense = await readDenseAttributeMessages(source, sb, m.data);
        if (dense) {
          messages.push(...dense.messages);
          out.unnamed.push(...dense.skipped);
        }
      } catch (e) {
        if (!(e instanceof Hdf5Unparsed)) throw e;
        out.unnamed.push(`dense attribute storage: ${e.message}`);
      }
    }
  }
  for (const data of messages) {
    let name: string;
    try {
      name = attributeName(data);
    } catch (e) {
      if (!(e instanceof Hdf5Unparsed)) throw e;
      out.unnamed.push(e.message);
      continue;
    }
    // HDF5 never writes two attributes of one name; in a crafted file the library returns the first message
    // (h5py does, tests/fixtures/crafted/root_attr_duplicate_name.h5), and the later ones are kept apart.
    const repeated = out.text.has(name) || out.unreadable.has(name);
    try {
      const text = await attributeText(source, sb, data);
      if (repeated) out.repeated.push({ name, text });
      else out.text.set(name, text);
    } catch (e) {
      if (!(e instanceof Hdf5Unparsed)) throw e;
      if (repeated) out.unnamed.push(`a second attribute named ${JSON.stringify(name.slice(0, 80))}: ${e.message}`);
      else out.unreadable.set(name, e.message);
    }
  }
  return out;
}

/** One attribute's value as h5wasm + attributeText (keras-h5.ts) would give it, or undefined when it is not text or a number. */
async function attributeText(source: ByteSource, sb: Superblock, data: Uint8Array): Promise<string | undefined> {
  const { type, count, typeAt, valueAt } = attributeLayout(data, sb);
  // h5wasm gives arrays for several values, and attributeText only reads a single one.
  if (count !== 1) return undefined;
  const cls = uint(data, typeAt, 1) & 0x0f;
  const bits = uint(data, typeAt + 1, 3);
  switch (cls) {
    case 3: // fixed-length string: padding in bits 0-3 (0 null-terminated, 1 null-padded, 2 space-padded)
      return unpad(decode(field(data, valueAt, type.size)), bits & 0x0f);
    case 9: {
      if ((bits & 0x0f) !== 1) return undefined; // a sequence of numbers, not a string
      const length = uint(data, valueAt, 4);
      const collection = uint(data, valueAt + 4, sb.offsetSize);
      const index = uint(data, valueAt + 4 + sb.offsetSize, 4);
      if (length === 0 || collection === 0 || isUndefinedAddress(collection, sb.offsetSize)) return '';
      if (length > MAX_VALUE_BYTES) throw new Hdf5Unsupported(`a string of ${length} bytes`);
      const heap = await readCollection(source, sb, sb.base + collection);
      const object = heap?.objects.get(index);
      if (!object || object.size < length) throw new Hdf5Unparsed(`its heap object ${index} is missing or short`);
      const bytes = await source.read(object.at, length);
      if (bytes.length < length) throw new Hdf5Unparsed('its heap object runs past the end of the file');
      // The library hands variable-length strings over as C strings: whatever the padding, they end at the first NUL.
      return unpad(decode(bytes), 0);
    }
    case 0: {
      // fixed-point: bit 0 byte order, bit 3 signed
      const bytes = field(data, valueAt, type.size);
      if (type.size > 8 || type.size === 0) return undefined;
      let v = 0n;
      for (let i = 0; i < type.size; i++) v = (v << 8n) | BigInt(bytes[bits & 0x01 ? i : type.size - 1 - i]);
      if (bits & 0x08 && v >= 1n << BigInt(type.size * 8 - 1)) v -= 1n << BigInt(type.size * 8);
      return v.toString();
    }
    case 1: {
      // floating point, IEEE single or double; bit 0 byte order
      if (type.size !== 4 && type.size !== 8) return undefined;
      const view = new DataView(field(data, valueAt, type.size).slice().buffer);
      const little = !(bits & 0x01);
      return String(type.size === 4 ? view.getFloat32(0, little) : view.getFloat64(0, little));
    }
    default:
      return undefined;
  }
}

function field(data: Uint8Array, at: number, size: number): Uint8Array {
  if (at + size > data.length) throw new Hdf5Unparsed(`value of ${size} bytes runs past its attribute message`);
  return data.subarray(at, at + size);
}

function decode(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

function unpad(text: string, padding: number): string {
  if (padding === 0) {
    const nul = text.indexOf('\0');
    return nul >= 0 ? text.slice(0, nul) : text;
  }
  return padding === 2 ? text.replace(/ +$/, '') : text.replace(/\0+$/, '');
}
