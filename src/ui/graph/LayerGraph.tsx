/**
 * The layer graph: pan (drag), zoom (wheel, buttons), fit, minimap, search, next/previous finding (n / p),
 * containers that expand and collapse in place. Only what meets the viewport is in the DOM; when too much is in
 * view (zoomed far out) the graph is painted on a canvas and only flagged and selected layers stay as elements.
 */
import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent as ReactKeyboardEvent,
  type PointerEvent as ReactPointerEvent,
} from 'react';
import { layoutModel } from '../../core/graph/layout';
import { ancestorsOf, buildGraphModel, defaultExpanded, flaggedLayerPaths } from '../../core/graph/model';
import type { GraphLayout } from '../../core/graph/types';
import type { FileReport } from '../../core/report';
import { visible } from '../visible-text';
import { ContainerBox, Edge, FLAG_ICON, LayerNode } from './GraphElements';
import { GraphLegend } from './GraphLegend';
import type { DiffMark } from './diff-marks';
import { Minimap } from './Minimap';
import {
  centerOn,
  cull,
  drawLayout,
  edgeBoxes,
  fitView,
  initialView,
  minZoomFor,
  viewRect,
  zoomAt,
  readColors,
  type Size,
  type View,
} from './graph-view';
import './graph.css';

export interface LayerGraphProps {
  report: FileReport;
  /** A layout computed elsewhere (the worker) with the default expanded containers; computed here when absent. */
  layout?: GraphLayout;
  /** A comparison's merged graph: each layer's mark (diff-marks.ts); unmarked layers are dimmed. */
  marks?: ReadonlyMap<string, DiffMark>;
  selected?: string;
  onSelect(path: string): void;
}

const MAX_MATCHES = 500;
const DRAG_THRESHOLD = 4;

export function LayerGraph({ report, layout: given, selected: selectedProp, onSelect, marks }: LayerGraphProps) {
  const model = useMemo(() => buildGraphModel(report.layers, flaggedLayerPaths(report)), [report]);
  const [expanded, setExpanded] = useState<ReadonlySet<string> | null>(null);
  const layout = useMemo(() => {
    if (expanded === null) return given ?? layoutModel(model, defaultExpanded(model));
    return layoutModel(model, expanded);
  }, [model, expanded, given]);
  const byPath = useMemo(() => new Map(layout.nodes.map((n) => [n.path, n])), [layout]);
  const boxes = useMemo(() => edgeBoxes(layout.edges), [layout]);

  const [ownSelected, setOwnSelected] = useState<string | undefined>(undefined);
  const selected = selectedProp ?? ownSelected;
  const [query, setQuery] = useState('');
  const [matchIndex, setMatchIndex] = useState(-1);
  const [findingIndex, setFindingIndex] = useState(-1);
  const [announce, setAnnounce] = useState('');

  const wrapRef = useRef<HTMLElement>(null);
  const viewportRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const nodeElements = useRef(new Map<string, SVGGElement>());
  const [size, setSize] = useState<Size>({ w: 800, h: 560 });
  const [view, setView] = useState<View | null>(null);
  const viewOrDefault = view ?? initialView(layout.bounds, size);
  /** After a re-layout: centre (and focus) this node, or keep this node where it was on screen. */
  const pending = useRef<{ path: string; focus: boolean } | { anchor: string; sx: number; sy: number } | null>(null);

  // Viewport size.
  useLayoutEffect(() => {
    const element = viewportRef.current;
    if (!element) return;
    const measure = () => setSize({ w: Math.max(100, element.clientWidth), h: Math.max(100, element.clientHeight) });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const register = useCallback((path: string, element: SVGGElement | null) => {
    if (element) nodeElements.current.set(path, element);
    else nodeElements.current.delete(path);
  }, []);

  const matches = useMemo(() => {
    const q = query.trim().toLowerCase();
    if (!q) return [] as string[];
    const out: string[] = [];
    for (const item of model.items) {
      if (item.info.path.toLowerCase().includes(q) || item.info.className.toLowerCase().includes(q)) out.push(item.info.path);
      if (out.length >= MAX_MATCHES) break;
    }
    return out;
  }, [model, query]);
  const matchSet = useMemo(() => new Set(matches), [matches]);

  /** Brings a layer into view: expands its containers if needed, centres it, optionally focuses it. */
  const reveal = useCallback(
    (path: string, focus: boolean) => {
      const hidden = ancestorsOf(model, path).filter((p) => !byPath.get(p) || byPath.get(p)!.collapsed !== false);
      if (hidden.length > 0 || !byPath.has(path)) {
        const next = new Set(expanded ?? layout.expanded);
        for (const p of ancestorsOf(model, path)) next.add(p);
        pending.current = { path, focus };
        setExpanded(next);
        return;
      }
      const node = byPath.get(path)!;
      setView((v) => centerOn(v ?? initialView(layout.bounds, size), node, size));
      if (focus) requestAnimationFrame(() => nodeElements.current.get(path)?.focus({ preventScroll: true }));
    },
    [model, byPath, expanded, layout, size],
  );

  // Work left for after a re-layout.
  useLayoutEffect(() => {
    const job = pending.current;
    if (!job) return;
    pending.current = null;
    if ('path' in job) {
      const node = byPath.get(job.path);
      if (!node) return;
      setView((v) => centerOn(v ?? initialView(layout.bounds, size), node, size));
      if (job.focus) requestAnimationFrame(() => nodeElements.current.get(job.path)?.focus({ preventScroll: true }));
    } else {
      const node = byPath.get(job.anchor);
      if (!node) return;
      setView((v) => {
        const cur = v ?? initialView(layout.bounds, size);
        return { k: cur.k, tx: job.sx - node.x * cur.k, ty: job.sy - node.y * cur.k };
      });
    }
  }, [layout, byPath, size]);

  /** The last selection made here; a different `selected` prop came from outside (a table row, a deep link). */
  const lastOwn = useRef<string | undefined>(undefined);
  const select = useCallback(
    (path: string) => {
      lastOwn.current = path;
      setOwnSelected(path);
      onSelect(path);
    },
    [onSelect],
  );

  // A selection from outside is brought into view (containers expanded, centred), without taking focus.
  const revealRef = useRef(reveal);
  revealRef.current = reveal;
  useEffect(() => {
    if (!selectedProp || selectedProp === lastOwn.current) return;
    // After the viewport has been measured.
    const frame = requestAnimationFrame(() => {
      lastOwn.current = selectedProp;
      revealRef.current(selectedProp, false);
    });
    return () => cancelAnimationFrame(frame);
  }, [selectedProp]);

  const suppressClick = useRef(false);
  const activate = useCallback(
    (path: string) => {
      if (suppressClick.current) return;
      const node = byPath.get(path);
      select(path);
      if (!node || node.collapsed === undefined) return;
      // Expand/collapse in place: the container's corner stays where it is on screen.
      const v = viewOrDefault;
      pending.current = { anchor: path, sx: node.x * v.k + v.tx, sy: node.y * v.k + v.ty };
      const next = new Set(expanded ?? layout.expanded);
      if (node.collapsed) next.add(path);
      else next.delete(path);
      setExpanded(next);
      setAnnounce(`${visible(node.label)} ${node.collapsed ? 'expanded' : 'collapsed'}`);
    },
    [byPath, select, viewOrDefault, expanded, layout],
  );

  const goFinding = useCallback(
    (step: 1 | -1) => {
      const list = model.flagged;
      if (list.length === 0) return;
      const current = selected ? list.indexOf(selected) : -1;
      const base = current >= 0 ? current : findingIndex;
      const next = base < 0 ? (step > 0 ? 0 : list.length - 1) : (base + step + list.length) % list.length;
      setFindingIndex(next);
      select(list[next]);
      reveal(list[next], true);
      setAnnounce(`Finding ${next + 1} of ${list.length}: ${visible(list[next])}`);
    },
    [model, selected, findingIndex, select, reveal],
  );

  const goMatch = useCallback(
    (step: 1 | -1) => {
      if (matches.length === 0) return;
      const next = matchIndex < 0 ? (step > 0 ? 0 : matches.length - 1) : (matchIndex + step + matches.length) % matches.length;
      setMatchIndex(next);
      select(matches[next]);
      reveal(matches[next], false);
      setAnnounce(`Match ${next + 1} of ${matches.length}: ${visible(matches[next])}`);
    },
    [matches, matchIndex, select, reveal],
  );

  const minK = minZoomFor(layout.bounds, size);
  const zoomBy = (factor: number) => setView(zoomAt(viewOrDefault, factor, size.w / 2, size.h / 2, minK));
  const fit = () => setView(fitView(layout.bounds, size));

  // Wheel zoom needs a non-passive listener to keep the page from scrolling.
  const viewRef = useRef({ view: viewOrDefault, minK });
  viewRef.current = { view: viewOrDefault, minK };
  useEffect(() => {
    const element = viewportRef.current;
    if (!element) return;
    const onWheel = (event: WheelEvent) => {
      event.preventDefault();
      const r = element.getBoundingClientRect();
      const delta = event.deltaMode === 1 ? event.deltaY * 16 : event.deltaY;
      const { view: current, minK: min } = viewRef.current;
      setView(zoomAt(current, Math.exp(-delta * 0.0015), event.clientX - r.left, event.clientY - r.top, min));
    };
    element.addEventListener('wheel', onWheel, { passive: false });
    return () => element.removeEventListener('wheel', onWheel);
  }, []);

  // Drag to pan (from anywhere in the viewport, nodes included; a drag is not a click).
  const drag = useRef<{ id: number; x: number; y: number; view: View; moved: boolean } | null>(null);
  const onPointerDown = (event: ReactPointerEvent<HTMLDivElement>) => {
    if (event.button !== 0) return;
    drag.current = { id: event.pointerId, x: event.clientX, y: event.clientY, view: viewOrDefault, moved: false };
    suppressClick.current = false;
  };
  const onPointerMove = (event: ReactPointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    if (!d || d.id !== event.pointerId) return;
    const dx = event.clientX - d.x;
    const dy = event.clientY - d.y;
    if (!d.moved && Math.hypot(dx, dy) < DRAG_THRESHOLD) return;
    if (!d.moved) {
      d.moved = true;
      event.currentTarget.setPointerCapture(event.pointerId);
    }
    setView({ k: d.view.k, tx: d.view.tx + dx, ty: d.view.ty + dy });
  };
  const onPointerUp = (event: ReactPointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    if (!d || d.id !== event.pointerId) return;
    drag.current = null;
    if (d.moved) {
      suppressClick.current = true;
      // The click that follows this pointerup is the end of a drag, not an activation.
      setTimeout(() => (suppressClick.current = false), 0);
    }
  };

  const onKeyDown = (event: ReactKeyboardEvent<HTMLElement>) => {
    const target = event.target as HTMLElement;
    if (target.tagName === 'INPUT' || event.altKey || event.ctrlKey || event.metaKey) return;
    const step = 80;
    const actions: Record<string, () => void> = {
      n: () => goFinding(1),
      p: () => goFinding(-1),
      '+': () => zoomBy(1.25),
      '=': () => zoomBy(1.25),
      '-': () => zoomBy(0.8),
      '0': fit,
      ArrowLeft: () => setView({ ...viewOrDefault, tx: viewOrDefault.tx + step }),
      ArrowRight: () => setView({ ...viewOrDefault, tx: viewOrDefault.tx - step }),
      ArrowUp: () => setView({ ...viewOrDefault, ty: viewOrDefault.ty + step }),
      ArrowDown: () => setView({ ...viewOrDefault, ty: viewOrDefault.ty - step }),
      '/': () => wrapRef.current?.querySelector<HTMLInputElement>('input[type=search]')?.focus(),
    };
    const action = actions[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  };

  // What is in view.
  const keep = new Set<string>();
  if (selected) keep.add(selected);
  const active = typeof document !== 'undefined' ? document.activeElement?.getAttribute('data-layer') : null;
  if (active) keep.add(active);
  const rect = viewRect(viewOrDefault, size);
  const culled = cull(layout, boxes, rect, keep);

  // Overview canvas when too much is in view.
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || !culled.overview) return;
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(size.w * ratio);
    canvas.height = Math.round(size.h * ratio);
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    drawLayout(ctx, layout, viewOrDefault, size, readColors(canvas), { edges: true, minMark: 6 });
  });

  const boxesInView = culled.nodes.filter((n) => n.collapsed === false);
  if (model.items.length === 0) {
    return (
      <section className="lg" data-testid="layer-graph" aria-label="Layer graph">
        <p className="lg-help muted small">No layers in this file’s config: nothing to draw.</p>
      </section>
    );
  }
  const flaggedCount = model.flagged.length;
  // The selection may come from outside (the first finding on open, a finding row): count it too.
  const selectedFlagged = selected ? model.flagged.indexOf(selected) : -1;
  const shownIndex = selectedFlagged >= 0 ? selectedFlagged : findingIndex;
  const label = `Layer graph of ${visible(report.model?.name ?? report.path)}: ${model.items.length} layers, ${flaggedCount} flagged`;

  return (
    <section className="lg" ref={wrapRef} data-testid="layer-graph" aria-label="Layer graph" onKeyDown={onKeyDown}>
      <div className="lg-toolbar" role="toolbar" aria-label="Graph controls">
        <span className="lg-findings">
          <button type="button" onClick={() => goFinding(-1)} disabled={flaggedCount === 0} data-testid="graph-prev-finding" title="Previous finding (p)">
            ‹ Prev finding
          </button>
          <button type="button" onClick={() => goFinding(1)} disabled={flaggedCount === 0} data-testid="graph-next-finding" title="Next finding (n)">
            Next finding ›
          </button>
          <span className="lg-count" aria-hidden="true">
            {flaggedCount === 0 ? 'no flagged layers' : `${shownIndex >= 0 ? shownIndex + 1 : '–'} / ${flaggedCount}`}
          </span>
        </span>
        <span className="lg-search">
          <input
            type="search"
            placeholder="Find layer…"
            aria-label="Find a layer by name or class"
            value={query}
            data-testid="graph-search"
            onChange={(event) => {
              setQuery(event.target.value);
              setMatchIndex(-1);
            }}
            onKeyDown={(event) => {
              if (event.key === 'Enter') {
                event.preventDefault();
                goMatch(event.shiftKey ? -1 : 1);
              }
            }}
          />
          <span className="lg-count" aria-live="polite">
            {query.trim() ? `${matches.length}${matches.length >= MAX_MATCHES ? '+' : ''} match${matches.length === 1 ? '' : 'es'}` : ''}
          </span>
          <button type="button" onClick={() => goMatch(1)} disabled={matches.length === 0} title="Next match (Enter)">
            Find
          </button>
        </span>
        <span className="lg-zoom">
          <button type="button" onClick={() => zoomBy(1 / 1.25)} aria-label="Zoom out" title="Zoom out (-)">
            −
          </button>
          <span className="lg-count" aria-hidden="true">
            {viewOrDefault.k < 0.1 ? (viewOrDefault.k * 100).toFixed(1) : Math.round(viewOrDefault.k * 100)}%
          </span>
          <button type="button" onClick={() => zoomBy(1.25)} aria-label="Zoom in" title="Zoom in (+)">
            +
          </button>
          <button type="button" onClick={fit} title="Fit the whole graph (0)">
            Fit
          </button>
        </span>
      </div>
      <div
        className="lg-viewport"
        ref={viewportRef}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
      >
        {culled.overview && <canvas ref={canvasRef} className="lg-overview" aria-hidden="true" />}
        <svg className="lg-svg" width={size.w} height={size.h} role="group" aria-label={label} data-testid="graph-svg">
          <defs>
            <marker id="lg-arrow" viewBox="0 0 8 8" refX="7.5" refY="4" markerUnits="userSpaceOnUse" markerWidth="8" markerHeight="8" orient="auto">
              <path d="M0 0L8 4L0 8z" className="lg-arrowhead" />
            </marker>
            <marker id="lg-arrow-path" viewBox="0 0 8 8" refX="7.5" refY="4" markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10" orient="auto">
              <path d="M0 0L8 4L0 8z" className="lg-arrowhead on-path" />
            </marker>
          </defs>
          <g transform={`translate(${viewOrDefault.tx} ${viewOrDefault.ty}) scale(${viewOrDefault.k})`}>
            {!culled.overview && boxesInView.map((node) => <ContainerBox key={node.path} node={node} clip={rect} />)}
            <g className="lg-edges">
              {culled.edges.map((edge, i) => (
                <Edge key={`${edge.from}>${edge.to}#${i}`} edge={edge} />
              ))}
            </g>
            {culled.nodes.map((node) => (
              <LayerNode
                key={node.path}
                node={node}
                selected={node.path === selected}
                match={matchSet.has(node.path)}
                diff={marks ? (marks.get(node.path) ?? null) : undefined}
                onActivate={activate}
                register={register}
              />
            ))}
          </g>
        </svg>
        {culled.overview && (
          <p className="lg-hint" aria-hidden="true">
            Overview: zoom in to read layers
          </p>
        )}
        <Minimap layout={layout} view={viewOrDefault} size={size} onCenter={(gx, gy) => setView({ ...viewOrDefault, tx: size.w / 2 - gx * viewOrDefault.k, ty: size.h / 2 - gy * viewOrDefault.k })} />
      </div>
      <GraphLegend diff={marks !== undefined} />
      <p className="lg-sr" aria-live="polite">
        {announce}
      </p>
      <p className="lg-help muted small">
        Drag to pan, wheel to zoom, <kbd>n</kbd>/<kbd>p</kbd> next/previous finding, <kbd>/</kbd> find, click a
        container to expand or collapse it. {FLAG_ICON} marks layers that carry code.
      </p>
    </section>
  );
}

