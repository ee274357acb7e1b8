/**
 * Old-style groups (File Format Specification §IV.A.2.r "Symbol Table Message", §III.A.1 "Version 1 B-trees",
 * §III.B "Group Symbol Table Nodes", §III.C "Symbol Table Entry"): what h5py and Keras write by default. The
 * Symbol Table message names a v1 B-tree (type 0) whose leaves are symbol table nodes ("SNOD"), and a local
 * heap holding the link names. An entry is a hard link (an object header address) or, with cache type 2, a
 * soft link whose value is in the same heap.
 *
 * A damaged node or entry becomes a problem with its offset; the other nodes and entries are still read.
 */
import type { ByteSource } from '../../io/byte-source';
import type { GroupLink } from './links';
import { heapString, readLocalHeap, type LocalHeap } from './local-heap';
import { Hdf5TooLarge, Hdf5Unparsed, Hdf5Unsupported, hasBytes, isUndefinedAddress, uint, type Hdf5Problem } from './raw';
import { absolute, type Superblock } from './superblock';


export interface SymbolTable {
  links: GroupLink[];
  problems: Hdf5Problem[];
}

/** B-tree nodes per group (a group of a million links needs about 10,000). */
const MAX_NODES = 100_000;
const MAX_LEVEL = 64;
/** Symbol table entry cache type of a soft link: the scratch pad holds the offset of its value in the heap. */
const CACHED_SOFT_LINK = 2;

/** Every link of the group whose Symbol Table message is `message`. Throws only when the local heap is unusable. */
export async function readSymbolTable(source: ByteSource, sb: Superblock, message: Uint8Array): Promise<SymbolTable> {
  const O = sb.offsetSize;
  const root = absolute(sb.base, uint(message, 0, O), O);
  const heap = await readLocalHeap(source, sb, absolute(sb.base, uint(message, O, O), O));
  const links: GroupLink[] = [];
  const problems: Hdf5Problem[] = [];
  const problem = (offset: number, e: unknown, name?: string): void => {
    if (!(e instanceof Hdf5Unparsed)) throw e;
    problems.push(name === undefined ? { offset, error: e } : { offset, error: e, name });
  };

  const seen = new Set<number>();
  const stack: { at: number; level: number | null }[] = [{ at: root, level: null }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node.at)) {
      problem(node.at, new Hdf5Unparsed(`group B-tree node at ${node.at} reached twice`));
      continue;
    }
    seen.add(node.at);
    if (seen.size > MAX_NODES) {
      problem(node.at, new Hdf5TooLarge(`more than ${MAX_NODES} B-tree nodes in one group`));
      break;
    }
    try {
      const children = await readGroupNode(source, sb, node.at, node.level);
      if (children.level === 0) {
        for (const at of children.addresses) {
          if (seen.has(at)) {
            problem(at, new Hdf5Unparsed(`symbol table node at ${at} reached twice`));
            continue;
          }
          seen.add(at);
          try {
            await readSymbolNode(source, sb, at, heap, links, problem);
          } catch (e) {
            problem(at, e);
          }
        }
      } else {
        // pushed in reverse: nodes are visited left to right, like the library's iteration
        for (let i = children.addresses.length - 1; i >= 0; i--) stack.push({ at: children.addresses[i], level: children.level - 1 });
      }
    } catch (e) {
      problem(node.at, e);
    }
  }
  return { links, problems };
}

async function readSymbolNode(
  source: ByteSource,
  sb: Superblock,
  at: number,
  heap: LocalHeap,
  links: GroupLink[],
  problem: (offset: number, e: unknown, name?: string) => void,
): Promise<void> {
  const O = sb.offsetSize;
  const head = await source.read(at, 8);
  if (head.length < 8 || !hasBytes(head, 0, 'SNOD')) throw new Hdf5Unparsed(`no symbol table node at ${at}`);
  if (uint(head, 4, 1) !== 1) throw new Hdf5Unsupported(`symbol table node at ${at}: version ${head[4]}`);
  const count = uint(head, 6, 2);
  const entrySize = 2 * O + 24; // name offset, header address, cache type (4), reserved (4), scratch pad (16)
  const body = await source.read(at + 8, count * entrySize);
  if (body.length < count * entrySize) throw new Hdf5Unparsed(`symbol table node at ${at} runs past the end of the file`);
  for (let i = 0; i < count; i++) {
    const p = i * entrySize;
    const entryAt = at + 8 + p;
    let name: string | undefined;
    try {
      name = heapString(heap, uint(body, p, O));
      const header = uint(body, p + O, O);
      if (uint(body, p + 2 * O, 4) === CACHED_SOFT_LINK) {
        links.push({ name, kind: 'soft', target: heapString(heap, uint(body, p + 2 * O + 8, 4)) });
      } else if (isUndefinedAddress(header, O)) {
        throw new Hdf5Unparsed(`symbol table entry at ${entryAt} names no object header`);
      } else {
        links.push({ name, kind: 'hard', header: absolute(sb.base, header, O) });
      }
    } catch (e) {
      problem(entryAt, e, name);
    }
  }
}

/** A group B-tree node: its level and its children (B-tree nodes one level down, or symbol table nodes at level 0). */
async function readGroupNode(source: ByteSource, sb: Superblock, at: number, expectedLevel: number | null): Promise<{ level: number; addresses: number[] }> {
  const O = sb.offsetSize;
  const L = sb.lengthSize;
  // signature, node type, level, entries used, left and right siblings; then key, child, key, … child, key
  const head = await source.read(at, 8 + 2 * O);
  if (head.length < 8 + 2 * O || !hasBytes(head, 0, 'TREE')) throw new Hdf5Unparsed(`no B-tree node at ${at}`);
  if (uint(head, 4, 1) !== 0) throw new Hdf5Unparsed(`B-tree node at ${at} of type ${head[4]} in a group`);
  const level = uint(head, 5, 1);
  if (expectedLevel !== null && level !== expectedLevel) throw new Hdf5Unparsed(`B-tree node at ${at} has level ${level} where ${expectedLevel} belongs`);
  if (level > MAX_LEVEL) throw new Hdf5TooLarge(`B-tree node at ${at} of level ${level}`);
  const entries = uint(head, 6, 2);
  const size = entries * (L + O) + L;
  const body = await source.read(at + 8 + 2 * O, size);
  if (body.length < size) throw new Hdf5Unparsed(`B-tree node at ${at} runs past the end of the file`);
  const addresses: number[] = [];
  for (let i = 0; i < entries; i++) addresses.push(absolute(sb.base, uint(body, L + i * (L + O), O), O));
  return { level, addresses };
}
