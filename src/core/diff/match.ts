/**
 * Pairs the layers of two models, top-down: the roots with each other, then inside every matched pair of
 * containers their children of the same role — first by name, then (for the rest) by structure: the same class
 * and the same config apart from the name (a rename), then by position: the same class at the same place in
 * its parent (a rename with other changes). What stays unpaired is added or removed; nothing is forced.
 */
import { diffJson } from './config-diff';
import { normaliseLayer } from './normalise';
import type { IndexedLayer, IndexedSide } from './side';
import type { LayerMatch, MatchBasis } from './types';

export interface Matching {
  matches: LayerMatch[];
  aToB: Map<string, string>;
  bToA: Map<string, string>;
}

/** The layer's own name segment (paths of duplicate names carry a `#2` suffix, which is part of identity). */
export function ownName(layer: IndexedLayer): string {
  const parent = layer.info.parent;
  return parent ? layer.info.path.slice(parent.length + 1) : layer.info.path;
}

export function matchLayers(a: IndexedSide, b: IndexedSide): Matching {
  const matching: Matching = { matches: [], aToB: new Map(), bToA: new Map() };
  const pair = (x: IndexedLayer, y: IndexedLayer, by: MatchBasis) => {
    matching.matches.push({ a: x.info.path, b: y.info.path, className: y.info.className, by });
    matching.aToB.set(x.info.path, y.info.path);
    matching.bToA.set(y.info.path, x.info.path);
  };
  if (!a.root || !b.root) return matching;
  pair(a.root, b.root, ownName(a.root) === ownName(b.root) ? 'path' : 'position');
  const queue: [string, string][] = [[a.root.info.path, b.root.info.path]];
  const identity = (n: string) => n;
  while (queue.length) {
    const [pa, pb] = queue.shift()!;
    let left = [...(a.children.get(pa) ?? [])];
    let right = [...(b.children.get(pb) ?? [])];
    const take = (predicate: (x: IndexedLayer, y: IndexedLayer) => boolean, by: MatchBasis) => {
      for (let i = 0; i < left.length; i++) {
        const x = left[i];
        const j = right.findIndex((y) => y.info.role === x.info.role && predicate(x, y));
        if (j < 0) continue;
        pair(x, right[j], by);
        queue.push([x.info.path, right[j].info.path]);
        left.splice(i--, 1);
        right.splice(j, 1);
      }
    };
    // By name first, through a map: a flat model has thousands of children.
    const byName = new Map(right.map((y) => [`${y.info.role}\u0000${ownName(y)}`, y]));
    const taken = new Set<IndexedLayer>();
    for (const x of left) {
      const key = `${x.info.role}\u0000${ownName(x)}`;
      const y = byName.get(key);
      if (!y) continue;
      byName.delete(key);
      pair(x, y, 'path');
      queue.push([x.info.path, y.info.path]);
      taken.add(x).add(y);
    }
    left = left.filter((x) => !taken.has(x));
    right = right.filter((y) => !taken.has(y));
    // The rest (renames) are few; each layer is normalised once.
    const normal = new Map<IndexedLayer, ReturnType<typeof normaliseLayer>>();
    const normalised = (l: IndexedLayer, s: IndexedSide) => {
      let n = normal.get(l);
      if (!n) {
        n = normaliseLayer(l, s, identity);
        normal.set(l, n);
      }
      return n;
    };
    take(
      (x, y) =>
        x.info.className === y.info.className &&
        x.object !== undefined &&
        y.object !== undefined &&
        diffJson(normalised(x, a), normalised(y, b)).length === 0,
      'structure',
    );
    take((x, y) => x.info.className === y.info.className && x.index === y.index, 'position');
  }
  return matching;
}
