/** Pan/zoom arithmetic and viewport culling for the layer graph (no React, no DOM). */
import type { GraphBounds, GraphEdge, GraphLayout, GraphNode } from '../../core/graph/types';

/** screen = graph · k + t */
export interface View {
  tx: number;
  ty: number;
  k: number;
}

export interface Size {
  w: number;
  h: number;
}

export const MIN_ZOOM = 0.0005;
export const MAX_ZOOM = 3;
/** Beyond this many nodes in view, the graph is drawn on a canvas (overview) and only key nodes stay in the DOM. */
export const MAX_DOM_NODES = 900;
export const MAX_DOM_EDGES = 1800;

export function clampZoom(k: number): number {
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, k));
}

export function fitView(bounds: GraphBounds, size: Size, margin = 16, maxK = 1): View {
  const k = clampZoom(Math.min(maxK, (size.w - 2 * margin) / Math.max(1, bounds.w), (size.h - 2 * margin) / Math.max(1, bounds.h)));
  return {
    k,
    tx: (size.w - bounds.w * k) / 2 - bounds.x * k,
    ty: (size.h - bounds.h * k) / 2 - bounds.y * k,
  };
}

/** The first view: readable scale, the top of the graph (the inputs) in sight. */
export function initialView(bounds: GraphBounds, size: Size): View {
  const fit = fitView(bounds, size);
  if (fit.k >= 0.6) return fit;
  const k = clampZoom(Math.min(1, (size.w - 32) / Math.max(1, bounds.w)));
  const kk = Math.max(k, 0.6);
  return { k: kk, tx: Math.max(16, (size.w - bounds.w * kk) / 2), ty: 16 - bounds.y * kk };
}

/** The smallest useful zoom for a layout: half of "fit", never above 1/4. */
export function minZoomFor(bounds: GraphBounds, size: Size): number {
  return clampZoom(Math.min(0.25, fitView(bounds, size).k / 2));
}

export function zoomAt(view: View, factor: number, sx: number, sy: number, minK = MIN_ZOOM): View {
  const k = Math.max(minK, clampZoom(view.k * factor));
  if (k === view.k) return view;
  const f = k / view.k;
  return { k, tx: sx - (sx - view.tx) * f, ty: sy - (sy - view.ty) * f };
}

/** Centres a graph rectangle, zooming in to at least `minK` (readable) when needed. */
export function centerOn(view: View, node: { x: number; y: number; w: number; h: number }, size: Size, minK = 0.8): View {
  const k = Math.max(view.k, Math.min(minK, MAX_ZOOM));
  return { k, tx: size.w / 2 - (node.x + node.w / 2) * k, ty: size.h / 2 - (node.y + node.h / 2) * k };
}

/** The graph-space rectangle on screen, with a margin so panning does not show empty edges. */
export function viewRect(view: View, size: Size, marginPx = 120): GraphBounds {
  return {
    x: (-view.tx - marginPx) / view.k,
    y: (-view.ty - marginPx) / view.k,
    w: (size.w + 2 * marginPx) / view.k,
    h: (size.h + 2 * marginPx) / view.k,
  };
}

export function intersects(a: GraphBounds, x: number, y: number, w: number, h: number): boolean {
  return x < a.x + a.w && x + w > a.x && y < a.y + a.h && y + h > a.y;
}

/** Bounding boxes of edges, computed once per layout: [x0, y0, x1, y1] per edge. */
export function edgeBoxes(edges: GraphEdge[]): Float64Array {
  const out = new Float64Array(edges.length * 4);
  edges.forEach((edge, i) => {
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (const p of edge.points) {
      if (p.x < x0) x0 = p.x;
      if (p.y < y0) y0 = p.y;
      if (p.x > x1) x1 = p.x;
      if (p.y > y1) y1 = p.y;
    }
    out.set([x0, y0, x1, y1], i * 4);
  });
  return out;
}

export interface Culled {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** True when too much is in view for the DOM: the page draws the rest on a canvas. */
  overview: boolean;
}

/**
 * What the SVG draws: nodes and edges meeting the viewport. Nodes in `keep` (selected, focused) are always
 * drawn so focus is never lost; in overview only containers' boxes, flagged layers and `keep` stay in the DOM.
 */
export function cull(layout: GraphLayout, boxes: Float64Array, rect: GraphBounds, keep: ReadonlySet<string>): Culled {
  const nodes: GraphNode[] = [];
  for (const node of layout.nodes) {
    if (keep.has(node.path) || intersects(rect, node.x, node.y, node.w, node.h)) nodes.push(node);
  }
  const edges: GraphEdge[] = [];
  for (let i = 0; i < layout.edges.length; i++) {
    const x0 = boxes[i * 4];
    const y0 = boxes[i * 4 + 1];
    if (intersects(rect, x0, y0, boxes[i * 4 + 2] - x0 || 1, boxes[i * 4 + 3] - y0 || 1)) edges.push(layout.edges[i]);
  }
  const overview = nodes.length > MAX_DOM_NODES || edges.length > MAX_DOM_EDGES;
  if (!overview) return { nodes, edges, overview };
  return {
    nodes: nodes.filter((n) => keep.has(n.path) || n.flagged || (n.collapsed !== undefined && n.containsFlagged)),
    edges: [],
    overview,
  };
}

/** Graph colours read from CSS variables, for canvas drawing. */
export interface CanvasColors {
  node: string;
  nodeStroke: string;
  box: string;
  edge: string;
  flagged: string;
  path: string;
  view: string;
}

/** Draws a layout on a canvas under a view transform (overview layer and minimap). */
export function drawLayout(
  ctx: CanvasRenderingContext2D,
  layout: GraphLayout,
  view: View,
  size: Size,
  colors: CanvasColors,
  options: { edges: boolean; minMark: number },
): void {
  ctx.clearRect(0, 0, size.w, size.h);
  ctx.save();
  ctx.setTransform(ctx.getTransform().multiply(new DOMMatrix([view.k, 0, 0, view.k, view.tx, view.ty])));
  const rect = viewRect(view, size, 0);
  const px = 1 / view.k;
  for (const n of layout.nodes) {
    if (n.collapsed !== false || !intersects(rect, n.x, n.y, n.w, n.h)) continue;
    ctx.fillStyle = colors.box;
    ctx.fillRect(n.x, n.y, n.w, n.h);
  }
  if (options.edges) {
    ctx.lineWidth = px;
    ctx.strokeStyle = colors.edge;
    ctx.beginPath();
    for (const e of layout.edges) {
      if (e.onFlaggedPath) continue;
      e.points.forEach((p, i) => (i === 0 ? ctx.moveTo(p.x, p.y) : ctx.lineTo(p.x, p.y)));
    }
    ctx.stroke();
    ctx.lineWidth = 2 * px;
    ctx.strokeStyle = colors.path;
    ctx.beginPath();
    for (const e of layout.edges) {
      if (!e.onFlaggedPath) continue;
      e.points.forEach((p, i) => (i === 0 ? ctx.moveTo(p.x, p.y) : ctx.lineTo(p.x, p.y)));
    }
    ctx.stroke();
  }
  const mark = options.minMark * px;
  for (const n of layout.nodes) {
    if (n.collapsed === false || !intersects(rect, n.x, n.y, n.w, n.h)) continue;
    const hot = n.flagged || n.containsFlagged;
    ctx.fillStyle = hot ? colors.flagged : colors.node;
    if (hot && (n.w < mark || n.h < mark)) {
      const w = Math.max(n.w, mark);
      const h = Math.max(n.h, mark);
      ctx.fillRect(n.x + n.w / 2 - w / 2, n.y + n.h / 2 - h / 2, w, h);
    } else ctx.fillRect(n.x, n.y, n.w, n.h);
  }
  ctx.restore();
}

/** Reads the graph colours from the CSS variables in effect on an element (light or dark). */
export function readColors(element: Element): CanvasColors {
  const style = getComputedStyle(element);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    node: v('--lg-node-fill-strong', '#9aa3b5'),
    nodeStroke: v('--lg-node-stroke', '#8a8f99'),
    box: v('--lg-box-fill', '#eef0f4'),
    edge: v('--lg-edge', '#8a93a6'),
    flagged: v('--lg-flagged', '#c62828'),
    path: v('--lg-path', '#d9480f'),
    view: v('--lg-accent', '#2456c7'),
  };
}
