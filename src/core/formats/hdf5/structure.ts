/**
 * Structural facts about an HDF5 file that make Keras read other files (CVE-2026-1669: external links,
 * soft links, virtual datasets) or allocate huge buffers (CVE-2026-0897: declared shapes far beyond the
 * file). Only object headers are read, never dataset values. Whatever cannot be listed or read goes to the
 * coverage ledger: a group the walk could not open may hold exactly the link that matters.
 */
import type { File as H5File, Group } from 'h5wasm';
import type { SkippedPart } from '../../coverage';
import { errorMessage } from '../../errors';
import { fact, type ContainerFact, type FactKind } from '../facts';
import { notInspected } from '../format';
import type { H5Api } from './mount';

const MAX_OBJECTS = 50_000;
const MAX_DEPTH = 64;
/** A dataset declaring this many times the file size (and at least 256 MiB) is a resource bomb. */
const BOMB_RATIO = 100;
const BOMB_MIN_BYTES = 256 * 1024 * 1024;

/** The fact kinds this walk can produce. */
export const HDF5_STRUCTURE_FACTS: readonly FactKind[] = ['hdf5-soft-link', 'hdf5-external-link', 'hdf5-virtual-dataset', 'hdf5-external-storage', 'hdf5-declared-size'];

export interface Hdf5Structure {
  facts: ContainerFact[];
  skipped: SkippedPart[];
}

export function scanHdf5Structure(h5: H5Api, file: H5File, fileSize: number): Hdf5Structure {
  const facts: ContainerFact[] = [];
  const skipped: SkippedPart[] = [];
  let visited = 0;
  const queue: { group: Group; path: string; depth: number }[] = [{ group: file, path: '', depth: 0 }];
  while (queue.length > 0) {
    const { group, path, depth } = queue.shift()!;
    let names: string[];
    try {
      names = group.keys();
    } catch (e) {
      skipped.push(notInspected(path || '/', 'group', 'unreadable', `its members could not be listed (${errorMessage(e)})`, []));
      continue;
    }
    for (const name of names) {
      if (++visited > MAX_OBJECTS) {
        skipped.push(notInspected(path || '/', 'group', 'limit', `the walk stopped after ${MAX_OBJECTS} objects`, []));
        return { facts, skipped };
      }
      const full = `${path}/${name}`;
      // Group.get follows soft links that resolve, so ask for the link itself first (CVE-2026-1669 follow-ups).
      let softTarget: string | null = null;
      try {
        softTarget = group.get_link(full || '/');
      } catch {
        softTarget = null;
      }
      if (typeof softTarget === 'string') {
        facts.push(fact('hdf5-soft-link', full, { target: softTarget }));
        continue;
      }
      let entity: ReturnType<Group['get']>;
      try {
        entity = group.get(name);
      } catch (e) {
        skipped.push(notInspected(full, 'dataset', 'unreadable', `the object could not be opened (${errorMessage(e)})`, []));
        continue;
      }
      if (entity instanceof h5.ExternalLink) {
        facts.push(fact('hdf5-external-link', full, { file: entity.filename, target: entity.obj_path }));
      } else if (entity instanceof h5.BrokenSoftLink) {
        facts.push(fact('hdf5-soft-link', full, { target: entity.target }));
      } else if (entity instanceof h5.Group) {
        if (depth + 1 <= MAX_DEPTH) queue.push({ group: entity, path: full, depth: depth + 1 });
        else skipped.push(notInspected(full, 'group', 'limit', `groups nest deeper than ${MAX_DEPTH} levels`, []));
      } else if (entity instanceof h5.Dataset) {
        try {
          const meta = entity.metadata;
          if (meta.virtual_sources && meta.virtual_sources.length > 0) {
            facts.push(fact('hdf5-virtual-dataset', full, { sources: meta.virtual_sources.map((s) => ({ file: s.file_name, dataset: s.dset_name })) }));
          }
          const declared = (meta.total_size ?? 0) * (meta.size ?? 0);
          if (declared > BOMB_MIN_BYTES && declared > BOMB_RATIO * fileSize) {
            facts.push(fact('hdf5-declared-size', full, { declaredBytes: declared, fileBytes: fileSize, shape: meta.shape ?? null }));
          }
        } catch (e) {
          skipped.push(notInspected(full, 'dataset', 'unreadable', `its header could not be read (${errorMessage(e)})`, []));
        }
      } else if (entity !== null && !(entity instanceof h5.Datatype)) {
        // A named datatype is a type definition (no data, no links): nothing to read. Anything else is unknown.
        skipped.push(notInspected(full, 'dataset', 'unsupported', 'an HDF5 object of a kind this walk does not read', []));
      }
    }
  }
  return { facts, skipped };
}
