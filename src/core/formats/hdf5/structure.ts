/**
 * Structural facts about an HDF5 file that make Keras read other files (CVE-2026-1669: external links,
 * soft links, virtual datasets) or allocate huge buffers (CVE-2026-0897: declared shapes far beyond the
 * file). Only object headers are read, never dataset values.
 */
import type { File as H5File, Group } from 'h5wasm';
import type { ContainerFact } from '../../keras/model';
import type { H5Api } from './mount';

const MAX_OBJECTS = 50_000;
const MAX_DEPTH = 64;
/** A dataset declaring this many times the file size (and at least 256 MiB) is a resource bomb. */
const BOMB_RATIO = 100;
const BOMB_MIN_BYTES = 256 * 1024 * 1024;

export function scanHdf5Structure(h5: H5Api, file: H5File, fileSize: number): ContainerFact[] {
  const facts: ContainerFact[] = [];
  let visited = 0;
  const queue: { group: Group; path: string; depth: number }[] = [{ group: file, path: '', depth: 0 }];
  while (queue.length > 0) {
    const { group, path, depth } = queue.shift()!;
    let names: string[];
    try {
      names = group.keys();
    } catch {
      continue;
    }
    for (const name of names) {
      if (++visited > MAX_OBJECTS) {
        facts.push({ kind: 'hdf5-too-many-objects', where: path || '/', detail: { limit: MAX_OBJECTS } });
        return facts;
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
        facts.push({ kind: 'hdf5-soft-link', where: full, detail: { target: softTarget } });
        continue;
      }
      let entity: ReturnType<Group['get']>;
      try {
        entity = group.get(name);
      } catch {
        continue;
      }
      if (entity instanceof h5.ExternalLink) {
        facts.push({ kind: 'hdf5-external-link', where: full, detail: { filename: entity.filename, target: entity.obj_path } });
      } else if (entity instanceof h5.BrokenSoftLink) {
        facts.push({ kind: 'hdf5-soft-link', where: full, detail: { target: entity.target } });
      } else if (entity instanceof h5.Group) {
        if (depth + 1 <= MAX_DEPTH) queue.push({ group: entity, path: full, depth: depth + 1 });
      } else if (entity instanceof h5.Dataset) {
        try {
          const meta = entity.metadata;
          if (meta.virtual_sources && meta.virtual_sources.length > 0) {
            facts.push({
              kind: 'hdf5-virtual-dataset',
              where: full,
              detail: { sources: meta.virtual_sources.map((s) => `${s.file_name}:${s.dset_name}`) },
            });
          }
          const declared = (meta.total_size ?? 0) * (meta.size ?? 0);
          if (declared > BOMB_MIN_BYTES && declared > BOMB_RATIO * fileSize) {
            facts.push({ kind: 'hdf5-declared-size', where: full, detail: { declaredBytes: declared, fileBytes: fileSize, shape: meta.shape } });
          }
        } catch {
          // metadata unreadable: the loader would fail too; nothing to report
        }
      }
    }
  }
  return facts;
}
