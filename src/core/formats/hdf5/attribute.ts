/**
 * HDF5 attribute messages (§IV.A.2.m) with just enough of their datatype (§IV.A.2.d) and dataspace
 * (§IV.A.2.b) to find every variable-length element in the stored value: each is a sequence length and a
 * global heap ID (collection address, object index) that the HDF5 library follows when the value is read.
 */
import { parseDataspace, elementCount } from './dataspace';
import { parseDatatype, type Datatype } from './datatype';
import { Hdf5Unparsed, Hdf5Unsupported, align8, uint } from './raw';
import type { Superblock } from './superblock';

export interface HeapReference {
  attribute: string;
  /** Relative collection address as stored (0 = no data). */
  collection: number;
  index: number;
  /** Bytes the library expects: sequence length × base element size. */
  bytes: number;
}

export interface AttributeValue {
  name: string;
  references: HeapReference[];
}

const MAX_SLOTS = 100_000;

/** The name of an attribute message (readable even when its datatype is not modelled here). */
export function attributeName(data: Uint8Array): string {
  const { nameAt, nameSize } = layout(data);
  // As the library reads it: the size counts a terminating NUL, which it drops unread, and the name is a C
  // string (it ends at the first NUL).
  const text = new TextDecoder('utf-8', { fatal: false }).decode(data.subarray(nameAt, nameAt + Math.max(0, nameSize - 1)));
  const nul = text.indexOf('\0');
  return nul >= 0 ? text.slice(0, nul) : text;
}

function layout(data: Uint8Array): { nameAt: number; nameSize: number; pad: (n: number) => number } {
  const version = uint(data, 0, 1);
  const nameSize = uint(data, 2, 2);
  if (nameSize > data.length) throw new Hdf5Unparsed(`attribute name of ${nameSize} bytes`);
  if (version === 1) return { nameAt: 8, nameSize, pad: align8 };
  if (version === 2 || version === 3) return { nameAt: version === 3 ? 9 : 8, nameSize, pad: (n) => n }; // version 3 adds the name's character set
  throw new Hdf5Unparsed(`attribute message version ${version}`);
}

/** Where an attribute message's parts are: its datatype, how many values, and where the stored values start. */
export interface AttributeLayout {
  name: string;
  type: Datatype;
  /** Values in the dataspace (1 for a scalar, 0 for a null dataspace). */
  count: number;
  /** Offset of the datatype description in the message data (string padding and character set are in its class bits). */
  typeAt: number;
  /** Offset of the first value in the message data. */
  valueAt: number;
}

export function attributeLayout(data: Uint8Array, sb: Superblock): AttributeLayout {
  const version = uint(data, 0, 1);
  const flags = uint(data, 1, 1);
  const typeSize = uint(data, 4, 2);
  const spaceSize = uint(data, 6, 2);
  const { nameAt, nameSize, pad } = layout(data);
  if (version > 1 && flags & 0x03) throw new Hdf5Unsupported('shared datatype or dataspace');
  const name = attributeName(data);
  let p = nameAt + pad(nameSize);
  const typeAt = p;
  const type = parseDatatype(data.subarray(p, p + typeSize));
  p += pad(typeSize);
  const count = elementCount(parseDataspace(data.subarray(p, p + spaceSize), sb));
  p += pad(spaceSize);
  return { name, type, count, typeAt, valueAt: p };
}

export function parseAttribute(data: Uint8Array, sb: Superblock): AttributeValue {
  const { name, type, count, valueAt: p } = attributeLayout(data, sb);
  if (type.unmodelled !== undefined) throw new Hdf5Unsupported(type.unmodelled);
  const references: HeapReference[] = [];
  if (type.vlens.length === 0) return { name, references };
  if (count * type.vlens.length > MAX_SLOTS) throw new Hdf5Unparsed(`${count} values with variable-length parts`);
  for (let e = 0; e < count; e++) {
    for (const slot of type.vlens) {
      const at = p + e * type.size + slot.offset;
      const length = uint(data, at, 4);
      const collection = uint(data, at + 4, sb.offsetSize);
      const index = uint(data, at + 4 + sb.offsetSize, 4);
      references.push({ attribute: name, collection, index, bytes: length * slot.unit });
    }
  }
  return { name, references };
}
