import { describe, expect, it } from 'vitest';
import { layoutGraph, layoutModel, layoutReport } from '../../../src/core/graph/layout';
import { ancestorsOf, buildGraphModel, defaultExpanded, flaggedLayerPaths } from '../../../src/core/graph/model';
import type { GraphLayout, GraphNode } from '../../../src/core/graph/types';
import type { FileReport, LayerInfo } from '../../../src/core/report';
import { scanPath } from '../../../src/node/scan-path';
import { syntheticLayers } from './synthetic-model';

const FIXTURES = new URL('../../fixtures/', import.meta.url).pathname;
const reports = new Map<string, FileReport>();
async function report(name: string): Promise<FileReport> {
  let r = reports.get(name);
  if (!r) {
    r = await scanPath(FIXTURES + name, { hash: false });
    reports.set(name, r);
  }
  return r;
}

/** Every structural promise of a layout, checked on any input. Returns the broken ones (plain loops: fast at 10k). */
function layoutProblems(layout: GraphLayout, layers: LayerInfo[], flagged: Set<string>): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok && problems.length < 20) problems.push(what);
  };
  const near = (a: number, b: number) => Math.abs(a - b) < 1e-6;
  const byPath = new Map(layout.nodes.map((n) => [n.path, n]));
  check(byPath.size === layout.nodes.length, 'duplicate node paths');
  const index = new Map(layout.nodes.map((n, i) => [n.path, i]));
  const { bounds } = layout;
  for (const node of layout.nodes) {
    check([node.x, node.y, node.w, node.h].every(Number.isFinite), `${node.path}: non-finite geometry`);
    check(node.w > 0 && node.h > 0, `${node.path}: empty box`);
    check(node.flagged === flagged.has(node.path), `${node.path}: flagged mark`);
    check(node.x >= bounds.x - 1e-6 && node.x + node.w <= bounds.x + bounds.w + 1e-6, `${node.path}: outside bounds (x)`);
    check(node.y >= bounds.y - 1e-6 && node.y + node.h <= bounds.y + bounds.h + 1e-6, `${node.path}: outside bounds (y)`);
    if (node.parent === undefined) continue;
    // Inside its parent's box, and drawn after it.
    const parent = byPath.get(node.parent);
    if (!parent) {
      check(false, `${node.path}: parent not drawn`);
      continue;
    }
    check(parent.collapsed === false, `${node.path}: parent not expanded`);
    check(index.get(node.parent)! < index.get(node.path)!, `${node.path}: drawn before its parent`);
    check(
      node.x >= parent.x && node.y > parent.y && node.x + node.w <= parent.x + parent.w + 1e-6 && node.y + node.h <= parent.y + parent.h + 1e-6,
      `${node.path}: outside its parent's box`,
    );
  }
  // No two siblings overlap.
  const siblings = new Map<string, GraphNode[]>();
  for (const node of layout.nodes) {
    const key = node.parent ?? '';
    const list = siblings.get(key);
    if (list) list.push(node);
    else siblings.set(key, [node]);
  }
  for (const group of siblings.values()) {
    const sorted = [...group].sort((a, b) => a.y - b.y || a.x - b.x);
    for (let i = 0; i < sorted.length; i++) {
      const a = sorted[i];
      for (let j = i + 1; j < sorted.length && sorted[j].y < a.y + a.h; j++) {
        const b = sorted[j];
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        check(!overlap, `${a.path} overlaps ${b.path}`);
      }
    }
  }
  // Every edge joins drawn nodes, starting at the bottom of one and ending at the top of the other.
  for (const edge of layout.edges) {
    const from = byPath.get(edge.from);
    const to = byPath.get(edge.to);
    if (!from || !to) {
      check(false, `edge ${edge.from} -> ${edge.to}: an end is not drawn`);
      continue;
    }
    const first = edge.points[0];
    const last = edge.points[edge.points.length - 1];
    check(edge.points.length >= 2, `edge ${edge.from} -> ${edge.to}: fewer than 2 points`);
    check(near(first.x, from.x + from.w / 2) && near(first.y, from.y + from.h), `edge ${edge.from} -> ${edge.to}: start`);
    check(near(last.x, to.x + to.w / 2) && near(last.y, to.y), `edge ${edge.from} -> ${edge.to}: end`);
  }
  // Every layer whose containers are all expanded is drawn; no other.
  const expanded = new Set(layout.expanded);
  const layerByPath = new Map(layers.map((l) => [l.path, l]));
  for (const layer of layers) {
    let shown = true;
    for (let p = layer.parent; p !== undefined; p = layerByPath.get(p)?.parent) if (!expanded.has(p)) shown = false;
    check(byPath.has(layer.path) === shown, `${layer.path}: drawn ${byPath.has(layer.path)}, expected ${shown}`);
  }
  return problems;
}

function checkLayout(layout: GraphLayout, layers: LayerInfo[], flagged: Set<string>): void {
  expect(layoutProblems(layout, layers, flagged)).toEqual([]);
}

/** Layer paths on the route from the inputs to `target` (sibling inbound links, transitively). */
function upstream(layers: LayerInfo[], target: string): Set<string> {
  const byPath = new Map(layers.map((l) => [l.path, l]));
  const out = new Set<string>();
  const stack = [...(byPath.get(target)?.inbound ?? [])];
  while (stack.length) {
    const p = stack.pop()!;
    if (out.has(p)) continue;
    out.add(p);
    stack.push(...(byPath.get(p)?.inbound ?? []));
  }
  return out;
}

describe('graph layout on real reports', () => {
  it('resnet_like_graph.keras: 308 layers, the Lambda deep inside and the route to it', async () => {
    const r = await report('resnet_like_graph.keras');
    const flagged = flaggedLayerPaths(r);
    expect(flagged.has('resnet_like_graph/mid_scale')).toBe(true);
    const layout = layoutReport(r);
    checkLayout(layout, r.layers, flagged);
    expect(layout.nodes.length).toBe(r.layers.length);
    const lambda = layout.nodes.find((n) => n.path === 'resnet_like_graph/mid_scale')!;
    expect(lambda.flagged).toBe(true);
    expect(lambda.className).toBe('Lambda');
    const root = layout.nodes.find((n) => n.path === 'resnet_like_graph')!;
    expect(root.collapsed).toBe(false);
    expect(root.containsFlagged).toBe(true);
    // Edges into the Lambda and along everything upstream of it are marked; edges after it are not,
    // unless they also lead to it (none do: it is the only finding).
    const up = upstream(r.layers, lambda.path);
    expect(up.size).toBeGreaterThan(50);
    expect(up.has('resnet_like_graph/signal')).toBe(true);
    for (const edge of layout.edges) {
      const leadsToLambda = edge.to === lambda.path || up.has(edge.to);
      expect(edge.onFlaggedPath, `${edge.from} -> ${edge.to}`).toBe(leadsToLambda);
    }
    expect(layout.edges.filter((e) => e.to === lambda.path && e.onFlaggedPath).length).toBeGreaterThan(0);
    // A skip connection spans ranks: it routes through bends (dummies), not straight across the chain.
    const add = layout.edges.find((e) => e.to === 'resnet_like_graph/c0_add' && e.from === 'resnet_like_graph/stem_relu')!;
    expect(add.points.length).toBeGreaterThan(2);
    // Ranks follow the data: every forward edge goes downwards.
    for (const edge of layout.edges) expect(edge.points[edge.points.length - 1].y).toBeGreaterThan(edge.points[0].y);
  });

  it('nested_submodel_lambda.keras: the sub-model is a box, its input joins the outer inbound', async () => {
    const r = await report('nested_submodel_lambda.keras');
    const flagged = flaggedLayerPaths(r);
    const target = 'nested_submodel_lambda/inner_block/inner_add_one';
    expect(flagged.has(target)).toBe(true);
    const layout = layoutReport(r);
    checkLayout(layout, r.layers, flagged);
    const box = layout.nodes.find((n) => n.path === 'nested_submodel_lambda/inner_block')!;
    expect(box.collapsed).toBe(false);
    expect(box.containsFlagged).toBe(true);
    expect(box.flagged).toBe(false);
    const edge = (from: string, to: string) => layout.edges.find((e) => e.from === from && e.to === to);
    // pre -> inner_block becomes pre -> inner_in (the sub-model's input) when expanded.
    expect(edge('nested_submodel_lambda/pre', 'nested_submodel_lambda/inner_block/inner_in')?.onFlaggedPath).toBe(true);
    expect(edge('nested_submodel_lambda/inner_block/inner_dense', target)?.onFlaggedPath).toBe(true);
    expect(edge('nested_submodel_lambda/x', 'nested_submodel_lambda/pre')?.onFlaggedPath).toBe(true);
    // After the Lambda: still drawn, not on the route to it.
    expect(edge(target, 'nested_submodel_lambda/head')?.onFlaggedPath).toBe(false);

    // Collapsed: one node that holds the finding, the edges end at it.
    const model = buildGraphModel(r.layers, flagged);
    const expanded = defaultExpanded(model);
    expanded.delete(box.path);
    const collapsed = layoutModel(model, expanded);
    checkLayout(collapsed, r.layers, flagged);
    const node = collapsed.nodes.find((n) => n.path === box.path)!;
    expect(node.collapsed).toBe(true);
    expect(node.containsFlagged).toBe(true);
    expect(node.descendants).toBe(3);
    expect(collapsed.nodes.some((n) => n.path === target)).toBe(false);
    expect(collapsed.edges.find((e) => e.from === 'nested_submodel_lambda/pre' && e.to === box.path)?.onFlaggedPath).toBe(true);
    expect(collapsed.edges.find((e) => e.from === box.path && e.to === 'nested_submodel_lambda/head')?.onFlaggedPath).toBe(false);
    expect(ancestorsOf(model, target)).toEqual([box.path, 'nested_submodel_lambda']);
  });

  it('timedistributed_lambda.h5: a wrapper holding a Lambda', async () => {
    const r = await report('timedistributed_lambda.h5');
    const flagged = flaggedLayerPaths(r);
    const target = [...flagged].find((p) => p.endsWith('/td_inner_lambda'));
    expect(target).toBeDefined();
    const layout = layoutReport(r);
    checkLayout(layout, r.layers, flagged);
    const wrapper = layout.nodes.find((n) => n.path === target!.slice(0, target!.lastIndexOf('/')))!;
    expect(wrapper.className).toBe('TimeDistributed');
    expect(wrapper.containsFlagged).toBe(true);
    const into = layout.edges.filter((e) => e.to === target);
    expect(into.length).toBeGreaterThan(0);
    expect(into.every((e) => e.onFlaggedPath)).toBe(true);
    // The other wrapper (no finding inside) is not on the route.
    const other = layout.nodes.find((n) => n.className === 'TimeDistributed' && n.path !== wrapper.path);
    if (other) {
      expect(other.containsFlagged).toBe(false);
      expect(other.onFlaggedPath).toBe(false);
    }
  });

  it('two_lambdas.keras: both Lambdas flagged, the route to the second passes the first', async () => {
    const r = await report('two_lambdas.keras');
    const flagged = flaggedLayerPaths(r);
    const lambdas = r.layers.filter((l) => l.className === 'Lambda').map((l) => l.path);
    expect(lambdas.length).toBe(2);
    for (const l of lambdas) expect(flagged.has(l)).toBe(true);
    const layout = layoutReport(r);
    checkLayout(layout, r.layers, flagged);
    expect(layout.nodes.filter((n) => n.flagged).map((n) => n.path).sort()).toEqual([...lambdas].sort());
    expect(layout.edges.length).toBeGreaterThan(0);
    expect(layout.edges.every((e) => e.onFlaggedPath)).toBe(true);
    expect(buildGraphModel(r.layers, flagged).flagged).toEqual(lambdas);
  });
});

describe('graph layout on crafted inputs', () => {
  const layer = (path: string, inbound: string[] = [], parent?: string, container = false): LayerInfo => ({
    path,
    name: path.slice(path.lastIndexOf('/') + 1),
    className: container ? 'Functional' : 'Dense',
    parent,
    role: parent ? 'layers' : undefined,
    inbound,
    container,
    document: 'config.json',
    location: '',
  });

  it('survives cycles, unknown inbound names and self links', () => {
    const layers = [
      layer('m', [], undefined, true),
      layer('m/a', ['m/c', 'm/a', 'm/ghost'], 'm'),
      layer('m/b', ['m/a'], 'm'),
      layer('m/c', ['m/b'], 'm'),
    ];
    const layout = layoutGraph(layers, ['m/b']);
    checkLayout(layout, layers, new Set(['m/b']));
    expect(layout.edges.filter((e) => e.back).length).toBe(1);
    expect(layout.edges.length).toBe(3);
  });

  it('wraps many unlinked siblings into rows instead of one very wide rank', () => {
    const layers = [layer('m', [], undefined, true)];
    for (let i = 0; i < 400; i++) layers.push(layer(`m/l${i}`, [], 'm'));
    const layout = layoutGraph(layers, []);
    checkLayout(layout, layers, new Set());
    expect(layout.bounds.w).toBeLessThan(layout.bounds.h * 4);
  });

  it('ignores a parent that appears after its child (no cycle in the tree)', () => {
    const layers = [layer('a', [], 'b'), layer('b', [], 'a', true)];
    const layout = layoutGraph(layers, []);
    expect(layout.nodes.find((n) => n.path === 'a')?.parent).toBeUndefined();
    expect(layout.nodes.length).toBe(2);
  });
});

describe('graph layout at scale', () => {
  for (const size of [1000, 10000]) {
    it(`a synthetic ${size}-layer model builds and lays out`, () => {
      const built = performance.now();
      const { layers, lambdas } = syntheticLayers(size);
      const walkMs = performance.now() - built;
      expect(layers.length).toBeGreaterThanOrEqual(size * 0.95);
      expect(lambdas.length).toBe(1);
      const layout = layoutGraph(layers, lambdas);
      console.log(`synthetic ${layers.length} layers: walk ${walkMs.toFixed(0)} ms, layout ${layout.ms.toFixed(0)} ms`);
      // Loose bound: the machine is shared and noisy; scripts/bench/graph.mjs measures properly.
      expect(layout.ms).toBeLessThan(10_000);
      checkLayout(layout, layers, new Set(lambdas));
      expect(layout.nodes.find((n) => n.path === lambdas[0])?.flagged).toBe(true);
      // Containers holding nothing flagged beyond the threshold start collapsed; small ones open.
      const subs = layout.nodes.filter((n) => n.className === 'Sequential');
      expect(subs.length).toBeGreaterThan(0);
      expect(subs.every((n) => n.collapsed === false)).toBe(true);
    });
  }

  it('collapses big containers without a finding by default and re-lays out on demand', () => {
    const layers: LayerInfo[] = [layer2('m', [], undefined, true), layer2('m/in'), layer2('m/big', ['m/in'], 'm', true)];
    for (let i = 0; i < 100; i++) layers.push(layer2(`m/big/l${i}`, i ? [`m/big/l${i - 1}`] : [], 'm/big'));
    layers.push(layer2('m/out', ['m/big'], 'm'));
    layers[1].parent = 'm';
    const model = buildGraphModel(layers, []);
    const first = layoutModel(model, defaultExpanded(model));
    expect(first.nodes.find((n) => n.path === 'm/big')?.collapsed).toBe(true);
    expect(first.nodes.length).toBe(4);
    const open = layoutModel(model, new Set(['m', 'm/big']));
    checkLayout(open, layers, new Set());
    expect(open.nodes.length).toBe(layers.length);
    expect(open.edges.some((e) => e.from === 'm/in' && e.to === 'm/big/l0')).toBe(true);
    expect(open.edges.some((e) => e.from === 'm/big/l99' && e.to === 'm/out')).toBe(true);
  });
});

function layer2(path: string, inbound: string[] = [], parent?: string, container = false): LayerInfo {
  return {
    path,
    name: path.slice(path.lastIndexOf('/') + 1),
    className: container ? 'Functional' : 'Dense',
    parent,
    role: parent ? 'layers' : undefined,
    inbound,
    container,
    document: 'config.json',
    location: '',
  };
}
