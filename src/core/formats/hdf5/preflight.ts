/**
 * Checks, before the HDF5 library reads them, the global heap objects behind the root group's attributes
 * (`model_config`, `training_config`, `keras_version`, `backend`, …): a damaged collection would hang or
 * corrupt the library (see global-heap.ts). Attributes are read from the object header (compact storage) and
 * from the fractal heap behind an Attribute Info message (dense storage, dense-attributes.ts). Definite damage
 * throws Hdf5Damage; a structure this parser does not model (shared messages, huge heap objects, unusual
 * datatypes) ends as `verified: false` with the reason — every other attribute is still checked — and the
 * library reads the file as before, under the worker's watchdog.
 */
import type { ByteSource } from '../../io/byte-source';
import { attributeName, parseAttribute, type HeapReference } from './attribute';
import { readDenseAttributeMessages } from './dense-attributes';
import { readCollection, type Collection } from './global-heap';
import { MESSAGE, MESSAGE_SHARED, readHeaderMessages, type HeaderMessage } from './object-header';
import { Hdf5Damage, Hdf5Unparsed, isUndefinedAddress } from './raw';
import { readSuperblock, type Superblock } from './superblock';

export interface PreflightResult {
  verified: boolean;
  /** Why not everything could be checked. */
  reason?: string;
  /** Global heap objects checked. */
  heapObjects: number;
  /** Names of the root attributes found (compact and dense), to compare with what the library lists. */
  names: string[];
  /** Attribute messages (compact or dense) whose name could not be read: what they hold cannot be told. */
  unnamed: number;
  /** Set when the root declares dense attribute storage that could not be read at all (why). */
  denseUnreadable?: string;
}

/**
 * Distinct collections read. Keras root attributes share one; a non-Keras file may spread a string array over
 * many (each at least 4 KiB, and the library reads every one of them next anyway).
 */
const MAX_COLLECTIONS = 1024;

export async function preflightRootAttributes(source: ByteSource, superblockAt: number): Promise<PreflightResult> {
  let sb: Superblock;
  let messages: HeaderMessage[];
  try {
    sb = await readSuperblock(source, superblockAt);
    messages = await readHeaderMessages(source, sb, sb.rootHeader);
  } catch (e) {
    if (e instanceof Hdf5Unparsed) return { verified: false, reason: e.message, heapObjects: 0, names: [], unnamed: 0 };
    throw e;
  }
  // What cannot be read is noted and skipped: everything else is still checked.
  const unchecked: string[] = [];
  const unparsed = (e: unknown): void => {
    if (!(e instanceof Hdf5Unparsed)) throw e;
    unchecked.push(e.message);
  };
  const references: HeapReference[] = [];
  const names: string[] = [];
  let unnamed = 0;
  const parse = (data: Uint8Array): void => {
    let name: string;
    try {
      name = attributeName(data);
    } catch (e) {
      unnamed++;
      unparsed(e);
      return;
    }
    try {
      names.push(name);
      addAll(references, parseAttribute(data, sb).references);
    } catch (e) {
      unparsed(e);
    }
  };
  let denseUnreadable: string | undefined;
  for (const m of messages) {
    try {
      if (m.type === MESSAGE.attributeInfo) {
        try {
          const dense = await readDenseAttributeMessages(source, sb, m.data);
          if (dense) {
            dense.messages.forEach(parse);
            addAll(unchecked, dense.skipped);
            unnamed += dense.skipped.length;
            if (dense.messages.length === 0 && dense.skipped.length > 0) denseUnreadable = dense.skipped[0];
          }
        } catch (e) {
          if (e instanceof Hdf5Unparsed) denseUnreadable = e.message;
          throw e;
        }
      } else if (m.type === MESSAGE.attribute) {
        if (m.flags & MESSAGE_SHARED) unchecked.push('shared attribute message');
        else parse(m.data);
      }
    } catch (e) {
      unparsed(e);
    }
  }

  let checked = 0;
  const collections = new Map<number, Collection | null>();
  for (const ref of references) {
    if (ref.collection === 0 || ref.bytes === 0) continue; // the library reads nothing for these
    if (isUndefinedAddress(ref.collection, sb.offsetSize)) continue;
    let collection = collections.get(ref.collection);
    if (collection === undefined) {
      if (collections.size >= MAX_COLLECTIONS) {
        unchecked.push(`more than ${MAX_COLLECTIONS} heap collections`);
        break;
      }
      try {
        collection = await readCollection(source, sb, sb.base + ref.collection);
      } catch (e) {
        unparsed(e);
        continue;
      }
      collections.set(ref.collection, collection);
    }
    if (collection === null) {
      throw new Hdf5Damage(
        `damaged HDF5 attribute "${ref.attribute}": its value points to byte ${sb.base + ref.collection}, where there is ` +
          'no global heap collection (the HDF5 library aborts or allocates without bound there); the file was not opened',
        sb.base + ref.collection,
      );
    }
    const size = collection.objects.get(ref.index)?.size;
    if (size === undefined) {
      throw new Hdf5Damage(
        `damaged HDF5 attribute "${ref.attribute}": heap object ${ref.index} is not in the collection at byte ${collection.offset}; ` +
          'the file was not opened',
        collection.offset,
      );
    }
    if (size !== ref.bytes) {
      throw new Hdf5Damage(
        `damaged HDF5 attribute "${ref.attribute}": heap object ${ref.index} in the collection at byte ${collection.offset} ` +
          `holds ${size} bytes where ${ref.bytes} are expected, which the HDF5 library copies past its buffer; the file was not opened`,
        collection.offset,
      );
    }
    checked++;
  }
  const result: PreflightResult =
    unchecked.length > 0
      ? { verified: false, reason: [...new Set(unchecked)].join('; '), heapObjects: checked, names, unnamed }
      : { verified: true, heapObjects: checked, names, unnamed };
  if (denseUnreadable !== undefined) result.denseUnreadable = denseUnreadable;
  return result;
}

/** Appends without spreading: an attribute may carry up to 100,000 references, past some engines' argument limits. */
function addAll<T>(to: T[], items: readonly T[]): void {
  for (const item of items) to.push(item);
}
