/**
 * The Datatype message (File Format Specification §IV.A.2.d), as attributes and datasets carry it: its size, a
 * short readable name ("float32", ">int64", "|S10", "vlen str", "compound", …) and where variable-length
 * elements sit inside one value (each is a sequence length and a global heap ID the library follows).
 */
import { Hdf5Unparsed, align8, uint } from './raw';

/** Where a variable-length element sits inside one value of a datatype, and the size of its base element. */
export interface VlenSlot {
  offset: number;
  unit: number;
}

export interface Datatype {
  /** Bytes of one value. */
  size: number;
  /** numpy-like, short: float32, >int64 (big-endian), uint8, |S10, |V4, vlen str, vlen int32, enum uint8, compound, array, reference, time, bitfield8. */
  name: string;
  /** Bytes this datatype description occupies (to step over compound members). */
  consumed: number;
  vlens: VlenSlot[];
  /** Set when the values hold references this parser cannot follow (version 4 references): why. */
  unmodelled?: string;
}

const MAX_TYPE_DEPTH = 16;
const MAX_SLOTS = 100_000;

export function parseDatatype(b: Uint8Array, at = 0, depth = 0): Datatype {
  if (depth > MAX_TYPE_DEPTH) throw new Hdf5Unparsed('datatype nested too deeply');
  const cls = uint(b, at, 1) & 0x0f;
  const version = uint(b, at, 1) >> 4;
  const bits = uint(b, at + 1, 3);
  const size = uint(b, at + 4, 4);
  let p = at + 8;
  const vlens: VlenSlot[] = [];
  let name: string;
  let unmodelled: string | undefined;
  const bigEndian = bits & 0x01 ? '>' : '';
  switch (cls) {
    case 0: // fixed-point: bit offset, precision
      p += 4;
      name = `${bigEndian}${bits & 0x08 ? 'int' : 'uint'}${size * 8}`;
      break;
    case 4: // bitfield
      p += 4;
      name = `bitfield${size * 8}`;
      break;
    case 1: // floating point: bit offset, precision, exponent and mantissa locations and sizes, bias
      p += 12;
      name = `${bigEndian}float${size * 8}`;
      break;
    case 2: // time
      p += 2;
      name = 'time';
      break;
    case 3: // fixed-length string
      name = `|S${size}`;
      break;
    case 5: // opaque: a tag whose padded length is in the class bits
      p += bits & 0xff;
      name = `|V${size}`;
      break;
    case 7: // reference (object / region); version 4 references live in the global heap and are not modelled
      if (version >= 4) unmodelled = 'reference datatype version 4';
      name = 'reference';
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
        const member = parseDatatype(b, p, depth + 1);
        p += member.consumed;
        unmodelled ??= member.unmodelled;
        for (const v of member.vlens) vlens.push({ offset: offset + v.offset, unit: v.unit });
      }
      name = 'compound';
      break;
    }
    case 8: {
      // enumeration: base type, names, values (no variable-length parts in a valid file)
      const base = parseDatatype(b, p, depth + 1);
      p += base.consumed;
      const members = bits & 0xffff;
      for (let m = 0; m < members; m++) {
        const nameEnd = b.indexOf(0, p);
        if (nameEnd < 0) throw new Hdf5Unparsed('enumeration name without terminator');
        p = version < 3 ? p + align8(nameEnd - p + 1) : nameEnd + 1;
      }
      p += members * base.size;
      name = `enum ${base.name}`;
      break;
    }
    case 9: {
      // variable-length sequence or string: stored as a length and a global heap ID
      const base = parseDatatype(b, p, depth + 1);
      p += base.consumed;
      vlens.push({ offset: 0, unit: base.size });
      name = (bits & 0x0f) === 1 ? 'vlen str' : `vlen ${base.name}`;
      break;
    }
    case 10: {
      // array: dimensions (and, in version 2, a permutation) then the element type
      const rank = uint(b, p, 1);
      p += version < 3 ? 4 : 1;
      let elements = 1;
      for (let d = 0; d < rank; d++) elements *= uint(b, p + 4 * d, 4);
      p += 4 * rank * (version < 3 ? 2 : 1);
      const base = parseDatatype(b, p, depth + 1);
      p += base.consumed;
      unmodelled ??= base.unmodelled;
      if (base.vlens.length > 0) {
        if (elements * base.vlens.length > MAX_SLOTS) throw new Hdf5Unparsed('array of too many variable-length parts');
        for (let e = 0; e < elements; e++) for (const v of base.vlens) vlens.push({ offset: e * base.size + v.offset, unit: v.unit });
      }
      name = 'array';
      break;
    }
    default:
      throw new Hdf5Unparsed(`datatype class ${cls}`);
  }
  if (p > b.length) throw new Hdf5Unparsed('datatype runs past its message');
  const type: Datatype = { size, name, consumed: p - at, vlens };
  if (unmodelled !== undefined) type.unmodelled = unmodelled;
  return type;
}
