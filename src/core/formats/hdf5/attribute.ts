/**
 * HDF5 attribute messages (§IV.A.2.m) with just enough of their datatype (§IV.A.2.d) and dataspace
 * (§IV.A.2.b) to find every variable-length element in the stored value: each is a sequence length and a
 * global heap ID (collection address, object index) that the HDF5 library follows when the value is read.
 */
import { Hdf5Unparsed, align8, uint } from './raw';
import type { Superblock } from './superblock';

/** Where a variable-length element sits inside one value of a datatype, and the size of its base element. */
interface VlenSlot {
  offset: number;
  unit: number;
}

interface TypeLayout {
  size: number;
  /** Bytes this datatype description occupies (to step over compound members). */
  consumed: number;
  vlens: VlenSlot[];
}

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

const MAX_TYPE_DEPTH = 16;
const MAX_SLOTS = 100_000;

/** The name of an attribute message (readable even when its datatype is not modelled here). */
export function attributeName(data: Uint8Array): string {
  const { nameAt, nameSize } = layout(data);
  return new TextDecoder('utf-8', { fatal: false }).decode(data.subarray(nameAt, nameAt + nameSize)).replace(/\0+$/, '');
}

function layout(data: Uint8Array): { nameAt: number; nameSize: number; pad: (n: number) => number } {
  const version = uint(data, 0, 1);
  const nameSize = uint(data, 2, 2);
  if (nameSize > data.length) throw new Hdf5Unparsed(`attribute name of ${nameSize} bytes`);
  if (version === 1) return { nameAt: 8, nameSize, pad: align8 };
  if (version === 2 || version === 3) return { nameAt: version === 3 ? 9 : 8, nameSize, pad: (n) => n }; // version 3 adds the name's character set
  throw new Hdf5Unparsed(`attribute message version ${version}`);
}

export function parseAttribute(data: Uint8Array, sb: Superblock): AttributeValue {
  const version = uint(data, 0, 1);
  const flags = uint(data, 1, 1);
  const typeSize = uint(data, 4, 2);
  const spaceSize = uint(data, 6, 2);
  const { nameAt, nameSize, pad } = layout(data);
  if (version > 1 && flags & 0x03) throw new Hdf5Unparsed('shared datatype or dataspace');
  const name = attributeName(data);
  let p = nameAt + pad(nameSize);
  const type = typeLayout(data.subarray(p, p + typeSize), 0, 0);
  p += pad(typeSize);
  const count = elementCount(data.subarray(p, p + spaceSize), sb);
  p += pad(spaceSize);
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

function typeLayout(b: Uint8Array, at: number, depth: number): TypeLayout {
  if (depth > MAX_TYPE_DEPTH) throw new Hdf5Unparsed('datatype nested too deeply');
  const cls = uint(b, at, 1) & 0x0f;
  const version = uint(b, at, 1) >> 4;
  const bits = uint(b, at + 1, 3);
  const size = uint(b, at + 4, 4);
  let p = at + 8;
  const vlens: VlenSlot[] = [];
  switch (cls) {
    case 0: // fixed-point: bit offset, precision
    case 4: // bitfield
      p += 4;
      break;
    case 1: // floating point
      p += 12;
      break;
    case 2: // time
      p += 2;
      break;
    case 3: // fixed-length string
      break;
    case 5: // opaque: a tag whose padded length is in the class bits
      p += bits & 0xff;
      break;
    case 7: // reference (object / region); version 4 references are not modelled
      if (version >= 4) throw new Hdf5Unparsed('reference datatype version 4');
      break;
    case 6: {
      // compound: members, each a name, a byte offset and a datatype
      const members = bits & 0xffff;
      for (let m = 0; m < members; m++) {
        const nameEnd = b.indexOf(0, p);
        if (nameEnd < 0) throw new Hdf5Unparsed('compound member name without terminator');
        p = version < 3 ? p + align8(nameEnd - p + 1) : nameEnd + 1;
        let offset: number;
        if (version < 3) {
          offset = uint(b, p, 4);
          p += 4;
          if (version === 1) p += 28; // dimensionality, reserved, permutation, reserved, four dimension sizes
        } else {
          const width = size < 0x100 ? 1 : size < 0x10000 ? 2 : size < 0x1000000 ? 3 : 4;
          offset = uint(b, p, width);
          p += width;
        }
        const member = typeLayout(b, p, depth + 1);
        p += member.consumed;
        for (const v of member.vlens) vlens.push({ offset: offset + v.offset, unit: v.unit });
      }
      break;
    }
    case 8: {
      // enumeration: base type, names, values (no variable-length parts in a valid file)
      const base = typeLayout(b, p, depth + 1);
      p += base.consumed;
      const members = bits & 0xffff;
      for (let m = 0; m < members; m++) {
        const nameEnd = b.indexOf(0, p);
        if (nameEnd < 0) throw new Hdf5Unparsed('enumeration name without terminator');
        p = version < 3 ? p + align8(nameEnd - p + 1) : nameEnd + 1;
      }
      p += members * base.size;
      break;
    }
    case 9: {
      // variable-length sequence or string: stored as a length and a global heap ID
      const base = typeLayout(b, p, depth + 1);
      p += base.consumed;
      vlens.push({ offset: 0, unit: base.size });
      break;
    }
    case 10: {
      // array: dimensions (and, in version 2, a permutation) then the element type
      const rank = uint(b, p, 1);
      p += version < 3 ? 4 : 1;
      let elements = 1;
      for (let d = 0; d < rank; d++) elements *= uint(b, p + 4 * d, 4);
      p += 4 * rank * (version < 3 ? 2 : 1);
      const base = typeLayout(b, p, depth + 1);
      p += base.consumed;
      if (base.vlens.length > 0) {
        if (elements * base.vlens.length > MAX_SLOTS) throw new Hdf5Unparsed('array of too many variable-length parts');
        for (let e = 0; e < elements; e++) for (const v of base.vlens) vlens.push({ offset: e * base.size + v.offset, unit: v.unit });
      }
      break;
    }
    default:
      throw new Hdf5Unparsed(`datatype class ${cls}`);
  }
  if (p > b.length) throw new Hdf5Unparsed('datatype runs past its message');
  return { size, consumed: p - at, vlens };
}

/** Number of values: 1 for a scalar, 0 for a null dataspace, the product of the dimensions otherwise. */
function elementCount(b: Uint8Array, sb: Superblock): number {
  const version = uint(b, 0, 1);
  const rank = uint(b, 1, 1);
  let p: number;
  if (version === 1) {
    p = 8;
  } else if (version === 2) {
    const kind = uint(b, 3, 1);
    if (kind === 2) return 0;
    p = 4;
  } else {
    throw new Hdf5Unparsed(`dataspace version ${version}`);
  }
  let count = 1;
  for (let d = 0; d < rank; d++) count *= uint(b, p + d * sb.lengthSize, sb.lengthSize);
  return count;
}
