/** SVG pieces of the layer graph: container boxes, edges, layer nodes. Text from the file is rendered as text. */
import { DIFF_MARKS, type DiffMark } from './diff-marks';
import { memo, type KeyboardEvent } from 'react';
import { CHAR_W, HEADER_H } from '../../core/graph/layout';
import type { GraphBounds, GraphEdge, GraphNode } from '../../core/graph/types';
import { visible } from '../visible-text';

export const FLAG_ICON = '⚠';

function fit(text: string, width: number): string {
  const chars = Math.max(3, Math.floor(width / CHAR_W));
  return text.length > chars ? `${text.slice(0, chars - 1)}…` : text;
}

/** Shortened text is hidden from assistive technology: the node's accessible name has it in full. */
function shortened(...texts: string[]): true | undefined {
  return texts.some((t) => t.endsWith('…')) ? true : undefined;
}

/** The accessible name starts with the words shown on the node (speech users say what they see). */
export function nodeName(node: GraphNode): string {
  const shown = `${visible(node.label)} ${visible(node.className)}${node.collapsed === true ? ` · ${node.descendants ?? 0}` : ''}`;
  const parts = [shown];
  if (node.flagged) parts.push('flagged: carries code');
  else if (node.containsFlagged) parts.push('contains a flagged layer');
  if (node.collapsed === true) parts.push(`collapsed container, ${node.descendants ?? 0} layers inside`);
  if (node.collapsed === false) parts.push('expanded');
  return parts.join(', ');
}

/**
 * Background of an expanded container (not interactive: dragging on it pans). Clipped to the visible area
 * (which already has a margin beyond the screen): a box 100,000 units tall would otherwise be rasterised whole.
 */
export function ContainerBox({ node, clip }: { node: GraphNode; clip: GraphBounds }) {
  const cls = ['lg-box', node.containsFlagged ? 'hot' : '', node.onFlaggedPath ? 'on-path' : ''].join(' ');
  const x0 = Math.max(node.x, clip.x);
  const y0 = Math.max(node.y, clip.y);
  const x1 = Math.min(node.x + node.w, clip.x + clip.w);
  const y1 = Math.min(node.y + node.h, clip.y + clip.h);
  if (x1 <= x0 || y1 <= y0) return null;
  return <rect className={cls} x={x0} y={y0} width={x1 - x0} height={y1 - y0} rx={6} />;
}

export const Edge = memo(function Edge({ edge }: { edge: GraphEdge }) {
  const d = edge.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join('');
  const cls = `lg-edge${edge.onFlaggedPath ? ' on-path' : ''}${edge.back ? ' back' : ''}`;
  return <path className={cls} d={d} markerEnd={edge.onFlaggedPath ? 'url(#lg-arrow-path)' : 'url(#lg-arrow)'} />;
});

interface NodeProps {
  node: GraphNode;
  selected: boolean;
  match: boolean;
  /** In a comparison: the node's mark, or null for an unchanged node (drawn dimmed); undefined otherwise. */
  diff?: DiffMark | null;
  onActivate(path: string): void;
  register(path: string, element: SVGGElement | null): void;
}

/** One drawn layer, or the header bar of an expanded container: a focusable button. */
export const LayerNode = memo(function LayerNode({ node, selected, match, diff, onActivate, register }: NodeProps) {
  const expandedBox = node.collapsed === false;
  const h = expandedBox ? HEADER_H : node.h;
  const cls = [
    'lg-node',
    expandedBox ? 'header' : node.collapsed ? 'collapsed' : 'leaf',
    node.flagged ? 'flagged' : '',
    !node.flagged && node.containsFlagged ? 'holds-flagged' : '',
    node.onFlaggedPath ? 'on-path' : '',
    selected ? 'selected' : '',
    match ? 'match' : '',
    diff ? `diff-${diff}` : diff === null ? 'dimmed' : '',
  ].join(' ');
  const hot = node.flagged || node.containsFlagged;
  const textX = hot ? 26 : 8;
  const toggle = node.collapsed === undefined ? '' : node.collapsed ? '+' : '−';
  const room = node.w - textX - (toggle ? 22 : 8);
  let label = fit(visible(node.label), room);
  let className = fit(visible(node.className), room);
  if (expandedBox) {
    // One line: the name first, the class in what is left (at least 40% of the line when both are long).
    const total = Math.floor(room / CHAR_W);
    const fullLabel = visible(node.label);
    const fullClass = visible(node.className);
    const labelRoom = Math.max(total - fullClass.length - 1, Math.ceil(total * 0.6));
    label = fit(fullLabel, labelRoom * CHAR_W);
    className = fit(fullClass, Math.max(3, total - label.length - 1) * CHAR_W);
  }
  const onKeyDown = (event: KeyboardEvent<SVGGElement>) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onActivate(node.path);
    }
  };
  return (
    <g
      ref={(element) => register(node.path, element)}
      className={cls}
      transform={`translate(${node.x} ${node.y})`}
      data-testid="graph-node"
      data-layer={node.path}
      data-flagged={node.flagged ? 'true' : 'false'}
      data-contains-flagged={node.containsFlagged ? 'true' : 'false'}
      data-collapsed={node.collapsed === undefined ? undefined : String(node.collapsed)}
      role="button"
      tabIndex={0}
      data-diff={diff ?? undefined}
      aria-label={diff ? `${nodeName(node)}, ${DIFF_MARKS[diff].label}` : nodeName(node)}
      aria-current={selected ? 'true' : undefined}
      aria-expanded={node.collapsed === undefined ? undefined : !node.collapsed}
      onClick={() => onActivate(node.path)}
      onKeyDown={onKeyDown}
    >
      {node.collapsed === true && <rect className="lg-stack" x={4} y={4} width={node.w} height={h} rx={4} />}
      <rect className="lg-shape" width={node.w} height={h} rx={expandedBox ? 6 : 4} />
      {hot && (
        <text className="lg-icon" x={8} y={expandedBox ? 20 : 25} aria-hidden="true">
          {FLAG_ICON}
        </text>
      )}
      {expandedBox ? (
        <text className="lg-label" x={textX} y={19} aria-hidden={shortened(label, className)}>
          {label}
          <tspan className="lg-class"> {className}</tspan>
        </text>
      ) : (
        <>
          <text className="lg-label" x={textX} y={17} aria-hidden={shortened(label)}>
            {label}
            {/* A separator for the text content (label + class), collapsed away when drawn. */}{' '}
          </text>
          <text className="lg-class" x={textX} y={32} aria-hidden={shortened(className)}>
            {className}
            {node.collapsed === true ? ` · ${node.descendants ?? 0}` : ''}
          </text>
        </>
      )}
      {diff && (
        <text className="lg-diff" x={node.w - (toggle ? 34 : 16)} y={expandedBox ? 20 : 25} aria-hidden="true">
          {DIFF_MARKS[diff].symbol}
        </text>
      )}
      {toggle && (
        <text className="lg-toggle" x={node.w - 16} y={expandedBox ? 20 : 25} aria-hidden="true">
          {toggle}
        </text>
      )}
    </g>
  );
});
