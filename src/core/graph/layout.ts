/**
 * A layered (Sugiyama-style) layout specialised for Keras layer graphs, fast enough for 10,000 layers:
 * each container's children are laid out as their own small DAG (inbound links only join siblings), and an
 * expanded container is a big node in its parent's layout. Per group:
 *   1. ranks by longest path from the sources (cycles from crafted inbound links are broken in file order;
 *      a source is pulled down next to its first consumer, e.g. a second model input);
 *   2. dummy nodes on edges spanning several ranks, so skip connections route around the main chain;
 *   3. a few barycenter sweeps to order each rank;
 *   4. x from alternating sweeps towards the weighted mean of neighbours, made overlap-free exactly by
 *      isotonic regression (pool-adjacent-violators) on each rank;
 *   5. edges as polylines through their dummies.
 * Everything is linear or n·log n per sweep; no DOM.
 */
import type { FileReport, LayerInfo } from '../report';
import { buildGraphModel, defaultExpanded, flaggedLayerPaths, type GraphModel } from './model';
import type { GraphEdge, GraphLayout, GraphLayoutOptions, GraphNode, GraphPoint } from './types';

export const NODE_H = 40;
export const NODE_MIN_W = 96;
export const NODE_MAX_W = 240;
/** Approximate advance of one label character at the page's node font size (the worker cannot measure text). */
export const CHAR_W = 7;
export const HEADER_H = 30;
export const PAD = 14;
const RANK_GAP = 36;
const NODE_GAP = 24;
const DUMMY_GAP = 10;
const ORDER_SWEEPS = 4;
const PLACE_SWEEPS = 4;
/** Edges spanning more ranks than this are drawn straight (no dummies): keeps pathological files linear. */
const MAX_DUMMY_SPAN = 400;
/** Groups whose members are not linked at all are wrapped into rows of about sqrt(n) beyond this many. */
const ISOLATED_ROW_MIN = 8;
/** An edge into an expanded container fans out to its inner inputs; beyond this many it ends at the box. */
const MAX_FAN = 8;

export function leafWidth(label: string, className: string): number {
  const chars = Math.max(label.length + 2, className.length);
  return Math.min(NODE_MAX_W, Math.max(NODE_MIN_W, chars * CHAR_W + 24));
}

/** One group's layout, in coordinates local to the group's content area. */
interface GroupLayout {
  w: number;
  h: number;
  /** Member item indices and their local top-left corners. */
  members: number[];
  xs: Float64Array;
  ys: Float64Array;
  routes: Route[];
  sources: number[];
  sinks: number[];
}

interface Route {
  from: number;
  to: number;
  points: GraphPoint[];
  back: boolean;
}

interface Size {
  w: number;
  h: number;
}

/** Lays out a report's layers with the default expanded containers. */
export function layoutReport(report: Pick<FileReport, 'layers' | 'findings'>, options: GraphLayoutOptions = {}): GraphLayout {
  return layoutGraph(report.layers, flaggedLayerPaths(report), options);
}

export function layoutGraph(
  layers: readonly LayerInfo[],
  flagged: Iterable<string>,
  options: GraphLayoutOptions = {},
): GraphLayout {
  const started = now();
  const model = buildGraphModel(layers, flagged);
  const layout = layoutModel(model, options.expanded ? new Set(options.expanded) : defaultExpanded(model));
  layout.ms = now() - started;
  return layout;
}

/** Re-layout of an indexed model with the given expanded containers (the page calls this on expand/collapse). */
export function layoutModel(model: GraphModel, expanded: ReadonlySet<string>): GraphLayout {
  const started = now();
  const { items } = model;
  const isOpen = (i: number) => items[i].children.length > 0 && expanded.has(items[i].info.path);
  const size: Size[] = new Array(items.length);
  const groups = new Map<number, GroupLayout>();
  const contentOffset = new Float64Array(items.length);

  // Post-order: children before their container, so an expanded container knows its box size.
  const sizeOf = (i: number): Size => {
    const item = items[i];
    const w = leafWidth(item.info.name, item.info.className);
    if (!isOpen(i)) return { w, h: NODE_H };
    const group = layoutGroup(model, item.children, size);
    groups.set(i, group);
    // The header shows name, class and the toggle on one line.
    const header = Math.min(2 * NODE_MAX_W, (item.info.name.length + item.info.className.length + 1) * CHAR_W + 48) - 2 * PAD;
    const inner = Math.max(group.w, w, header);
    contentOffset[i] = (inner - group.w) / 2;
    return { w: inner + 2 * PAD, h: HEADER_H + group.h + 2 * PAD };
  };
  const order: number[] = [];
  const stack: number[] = [...model.roots].reverse();
  while (stack.length) {
    const i = stack.pop()!;
    order.push(i);
    if (isOpen(i)) for (let k = items[i].children.length - 1; k >= 0; k--) stack.push(items[i].children[k]);
  }
  for (let k = order.length - 1; k >= 0; k--) size[order[k]] = sizeOf(order[k]);
  const top = layoutGroup(model, model.roots, size);

  // Absolute positions, pre-order (containers before their children).
  const nodes: GraphNode[] = [];
  const ax = new Float64Array(items.length);
  const ay = new Float64Array(items.length);
  const placeGroup = (group: GroupLayout, ox: number, oy: number) => {
    group.members.forEach((i, k) => {
      const x = ox + group.xs[k];
      const y = oy + group.ys[k];
      ax[i] = x;
      ay[i] = y;
      const item = items[i];
      const node: GraphNode = {
        path: item.info.path,
        x,
        y,
        w: size[i].w,
        h: size[i].h,
        className: item.info.className,
        label: item.info.name,
        flagged: item.flagged,
        containsFlagged: item.containsFlagged,
        onFlaggedPath: item.onFlaggedPath,
        depth: item.depth,
      };
      if (item.parent >= 0) node.parent = items[item.parent].info.path;
      if (item.children.length > 0) {
        node.collapsed = !isOpen(i);
        node.descendants = item.descendants;
      }
      nodes.push(node);
      const inner = groups.get(i);
      if (inner) placeGroup(inner, x + PAD + contentOffset[i], y + HEADER_H + PAD);
    });
  };
  placeGroup(top, 0, 0);

  // Edges: each group's routes, with ends moved into expanded containers (their inner inputs / outputs).
  const edges: GraphEdge[] = [];
  const ends = (i: number, side: 'sources' | 'sinks', out: number[]): void => {
    const group = groups.get(i);
    if (!group || group[side].length === 0 || group[side].length > MAX_FAN) {
      out.push(i);
      return;
    }
    for (const j of group[side]) ends(j, side, out);
  };
  const emitGroup = (group: GroupLayout, ox: number, oy: number) => {
    for (const route of group.routes) {
      const from: number[] = [];
      const to: number[] = [];
      ends(route.from, 'sinks', from);
      ends(route.to, 'sources', to);
      const fanned = from.length * to.length > MAX_FAN * 2;
      const base = route.points.map((p) => ({ x: p.x + ox, y: p.y + oy }));
      for (const a of fanned ? [route.from] : from) {
        for (const b of fanned ? [route.to] : to) {
          const points = base.slice();
          if (a !== route.from) points.unshift({ x: ax[a] + size[a].w / 2, y: ay[a] + size[a].h });
          if (b !== route.to) points.push({ x: ax[b] + size[b].w / 2, y: ay[b] });
          const edge: GraphEdge = {
            from: items[a].info.path,
            to: items[b].info.path,
            points,
            onFlaggedPath: items[route.to].onFlaggedPath && items[a].onFlaggedPath && items[b].onFlaggedPath,
          };
          if (route.back) edge.back = true;
          edges.push(edge);
        }
      }
    }
    group.members.forEach((i) => {
      const inner = groups.get(i);
      if (inner) emitGroup(inner, ax[i] + PAD + contentOffset[i], ay[i] + HEADER_H + PAD);
    });
  };
  emitGroup(top, 0, 0);

  return {
    nodes,
    edges,
    bounds: { x: 0, y: 0, w: top.w, h: top.h },
    expanded: [...expanded].filter((p) => {
      const i = model.byPath.get(p);
      return i !== undefined && items[i].children.length > 0;
    }),
    ms: now() - started,
  };
}

/** Lays out one set of siblings. `size` holds every member's box size. */
function layoutGroup(model: GraphModel, members: number[], size: Size[]): GroupLayout {
  const { items } = model;
  const n = members.length;
  const local = new Map<number, number>();
  members.forEach((item, k) => local.set(item, k));
  const preds: number[][] = members.map((i) => {
    const out: number[] = [];
    for (const from of items[i].inbound) {
      const k = local.get(from);
      if (k !== undefined) out.push(k);
    }
    return out;
  });
  const succs: number[][] = Array.from({ length: n }, () => []);
  preds.forEach((list, v) => list.forEach((u) => succs[u].push(v)));

  // 1. Topological order (Kahn); when only cycles are left, the earliest remaining layer goes next.
  const topo = topoOrder(n, preds, succs);
  const position = new Int32Array(n);
  topo.forEach((v, k) => (position[v] = k));
  const isForward = (u: number, v: number) => position[u] < position[v];
  const rank = new Int32Array(n);
  for (const v of topo) for (const u of preds[v]) if (isForward(u, v) && rank[u] + 1 > rank[v]) rank[v] = rank[u] + 1;
  // A source feeding only deep layers (a second input, a constant) sits just above its first consumer.
  for (const v of topo) {
    if (preds[v].some((u) => isForward(u, v)) || succs[v].length === 0) continue;
    let min = Infinity;
    for (const w of succs[v]) if (isForward(v, w) && rank[w] < min) min = rank[w];
    if (min !== Infinity && min - 1 > rank[v]) rank[v] = min - 1;
  }
  let maxRank = 0;
  for (let v = 0; v < n; v++) if (rank[v] > maxRank) maxRank = rank[v];
  // Members with no link at all: wrapped into rows below the linked part when there are many.
  const isolated: number[] = [];
  for (let v = 0; v < n; v++) if (preds[v].length === 0 && succs[v].length === 0) isolated.push(v);
  if (isolated.length > ISOLATED_ROW_MIN) {
    const linked = isolated.length < n;
    const base = linked ? maxRank + 1 : 0;
    const row = Math.max(ISOLATED_ROW_MIN, Math.ceil(Math.sqrt(isolated.length)));
    isolated.forEach((v, k) => (rank[v] = base + Math.floor(k / row)));
  }
  maxRank = 0;
  for (let v = 0; v < n; v++) if (rank[v] > maxRank) maxRank = rank[v];

  // 2. The layered graph: members plus dummies; links only between consecutive ranks.
  const nodeRank: number[] = Array.from(rank);
  const nodeW: number[] = members.map((i) => size[i].w);
  const up: number[][] = preds.map(() => []);
  const down: number[][] = preds.map(() => []);
  const chains: { from: number; to: number; nodes: number[]; back: boolean }[] = [];
  const ranks: number[][] = Array.from({ length: maxRank + 1 }, () => []);
  for (let v = 0; v < n; v++) {
    ranks[rank[v]].push(v);
    for (const u of preds[v]) {
      if (!isForward(u, v)) {
        chains.push({ from: u, to: v, nodes: [u, v], back: true });
        continue;
      }
      const span = rank[v] - rank[u];
      const chain = [u];
      if (span > 1 && span <= MAX_DUMMY_SPAN) {
        let prev = u;
        for (let r = rank[u] + 1; r < rank[v]; r++) {
          const d = nodeRank.length;
          nodeRank.push(r);
          nodeW.push(0);
          up.push([prev]);
          down.push([]);
          down[prev].push(d);
          ranks[r].push(d);
          chain.push(d);
          prev = d;
        }
        down[prev].push(v);
        up[v].push(prev);
      } else if (span === 1) {
        down[u].push(v);
        up[v].push(u);
      }
      chain.push(v);
      chains.push({ from: u, to: v, nodes: chain, back: false });
    }
  }
  const total = nodeRank.length;
  const isDummy = (v: number) => v >= n;

  // 3. Order within ranks: barycenter sweeps (stable sort keeps file order among ties).
  const pos = new Float64Array(total);
  for (const layer of ranks) layer.forEach((v, k) => (pos[v] = k));
  const bary = new Float64Array(total);
  const sweep = (layer: number[], neighbours: number[][]) => {
    for (const v of layer) {
      const list = neighbours[v];
      if (list.length === 0) {
        bary[v] = pos[v];
        continue;
      }
      let sum = 0;
      for (const u of list) sum += pos[u];
      bary[v] = sum / list.length;
    }
    layer.sort((a, b) => bary[a] - bary[b]);
    layer.forEach((v, k) => (pos[v] = k));
  };
  for (let s = 0; s < ORDER_SWEEPS; s++) {
    if (s % 2 === 0) for (let r = 1; r <= maxRank; r++) sweep(ranks[r], up);
    else for (let r = maxRank - 1; r >= 0; r--) sweep(ranks[r], down);
  }

  // 4. x: centres pulled towards neighbours, kept apart exactly by isotonic regression per rank.
  const cx = new Float64Array(total);
  for (const layer of ranks) {
    let x = 0;
    layer.forEach((v, k) => {
      if (k > 0) x += separation(layer[k - 1], v, nodeW, isDummy);
      cx[v] = x;
    });
  }
  const desired = new Float64Array(total);
  const weight = new Float64Array(total);
  let widest = 0;
  for (const layer of ranks) if (layer.length > widest) widest = layer.length;
  const scratch = isotonicScratch(widest);
  const place = (layer: number[], neighbours: number[][]) => {
    for (const v of layer) {
      const list = neighbours[v];
      if (list.length === 0) {
        desired[v] = cx[v];
        weight[v] = 0.5;
        continue;
      }
      let sum = 0;
      let wsum = 0;
      for (const u of list) {
        // Long edges (dummy chains) pull harder: they should run straight.
        const w = isDummy(u) && isDummy(v) ? 4 : isDummy(u) || isDummy(v) ? 2 : 1;
        sum += cx[u] * w;
        wsum += w;
      }
      desired[v] = sum / wsum;
      weight[v] = wsum;
    }
    isotonicPlace(layer, desired, weight, nodeW, isDummy, cx, scratch);
  };
  for (let s = 0; s < PLACE_SWEEPS; s++) {
    for (let r = 1; r <= maxRank; r++) place(ranks[r], up);
    for (let r = maxRank - 1; r >= 0; r--) place(ranks[r], down);
  }

  // 5. y per rank (top-aligned), then everything shifted to start at 0.
  const rankH = new Float64Array(maxRank + 1);
  for (let v = 0; v < n; v++) {
    const h = size[members[v]].h;
    if (h > rankH[rank[v]]) rankH[rank[v]] = h;
  }
  const rankY = new Float64Array(maxRank + 1);
  for (let r = 1; r <= maxRank; r++) rankY[r] = rankY[r - 1] + rankH[r - 1] + RANK_GAP;
  let minX = Infinity;
  let maxX = -Infinity;
  for (let v = 0; v < total; v++) {
    const half = nodeW[v] / 2;
    if (cx[v] - half < minX) minX = cx[v] - half;
    if (cx[v] + half > maxX) maxX = cx[v] + half;
  }
  if (total === 0) minX = maxX = 0;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let v = 0; v < n; v++) {
    xs[v] = cx[v] - nodeW[v] / 2 - minX;
    ys[v] = rankY[rank[v]];
  }
  const routes: Route[] = chains.map((chain) => {
    const u = chain.from;
    const v = chain.to;
    const points: GraphPoint[] = [{ x: cx[u] - minX, y: ys[u] + size[members[u]].h }];
    for (let k = 1; k < chain.nodes.length - 1; k++) {
      const d = chain.nodes[k];
      const r = nodeRank[d];
      points.push({ x: cx[d] - minX, y: rankY[r] });
      if (rankH[r] > 0) points.push({ x: cx[d] - minX, y: rankY[r] + rankH[r] });
    }
    points.push({ x: cx[v] - minX, y: ys[v] });
    return { from: members[u], to: members[v], points, back: chain.back };
  });
  const height = n === 0 ? 0 : rankY[maxRank] + rankH[maxRank];
  return {
    w: maxX - minX,
    h: height,
    members,
    xs,
    ys,
    routes,
    sources: members.filter((_, v) => preds[v].length === 0),
    sinks: members.filter((_, v) => succs[v].length === 0),
  };
}

function topoOrder(n: number, preds: number[][], succs: number[][]): number[] {
  const indegree = new Int32Array(n);
  for (let v = 0; v < n; v++) indegree[v] = preds[v].length;
  const done = new Uint8Array(n);
  const order: number[] = [];
  const queue: number[] = [];
  for (let v = 0; v < n; v++) if (indegree[v] === 0) queue.push(v);
  let head = 0;
  let next = 0;
  while (order.length < n) {
    if (head === queue.length) {
      // Only cycles left: take the earliest remaining layer as if its remaining inputs were not there.
      while (done[next] || indegree[next] === 0) next++;
      indegree[next] = 0;
      queue.push(next);
    }
    const v = queue[head++];
    if (done[v]) continue;
    done[v] = 1;
    order.push(v);
    for (const w of succs[v]) if (!done[w] && --indegree[w] === 0) queue.push(w);
  }
  return order;
}

function separation(a: number, b: number, width: number[], isDummy: (v: number) => boolean): number {
  const gap = isDummy(a) || isDummy(b) ? DUMMY_GAP : NODE_GAP;
  return width[a] / 2 + width[b] / 2 + gap;
}

/** Buffers for isotonicPlace, sized to the widest rank once per group (allocation per rank was the GC's feast). */
interface IsotonicScratch {
  offset: Float64Array;
  blockValue: Float64Array;
  blockWeight: Float64Array;
  blockEnd: Int32Array;
}

function isotonicScratch(size: number): IsotonicScratch {
  return {
    offset: new Float64Array(size),
    blockValue: new Float64Array(size),
    blockWeight: new Float64Array(size),
    blockEnd: new Int32Array(size),
  };
}

/**
 * Places one rank's centres as close as possible (weighted least squares) to `desired`, keeping their order and
 * minimum separations: with offsets o_k (cumulative separations), y_k = x_k − o_k must be non-decreasing,
 * which is isotonic regression, solved exactly in linear time by pooling adjacent violators.
 */
function isotonicPlace(
  layer: number[],
  desired: Float64Array,
  weight: Float64Array,
  width: number[],
  isDummy: (v: number) => boolean,
  out: Float64Array,
  scratch: IsotonicScratch,
): void {
  const m = layer.length;
  if (m === 0) return;
  const { offset, blockValue, blockWeight, blockEnd } = scratch;
  offset[0] = 0;
  for (let k = 1; k < m; k++) offset[k] = offset[k - 1] + separation(layer[k - 1], layer[k], width, isDummy);
  let top = -1;
  for (let k = 0; k < m; k++) {
    const v = layer[k];
    top++;
    blockWeight[top] = weight[v];
    blockValue[top] = desired[v] - offset[k];
    blockEnd[top] = k;
    while (top > 0 && blockValue[top - 1] > blockValue[top]) {
      const w = blockWeight[top - 1] + blockWeight[top];
      blockValue[top - 1] = (blockValue[top - 1] * blockWeight[top - 1] + blockValue[top] * blockWeight[top]) / w;
      blockWeight[top - 1] = w;
      blockEnd[top - 1] = blockEnd[top];
      top--;
    }
  }
  let k = 0;
  for (let b = 0; b <= top; b++) {
    for (; k <= blockEnd[b]; k++) out[layer[k]] = blockValue[b] + offset[k];
  }
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
