/**
 * The bounded walk of an HDF5 file's group tree with our own parser: every group (old-style symbol tables,
 * new-style compact and dense links), every soft and external link (never followed), and every dataset's object
 * header — shape, datatype, layout, the External Data Files it is stored in and the sources a virtual dataset
 * maps. Reading a dataset's values reads those other files (CVE-2026-1669 and its external-storage variant);
 * the HDF5 library (h5wasm) exposes neither External Data Files nor the parts it could not read, so this walk
 * does it itself. Dataset values and chunk indexes are never read.
 *
 * Depth-first from the root, links of each group in name order (like H5Ovisit, which h5py's visititems uses),
 * each object header read once (hard-link cycles and objects under several names are visited once; a dataset's
 * other names are its aliases). Everything not inspected is a `skipped` record with its HDF5 path and byte
 * offset: a damaged node, an unknown version, a shared message, a message type not modelled, a limit reached.
 * Damage stops only the structure it is in; the siblings are still walked.
 *
 * Throws only Hdf5Unparsed, when the superblock cannot be read (there is no tree to walk).
 */
import type { ByteSource } from '../../io/byte-source';
import { BlockCache, Hdf5BudgetExceeded } from './block-cache';
import { parseExternalFileList, parseLayout, parseVirtualMapping, type Layout, type LayoutClass } from './dataset-messages';
import { elementCount, parseDataspace, type Dataspace } from './dataspace';
import { parseDatatype, type Datatype } from './datatype';
import { readCollection } from './global-heap';
import { parseLinkInfo, parseLinkMessage, readDenseLinks, type GroupLink } from './links';
import { heapString, readLocalHeap } from './local-heap';
import { MESSAGE, MESSAGE_SHARED, readHeaderMessages, sharedMessageHeader, type HeaderMessage } from './object-header';
import { Hdf5Damage, Hdf5TooLarge, Hdf5Unparsed, Hdf5Unsupported, type Hdf5Problem } from './raw';
import { readSuperblock, type Superblock } from './superblock';
import { readSymbolTable } from './symbol-table';

export interface Hdf5TreeLimits {
  /** Object headers read (groups, datasets, named datatypes, unreadable ones). */
  maxObjects: number;
  /** Group nesting below the root whose links are listed. */
  maxDepth: number;
  /** Bytes read from the source in total (block-rounded). */
  maxBytes: number;
  /** Skipped records before the walk stops (a file this damaged is not going to be clean anyway). */
  maxSkipped: number;
}

export const DEFAULT_TREE_LIMITS: Readonly<Hdf5TreeLimits> = {
  maxObjects: 100_000,
  maxDepth: 64,
  maxBytes: 64 * 1024 * 1024,
  maxSkipped: 1_000,
};

export type Hdf5SkipCategory = 'unreadable' | 'unsupported' | 'limit' | 'too-large';

/** A part of the file the walk did not inspect, and why (one sentence). */
export interface Hdf5Skip {
  /** HDF5 path of the object (or link) concerned; "/" for the root or the whole walk. */
  path: string;
  category: Hdf5SkipCategory;
  reason: string;
  /** File offset of the structure concerned, when there is one. */
  offset: number | null;
}

export interface Hdf5ExternalFile {
  file: string;
  /** Byte offset in the external file. */
  offset: number;
  /** Bytes of the dataset stored there; null: up to the end of that file (H5F_UNLIMITED). */
  size: number | null;
}

export interface Hdf5VirtualSource {
  /** "." when the source dataset is in the same file. */
  file: string;
  dataset: string;
}

export type Hdf5Layout = LayoutClass | 'unknown';

export interface Hdf5DatasetRecord {
  /** First path in the walk's order. */
  path: string;
  /** Other hard-link paths to the same dataset. */
  aliases: string[];
  /** File offset of the object header. */
  header: number;
  /** Dimensions ([] for a scalar); null for a null dataspace or when the dataspace could not be read. */
  shape: number[] | null;
  /** Short readable datatype: float32, >int64, |S10, vlen str, compound, enum uint8, … ("unknown" when unreadable). */
  dtype: string;
  /** Elements × datatype size: what reading the whole dataset allocates. */
  declaredBytes: number;
  layout: Hdf5Layout;
  /** External Data Files message (0x0007), every slot in order. */
  external: Hdf5ExternalFile[];
  /** Virtual layout (class 3): every mapping's source. */
  virtualSources: Hdf5VirtualSource[];
}

export interface Hdf5LinkRecord {
  path: string;
  kind: 'soft' | 'external';
  /** Soft: the path it names; external: the object path inside `file`. */
  target: string;
  /** External links: the file named. */
  file?: string;
}

export interface Hdf5Tree {
  datasets: Hdf5DatasetRecord[];
  links: Hdf5LinkRecord[];
  /** Groups walked (the root included). */
  groups: number;
  /** Names of the root group's members, whatever they are (groups, datasets, links), in name order. */
  rootMembers: string[];
  /** Object headers read or attempted (groups, datasets, named datatypes). */
  objects: number;
  skipped: Hdf5Skip[];
  /** Reads that reached the source, and bytes it returned. */
  reads: number;
  bytesRead: number;
}

const BLOCK_SIZE = 4096;
const CACHED_BLOCKS = 8192;
/** 256 KiB: one read of a dense stretch of metadata (a File slice in the browser costs about a millisecond per read). */
const MAX_READAHEAD = 64;

/** Message types the walk knows; any other type in an object header is reported as not modelled. */
const KNOWN_MESSAGES: ReadonlySet<number> = new Set(Object.values(MESSAGE));
/** Messages the library refuses to find shared: one flagged so is damage. */
const NEVER_SHARED: ReadonlySet<number> = new Set([MESSAGE.linkInfo, MESSAGE.link, MESSAGE.symbolTable, MESSAGE.layout, MESSAGE.externalFiles]);

export async function walkHdf5Tree(source: ByteSource, superblockAt: number, limits?: Partial<Hdf5TreeLimits>): Promise<Hdf5Tree> {
  const bounds = { ...DEFAULT_TREE_LIMITS, ...limits };
  const cache = new BlockCache(source, { blockSize: BLOCK_SIZE, maxBlocks: CACHED_BLOCKS, maxReadahead: MAX_READAHEAD, maxBytes: bounds.maxBytes });
  let sb: Superblock;
  try {
    sb = await readSuperblock(cache, superblockAt);
  } catch (e) {
    if (e instanceof Hdf5BudgetExceeded) throw new Hdf5TooLarge(`the superblock needs more than ${bounds.maxBytes} bytes`);
    throw e;
  }
  const walk = new TreeWalk(cache, sb, bounds);
  await walk.run();
  return { ...walk.result(), reads: cache.reads, bytesRead: cache.bytesRead };
}

/** Stops the walk once a limit record is written. */
class WalkStopped extends Error {}

interface Frame {
  path: string;
  depth: number;
  links: GroupLink[];
  next: number;
}

class TreeWalk {
  private readonly datasets: Hdf5DatasetRecord[] = [];
  private readonly links: Hdf5LinkRecord[] = [];
  private readonly skipped: Hdf5Skip[] = [];
  private groups = 0;
  private rootMembers: string[] = [];
  private objects = 0;
  /** Object header offset → its dataset record, or null for any other object. */
  private readonly visited = new Map<number, Hdf5DatasetRecord | null>();
  /** Committed datatypes by object header offset. */
  private readonly committed = new Map<number, Datatype>();
  private readonly frames: Frame[] = [];

  constructor(
    private readonly source: BlockCache,
    private readonly sb: Superblock,
    private readonly limits: Hdf5TreeLimits,
  ) {}

  result(): Omit<Hdf5Tree, 'reads' | 'bytesRead'> {
    return { datasets: this.datasets, links: this.links, groups: this.groups, rootMembers: this.rootMembers, objects: this.objects, skipped: this.skipped };
  }

  async run(): Promise<void> {
    let path = '/';
    try {
      await this.object(path, this.sb.rootHeader, 0);
      while (this.frames.length > 0) {
        const frame = this.frames[this.frames.length - 1];
        if (frame.next >= frame.links.length) {
          this.frames.pop();
          continue;
        }
        const link = frame.links[frame.next++];
        path = join(frame.path, link.name);
        await this.follow(path, link, frame.depth + 1);
      }
    } catch (e) {
      if (e instanceof Hdf5BudgetExceeded) this.limitReached(path, `the walk read ${this.limits.maxBytes} bytes of metadata (its limit)`);
      else if (!(e instanceof WalkStopped)) throw e;
    }
  }

  private async follow(path: string, link: GroupLink, depth: number): Promise<void> {
    switch (link.kind) {
      case 'soft':
        this.links.push({ path, kind: 'soft', target: link.target });
        return;
      case 'external':
        this.links.push({ path, kind: 'external', target: link.target, file: link.file });
        return;
      case 'user-defined':
        this.skip(path, 'unsupported', `a user-defined link (type ${link.type}), which only the application that registered it can follow`, null);
        return;
      case 'hard': {
        if (this.visited.has(link.header)) {
          this.visited.get(link.header)?.aliases.push(path);
          return;
        }
        if (this.objects >= this.limits.maxObjects) this.stop(path, `the file has more than ${this.limits.maxObjects} objects (the walk's limit)`);
        await this.object(path, link.header, depth);
      }
    }
  }

  /** Reads one object header and records what the object is; a group's links go on the stack. */
  private async object(path: string, at: number, depth: number): Promise<void> {
    this.objects++;
    this.visited.set(at, null);
    let messages: HeaderMessage[];
    try {
      messages = await readHeaderMessages(this.source, this.sb, at);
    } catch (e) {
      this.unreadable(path, e, at, 'its object header');
      return;
    }
    for (const m of messages) {
      if (!KNOWN_MESSAGES.has(m.type)) {
        this.skip(path, 'unsupported', `its object header holds a message of type 0x${m.type.toString(16).padStart(4, '0')}, which this parser does not model`, m.offset);
      } else if (m.flags & MESSAGE_SHARED && NEVER_SHARED.has(m.type)) {
        this.skip(path, 'unreadable', `its message of type 0x${m.type.toString(16).padStart(4, '0')} is flagged shared, which that message cannot be`, m.offset);
      }
    }
    const has = (type: number) => messages.some((m) => m.type === type);
    // the library's order of object classes: group (symbol table or link info), dataset (datatype and dataspace), datatype
    if (has(MESSAGE.symbolTable) || has(MESSAGE.linkInfo)) {
      this.groups++;
      if (depth > this.limits.maxDepth) {
        this.skip(path, 'limit', `the group is nested more than ${this.limits.maxDepth} levels deep (the walk's limit); its links were not walked`, at);
      } else {
        const links = await this.groupLinks(path, messages);
        if (depth === 0) this.rootMembers = links.map((l) => l.name);
        this.frames.push({ path, depth, links, next: 0 });
      }
    } else if (has(MESSAGE.datatype) && has(MESSAGE.dataspace)) {
      await this.dataset(path, at, messages);
    } else if (!has(MESSAGE.datatype)) {
      this.skip(path, 'unreadable', `the object header at byte ${at} holds neither a group, a dataset nor a datatype`, at);
    } else if (has(MESSAGE.layout) || has(MESSAGE.externalFiles)) {
      // a named datatype to the library, yet it says where data is stored: not what any writer makes
      this.skip(path, 'unreadable', `the object header at byte ${at} has data storage messages but no dataspace`, at);
    }
  }

  /** Every link of a group, in name order, from every storage its header declares. */
  private async groupLinks(path: string, messages: HeaderMessage[]): Promise<GroupLink[]> {
    const links: GroupLink[] = [];
    const problems = (list: Hdf5Problem[]) => {
      for (const p of list) this.unreadable(p.name === undefined ? path : join(path, p.name), p.error, p.offset, p.name === undefined ? 'a part of its link storage' : 'its link');
    };
    for (const m of messages) {
      if (m.flags & MESSAGE_SHARED) continue; // reported above
      try {
        if (m.type === MESSAGE.symbolTable) {
          const table = await readSymbolTable(this.source, this.sb, m.data);
          links.push(...table.links);
          problems(table.problems);
        } else if (m.type === MESSAGE.linkInfo) {
          const info = parseLinkInfo(m.data, this.sb);
          if (info.dense) {
            const dense = await readDenseLinks(this.source, this.sb, info.dense);
            links.push(...dense.links);
            problems(dense.problems);
          }
        } else if (m.type === MESSAGE.link) {
          links.push(parseLinkMessage(m.data, this.sb));
        }
      } catch (e) {
        this.unreadable(path, e, m.offset, m.type === MESSAGE.link ? 'a link message' : 'its link storage');
      }
    }
    return links.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private async dataset(path: string, at: number, messages: HeaderMessage[]): Promise<void> {
    const record: Hdf5DatasetRecord = { path, aliases: [], header: at, shape: null, dtype: 'unknown', declaredBytes: 0, layout: 'unknown', external: [], virtualSources: [] };
    this.visited.set(at, record);
    this.datasets.push(record);
    let space: Dataspace | undefined;
    let type: Datatype | undefined;
    let layout: Layout | undefined;
    for (const m of messages) {
      try {
        if (m.type === MESSAGE.dataspace) {
          if (m.flags & MESSAGE_SHARED) throw new Hdf5Unsupported('a shared dataspace message is not read here');
          space = parseDataspace(m.data, this.sb);
        } else if (m.type === MESSAGE.datatype) {
          type = m.flags & MESSAGE_SHARED ? await this.committedType(sharedMessageHeader(m.data, this.sb)) : parseDatatype(m.data);
        } else if (m.type === MESSAGE.layout && !(m.flags & MESSAGE_SHARED)) {
          layout = parseLayout(m.data, this.sb);
        } else if (m.type === MESSAGE.externalFiles && !(m.flags & MESSAGE_SHARED)) {
          await this.externalFiles(path, record, m);
        }
      } catch (e) {
        this.unreadable(path, e, m.offset, `its ${messageName(m.type)} message`);
      }
    }
    if (space) record.shape = space.dims;
    if (type) record.dtype = type.name;
    if (space && type) record.declaredBytes = elementCount(space) * type.size;
    if (!layout) {
      if (!messages.some((m) => m.type === MESSAGE.layout)) this.skip(path, 'unreadable', `the dataset's object header at byte ${at} has no data layout message`, at);
      return;
    }
    record.layout = layout.class;
    if (layout.mapping) {
      try {
        record.virtualSources = await this.virtualSources(layout.mapping);
      } catch (e) {
        this.unreadable(path, e, layout.mapping.collection, 'its virtual dataset mapping');
      }
    }
  }

  private async committedType(at: number): Promise<Datatype> {
    const known = this.committed.get(at);
    if (known) return known;
    const message = (await readHeaderMessages(this.source, this.sb, at)).find((m) => m.type === MESSAGE.datatype);
    if (!message) throw new Hdf5Unparsed(`the committed datatype at byte ${at} has no datatype message`);
    if (message.flags & MESSAGE_SHARED) throw new Hdf5Unsupported(`the committed datatype at byte ${at} is itself shared`);
    const type = parseDatatype(message.data);
    this.committed.set(at, type);
    return type;
  }

  /** Every slot of an External Data Files message; a slot whose name cannot be read is skipped, the others kept. */
  private async externalFiles(path: string, record: Hdf5DatasetRecord, m: HeaderMessage): Promise<void> {
    const list = parseExternalFileList(m.data, this.sb);
    const heap = await readLocalHeap(this.source, this.sb, list.heap);
    for (const slot of list.slots) {
      try {
        record.external.push({ file: heapString(heap, slot.nameOffset), offset: slot.offset, size: slot.size });
      } catch (e) {
        this.unreadable(path, e, list.heap, 'the name of one of its external data files');
      }
    }
  }

  private async virtualSources(mapping: { collection: number; index: number }): Promise<Hdf5VirtualSource[]> {
    let collection;
    try {
      collection = await readCollection(this.source, this.sb, mapping.collection);
    } catch (e) {
      // its message speaks of refusing the file (the attribute pre-check's context), not of this walk
      if (e instanceof Hdf5Damage) throw new Hdf5Unparsed(`the global heap collection at byte ${mapping.collection} is damaged at byte ${e.offset}`);
      throw e;
    }
    if (!collection) throw new Hdf5Unparsed(`no global heap collection at byte ${mapping.collection}`);
    const object = collection.objects.get(mapping.index);
    if (!object) throw new Hdf5Unparsed(`no object ${mapping.index} in the global heap collection at byte ${mapping.collection}`);
    const bytes = await this.source.read(object.at, object.size);
    if (bytes.length < object.size) throw new Hdf5Unparsed(`the virtual dataset mapping at byte ${object.at} runs past the end of the file`);
    return parseVirtualMapping(bytes, this.sb);
  }

  /** A structure that failed to parse: its category follows the error's class. */
  private unreadable(path: string, e: unknown, offset: number, what: string): void {
    if (!(e instanceof Hdf5Unparsed)) throw e;
    const category: Hdf5SkipCategory = e instanceof Hdf5Unsupported ? 'unsupported' : e instanceof Hdf5TooLarge ? 'too-large' : 'unreadable';
    this.skip(path, category, `${what} could not be read: ${e.message}`, offset);
  }

  private skip(path: string, category: Hdf5SkipCategory, reason: string, offset: number | null): void {
    if (this.skipped.length >= this.limits.maxSkipped) this.stop(path, `more than ${this.limits.maxSkipped} parts could not be inspected (the walk's limit)`);
    this.skipped.push({ path, category, reason, offset });
  }

  /** Ends the walk with one limit record saying how much was left. */
  private stop(path: string, why: string): never {
    this.limitReached(path, why);
    throw new WalkStopped();
  }

  private limitReached(path: string, why: string): void {
    let links = 0;
    for (const f of this.frames) links += f.links.length - f.next;
    const left = links > 0 ? `; ${links} links in ${this.frames.length} groups were not walked` : '';
    this.skipped.push({ path, category: 'limit', reason: `The walk stopped here: ${why}${left}.`, offset: null });
  }
}

function join(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

const MESSAGE_NAMES: Readonly<Record<number, string>> = {
  [MESSAGE.dataspace]: 'dataspace',
  [MESSAGE.datatype]: 'datatype',
  [MESSAGE.layout]: 'data layout',
  [MESSAGE.externalFiles]: 'external data files',
};

function messageName(type: number): string {
  return MESSAGE_NAMES[type] ?? `type 0x${type.toString(16)}`;
}
