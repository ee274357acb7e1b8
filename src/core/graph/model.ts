/**
 * The layer tree and its sibling edges, indexed once per report so that re-layouts (expand/collapse) only redo
 * the geometry. Built from `LayerInfo[]`, trusting nothing: a report can come from a shared link, so parents
 * must appear before their children (no cycles in the tree) and unknown inbound names are dropped.
 */
import type { FileReport, LayerInfo } from '../report';

export interface GraphItem {
  info: LayerInfo;
  /** Index of the parent item, -1 for a root. */
  parent: number;
  children: number[];
  /** Sibling indices feeding this layer / fed by it (deduplicated, never itself). */
  inbound: number[];
  outbound: number[];
  depth: number;
  /** Layers below it, all depths. */
  descendants: number;
  flagged: boolean;
  containsFlagged: boolean;
  onFlaggedPath: boolean;
}

export interface GraphModel {
  items: GraphItem[];
  roots: number[];
  byPath: Map<string, number>;
  /** Flagged layer paths present in the tree, in layer order (the order "next finding" walks). */
  flagged: string[];
}

/** Layer paths that carry a finding. */
export function flaggedLayerPaths(report: Pick<FileReport, 'findings'>): Set<string> {
  const out = new Set<string>();
  for (const finding of report.findings) if (finding.layer) out.add(finding.layer);
  return out;
}

export function buildGraphModel(layers: readonly LayerInfo[], flagged: Iterable<string>): GraphModel {
  const items: GraphItem[] = [];
  const byPath = new Map<string, number>();
  for (const info of layers) {
    if (byPath.has(info.path)) continue;
    const parentIndex = info.parent !== undefined ? byPath.get(info.parent) : undefined;
    // Only an already-seen parent counts: that keeps the tree acyclic whatever the input says.
    const parent = parentIndex ?? -1;
    const index = items.length;
    byPath.set(info.path, index);
    items.push({
      info,
      parent,
      children: [],
      inbound: [],
      outbound: [],
      depth: parent >= 0 ? items[parent].depth + 1 : 0,
      descendants: 0,
      flagged: false,
      containsFlagged: false,
      onFlaggedPath: false,
    });
    if (parent >= 0) items[parent].children.push(index);
  }
  const roots: number[] = [];
  items.forEach((item, index) => {
    if (item.parent < 0) roots.push(index);
    for (const name of item.info.inbound ?? []) {
      const from = byPath.get(name);
      if (from === undefined || from === index || items[from].parent !== item.parent || item.inbound.includes(from)) continue;
      item.inbound.push(from);
      items[from].outbound.push(index);
    }
  });
  for (let i = items.length - 1; i >= 0; i--) {
    const parent = items[i].parent;
    if (parent >= 0) items[parent].descendants += items[i].descendants + 1;
  }

  const flaggedSet = new Set(flagged);
  const flaggedOrder: string[] = [];
  items.forEach((item, index) => {
    if (!flaggedSet.has(item.info.path)) return;
    item.flagged = true;
    flaggedOrder.push(item.info.path);
    for (let p = item.parent; p >= 0 && !items[p].containsFlagged; p = items[p].parent) items[p].containsFlagged = true;
    markPathTo(items, index);
  });
  return { items, roots, byPath, flagged: flaggedOrder };
}

/**
 * Marks what leads to a flagged layer: the layer, everything upstream of it among its siblings (with all the
 * layers inside an upstream container: they feed its outputs), and the same again for each enclosing container,
 * whose inbound feeds the container's inner inputs.
 */
function markPathTo(items: GraphItem[], flaggedIndex: number): void {
  const upstream: number[] = [];
  const markAll = (root: number) => {
    const stack = [root];
    while (stack.length) {
      const i = stack.pop()!;
      for (const c of items[i].children) {
        if (items[c].onFlaggedPath) continue;
        items[c].onFlaggedPath = true;
        stack.push(c);
      }
    }
  };
  for (let i = flaggedIndex; i >= 0; i = items[i].parent) {
    items[i].onFlaggedPath = true;
    upstream.push(...items[i].inbound);
  }
  const done = new Set<number>();
  while (upstream.length) {
    const i = upstream.pop()!;
    if (done.has(i)) continue;
    done.add(i);
    items[i].onFlaggedPath = true;
    markAll(i);
    upstream.push(...items[i].inbound);
  }
}

/** Containers up to this many layers below them start expanded; bigger ones start collapsed. */
export const AUTO_EXPAND_MAX_DESCENDANTS = 60;

/**
 * The containers drawn expanded at first: every root, every container holding a finding (so the reviewer sees
 * it at once), and every container of at most AUTO_EXPAND_MAX_DESCENDANTS layers.
 */
export function defaultExpanded(model: GraphModel): Set<string> {
  const out = new Set<string>();
  for (const item of model.items) {
    if (item.children.length === 0) continue;
    if (item.parent < 0 || item.containsFlagged || item.descendants <= AUTO_EXPAND_MAX_DESCENDANTS) out.add(item.info.path);
  }
  return out;
}

/** The containers to expand so that `path` is drawn (its ancestors). */
export function ancestorsOf(model: GraphModel, path: string): string[] {
  const out: string[] = [];
  const index = model.byPath.get(path);
  if (index === undefined) return out;
  for (let p = model.items[index].parent; p >= 0; p = model.items[p].parent) out.push(model.items[p].info.path);
  return out;
}
