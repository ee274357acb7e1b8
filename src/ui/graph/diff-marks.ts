/**
 * The merged graph of a comparison: the copy under review (b) with the reference's layers it lacks put back, and
 * each layer marked added (only in b), removed (only in a) or changed (class, config, inbound edges, code or
 * findings differ). Data only; LayerGraph draws the marks.
 */
import type { Difference, ModelDiff } from '../../core/diff/types';
import type { FileReport, LayerInfo } from '../../core/report';

export type DiffMark = 'added' | 'removed' | 'changed';

/** One table for the marks: symbol drawn on the node, and the legend's words. */
export const DIFF_MARKS: Record<DiffMark, { symbol: string; label: string }> = {
  added: { symbol: '+', label: 'only in the copy under review (b)' },
  removed: { symbol: '−', label: 'only in the reference (a)' },
  changed: { symbol: '~', label: 'changed: class, config, inputs, code or findings' },
};

export interface MergedGraph {
  report: FileReport;
  marks: ReadonlyMap<string, DiffMark>;
}

/** The layers (in the merged graph's names) a difference is about, with the mark it gives them. */
export function layersOf(d: Difference, inB: ReadonlySet<string>): { path: string; mark: DiffMark }[] {
  const changed = (path: string | undefined) => (path && inB.has(path) ? [{ path, mark: 'changed' as const }] : []);
  switch (d.kind) {
    case 'layer-added':
      return [{ path: d.layer, mark: 'added' }];
    case 'layer-removed':
      return inB.has(d.layer) ? [] : [{ path: d.layer, mark: 'removed' }];
    case 'layer-renamed':
    case 'class-changed':
    case 'config-changed':
    case 'inbound-changed':
      return changed(d.b || undefined);
    case 'payload-added':
      return changed(d.b.layer);
    case 'payload-removed':
      return changed(d.a.layer);
    case 'payload-changed':
      return changed(d.b.layer);
    case 'finding-added':
    case 'finding-removed':
    case 'finding-changed':
      return changed(d.layer);
    default:
      return [];
  }
}

export function mergedGraph(a: FileReport, b: FileReport, diff: ModelDiff): MergedGraph {
  const marks = new Map<string, DiffMark>();
  const inB = new Set(b.layers.map((l) => l.path));
  const removed: LayerInfo[] = [];
  for (const d of diff.differences) {
    for (const { path, mark } of layersOf(d, inB)) {
      // Added and removed say more than changed; keep them.
      if (mark === 'changed' && marks.has(path)) continue;
      marks.set(path, mark);
      const info = mark === 'removed' ? a.layers.find((l) => l.path === path) : undefined;
      // A removed layer is drawn under b's layer of the same parent path when there is one, else at the top.
      if (info) removed.push({ ...info, parent: info.parent !== undefined && inB.has(info.parent) ? info.parent : b.layers[0]?.path, inbound: info.inbound.filter((p) => inB.has(p)) });
    }
  }
  return { report: { ...b, layers: [...b.layers, ...removed] }, marks };
}
