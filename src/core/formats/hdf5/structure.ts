/**
 * The HDF5 structure as facts and ledger entries: our own bounded group-tree walk (tree.ts) turned into what the
 * rules judge — soft and external links, virtual datasets and External Data Files make Keras read other files
 * (CVE-2026-1669), declared shapes far beyond the file exhaust memory (CVE-2026-0897) — and what the walk could
 * not read, which keeps the file out of "clean". Only object headers are read, never dataset values.
 */
import type { SkippedPart } from '../../coverage';
import type { ByteSource } from '../../io/byte-source';
import { fact, type ContainerFact, type FactKind } from '../facts';
import { notInspected } from '../format';
import { Hdf5Unparsed } from './raw';
import { walkHdf5Tree, type Hdf5Tree } from './tree';

/** A dataset declaring this many times the file size (and at least 256 MiB) is a resource bomb. */
const BOMB_RATIO = 100;
const BOMB_MIN_BYTES = 256 * 1024 * 1024;

/** The fact kinds this walk can produce. */
export const HDF5_STRUCTURE_FACTS: readonly FactKind[] = ['hdf5-soft-link', 'hdf5-external-link', 'hdf5-virtual-dataset', 'hdf5-external-storage', 'hdf5-declared-size'];

export interface Hdf5Structure {
  facts: ContainerFact[];
  skipped: SkippedPart[];
  /** The walk's own record (datasets with shapes and dtypes, counts of reads and bytes), when it ran. */
  tree?: Hdf5Tree;
}

/**
 * Walks the HDF5 file in `source` (superblock at `superblockAt`). `member` names the zip member it came from
 * (`model.weights.h5`): then every place is `member:path` and the facts carry the member.
 */
export async function inspectHdf5Structure(source: ByteSource, superblockAt: number, readBy: readonly string[], member?: string): Promise<Hdf5Structure> {
  const place = (path: string) => (member ? `${member}:${path}` : path);
  let tree: Hdf5Tree;
  try {
    tree = await walkHdf5Tree(source, superblockAt);
  } catch (e) {
    if (!(e instanceof Hdf5Unparsed)) throw e;
    return { facts: [], skipped: [notInspected(place('/'), 'group', 'unreadable', `the group tree could not be walked (${e.message}), so links and external storage were not checked`, readBy)] };
  }
  const facts: ContainerFact[] = [];
  for (const link of tree.links) {
    if (link.kind === 'soft') facts.push(fact('hdf5-soft-link', place(link.path), { member, target: link.target }));
    else facts.push(fact('hdf5-external-link', place(link.path), { member, file: link.file ?? '', target: link.target }));
  }
  for (const d of tree.datasets) {
    const aliases = d.aliases.length ? { aliases: d.aliases } : {};
    if (d.external.length) facts.push(fact('hdf5-external-storage', place(d.path), { member, files: d.external, ...aliases }));
    if (d.virtualSources.length) facts.push(fact('hdf5-virtual-dataset', place(d.path), { member, sources: d.virtualSources, ...aliases }));
    if (d.declaredBytes > BOMB_MIN_BYTES && d.declaredBytes > BOMB_RATIO * source.size) {
      facts.push(fact('hdf5-declared-size', place(d.path), { member, declaredBytes: d.declaredBytes, fileBytes: source.size, shape: d.shape }));
    }
  }
  const skipped = tree.skipped.map((s) =>
    // An HDF5 path the walk could not read may be a group or a dataset: it is an "object" either way.
    notInspected(place(s.path), 'object', s.category, `${s.reason}${s.offset !== null ? ` (byte ${s.offset})` : ''}`, readBy),
  );
  return { facts, skipped, tree };
}
