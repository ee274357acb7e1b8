/**
 * The layer graph as plain records: what the layout produces and the page draws. Structured-cloneable, so a
 * worker can compute it and post it to the page.
 */

export interface GraphPoint {
  x: number;
  y: number;
}

export interface GraphNode {
  /** Layer name path (`model/inner/layer`), the layer's identity. */
  path: string;
  /** Top-left corner and size, in graph units (absolute, not relative to the parent). */
  x: number;
  y: number;
  w: number;
  h: number;
  className: string;
  /** The layer's own name (last part of the path). */
  label: string;
  /** A finding sits on this layer. */
  flagged: boolean;
  /** A container (collapsed or not) with a flagged layer somewhere below it. */
  containsFlagged: boolean;
  /** On a path from the model inputs to a flagged layer (or the flagged layer itself). */
  onFlaggedPath: boolean;
  /** Nesting depth: 0 for a root model. */
  depth: number;
  /** Path of the container this node is drawn inside; absent for a root. */
  parent?: string;
  /** Only for containers with children: true when drawn as one node, false when its children are drawn inside. */
  collapsed?: boolean;
  /** Only for containers: how many layers sit below it (all depths). */
  descendants?: number;
}

export interface GraphEdge {
  /** Paths of drawn nodes (a layer inside an expanded container, or the collapsed container itself). */
  from: string;
  to: string;
  /** Polyline from the bottom of `from` to the top of `to`. */
  points: GraphPoint[];
  /** Both ends lead to a flagged layer: the route data takes to the code. */
  onFlaggedPath: boolean;
  /** Closes a cycle in the declared inbound links (crafted files only); drawn against the flow. */
  back?: boolean;
}

export interface GraphBounds {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface GraphLayout {
  /** Containers come before the layers drawn inside them (paint order). */
  nodes: GraphNode[];
  edges: GraphEdge[];
  bounds: GraphBounds;
  /** The expanded containers this layout was made with. */
  expanded: string[];
  /** Layout time, for the page's diagnostics and the bench. */
  ms: number;
}

export interface GraphLayoutOptions {
  /** Containers to draw expanded. Default: `defaultExpanded` (roots, small containers, containers holding a finding). */
  expanded?: Iterable<string>;
}
