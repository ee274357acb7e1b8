/** The whole graph in a small canvas, with the viewport as a rectangle; click or drag on it to move there. */
import { useEffect, useRef, type PointerEvent as ReactPointerEvent } from 'react';
import type { GraphLayout } from '../../core/graph/types';
import { drawLayout, readColors, type Size, type View } from './graph-view';

const MAP_W = 150;
const MAP_H = 190;

export function Minimap({
  layout,
  view,
  size,
  onCenter,
}: {
  layout: GraphLayout;
  view: View;
  size: Size;
  onCenter(gx: number, gy: number): void;
}) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const { bounds } = layout;
  const scale = Math.min(MAP_W / Math.max(1, bounds.w), MAP_H / Math.max(1, bounds.h));
  const w = Math.max(24, Math.ceil(bounds.w * scale));
  const h = Math.max(24, Math.ceil(bounds.h * scale));
  const mapView: View = { k: scale, tx: (w - bounds.w * scale) / 2 - bounds.x * scale, ty: (h - bounds.h * scale) / 2 - bounds.y * scale };

  // The graph is drawn once per layout; the viewport rectangle is a positioned element above it.
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(w * ratio);
    canvas.height = Math.round(h * ratio);
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    drawLayout(ctx, layout, mapView, { w, h }, readColors(canvas), { edges: false, minMark: 4 });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [layout, w, h]);

  const vx = (-view.tx / view.k) * scale + mapView.tx;
  const vy = (-view.ty / view.k) * scale + mapView.ty;
  const vw = (size.w / view.k) * scale;
  const vh = (size.h / view.k) * scale;
  const clampedX = Math.max(-2, Math.min(w - 4, vx));
  const clampedY = Math.max(-2, Math.min(h - 4, vy));

  const toGraph = (event: ReactPointerEvent<HTMLDivElement>) => {
    const r = event.currentTarget.getBoundingClientRect();
    onCenter((event.clientX - r.left - mapView.tx) / scale, (event.clientY - r.top - mapView.ty) / scale);
  };
  return (
    <div
      className="lg-minimap"
      style={{ width: w, height: h }}
      aria-hidden="true"
      data-testid="graph-minimap"
      onPointerDown={(event) => {
        event.stopPropagation();
        event.currentTarget.setPointerCapture(event.pointerId);
        toGraph(event);
      }}
      onPointerMove={(event) => {
        event.stopPropagation();
        if (event.buttons & 1) toGraph(event);
      }}
      onPointerUp={(event) => event.stopPropagation()}
    >
      <canvas ref={canvasRef} style={{ width: w, height: h }} />
      <div
        className="lg-minimap-view"
        style={{
          left: clampedX,
          top: clampedY,
          width: Math.max(4, Math.min(vw, w - clampedX + 2)),
          height: Math.max(4, Math.min(vh, h - clampedY + 2)),
        }}
      />
    </div>
  );
}
