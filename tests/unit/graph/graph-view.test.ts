import { describe, expect, it } from 'vitest';
import { layoutGraph } from '../../../src/core/graph/layout';
import {
  MAX_DOM_NODES,
  centerOn,
  cull,
  edgeBoxes,
  fitView,
  minZoomFor,
  viewRect,
  zoomAt,
} from '../../../src/ui/graph/graph-view';
import { syntheticLayers } from './synthetic-model';

const { layers, lambdas } = syntheticLayers(3000);
const layout = layoutGraph(layers, lambdas);
const boxes = edgeBoxes(layout.edges);
const size = { w: 1000, h: 700 };

describe('graph view culling', () => {
  it('at 100% only what meets the viewport (plus margin) is drawn, far fewer than all', () => {
    const lambda = layout.nodes.find((n) => n.path === lambdas[0])!;
    const view = centerOn({ k: 1, tx: 0, ty: 0 }, lambda, size, 1);
    const rect = viewRect(view, size);
    const drawn = cull(layout, boxes, rect, new Set());
    expect(drawn.overview).toBe(false);
    expect(drawn.nodes.some((n) => n.path === lambda.path)).toBe(true);
    expect(drawn.nodes.length).toBeGreaterThan(3);
    expect(drawn.nodes.length).toBeLessThan(layout.nodes.length / 20);
    for (const n of drawn.nodes) {
      const meets = n.x < rect.x + rect.w && n.x + n.w > rect.x && n.y < rect.y + rect.h && n.y + n.h > rect.y;
      expect(meets, n.path).toBe(true);
    }
    // Every edge with a point on screen is drawn.
    const onScreen = layout.edges.filter((e) => e.points.some((p) => p.x > rect.x && p.x < rect.x + rect.w && p.y > rect.y && p.y < rect.y + rect.h));
    const drawnEdges = new Set(drawn.edges);
    for (const e of onScreen) expect(drawnEdges.has(e)).toBe(true);
  });

  it('a kept node (selected, focused) is drawn even off screen', () => {
    const first = layout.nodes[layout.nodes.length - 1];
    const rect = viewRect({ k: 1, tx: 0, ty: 0 }, size);
    expect(cull(layout, boxes, rect, new Set()).nodes.some((n) => n.path === first.path)).toBe(false);
    expect(cull(layout, boxes, rect, new Set([first.path])).nodes.some((n) => n.path === first.path)).toBe(true);
  });

  it('zoomed out: overview mode keeps the DOM small but keeps flagged layers', () => {
    const view = fitView(layout.bounds, size);
    const drawn = cull(layout, boxes, viewRect(view, size), new Set());
    expect(drawn.overview).toBe(true);
    expect(drawn.nodes.length).toBeLessThan(MAX_DOM_NODES);
    expect(drawn.nodes.some((n) => n.path === lambdas[0])).toBe(true);
    expect(drawn.edges.length).toBe(0);
  });

  it('zoom keeps the point under the cursor fixed and stops at the minimum', () => {
    const v = { k: 1, tx: 10, ty: -400 };
    const z = zoomAt(v, 2, 300, 200);
    expect(z.k).toBe(2);
    expect((300 - z.tx) / z.k).toBeCloseTo((300 - v.tx) / v.k, 9);
    expect((200 - z.ty) / z.k).toBeCloseTo((200 - v.ty) / v.k, 9);
    const min = minZoomFor(layout.bounds, size);
    let out = v;
    for (let i = 0; i < 100; i++) out = zoomAt(out, 0.5, 0, 0, min);
    expect(out.k).toBe(min);
    expect(min).toBeGreaterThan(0);
  });
});
