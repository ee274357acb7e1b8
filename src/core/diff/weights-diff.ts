/**
 * The weight records of two containers compared (weights.ts reads them; values never). Zip members by name:
 * CRC-32 and sizes. HDF5 datasets by path when both files lay weights out the same way (two `.h5`, or two
 * `.keras` weights members), with renamed layers' names mapped in the path; otherwise (an `.h5` against a
 * `.keras`, whose paths name different things) as a multiset of shape + dtype, and the note says so.
 */
import type { Difference, Unmatched } from './types';
import type { DatasetRecord, MemberRecord, WeightRecords } from './weights';

function crcText(m: MemberRecord): string {
  return `crc32 ${m.crc32 === null ? 'none' : m.crc32.toString(16).padStart(8, '0')}, ${m.size} bytes (${m.compressedSize} stored)`;
}

function datasetText(d: DatasetRecord): string {
  return `${d.dtype} ${d.shape === null ? 'null' : `(${d.shape.join(', ')})`}`;
}

function layoutOf(w: WeightRecords): string {
  return w.datasetsIn ? `zip:${w.datasetsIn}` : w.container;
}

export function diffWeights(
  a: WeightRecords | null,
  b: WeightRecords | null,
  renamed: ReadonlyMap<string, string>,
  differences: Difference[],
  unmatched: Unmatched[],
  notes: string[],
): void {
  if (!a || !b) {
    if (!a) unmatched.push({ side: 'a', what: 'weight records', reason: 'not read for this file' });
    if (!b) unmatched.push({ side: 'b', what: 'weight records', reason: 'not read for this file' });
    return;
  }
  for (const [w, side] of [[a, 'a'], [b, 'b']] as const) for (const p of w.problems) unmatched.push({ side, what: 'weight records', reason: p });
  const push = (record: Extract<Difference, { kind: 'container-changed' }>['record']) => differences.push({ kind: 'container-changed', codeCarrying: false, record });

  if (a.container === 'zip' && b.container === 'zip') {
    const mb = new Map(b.members.map((m) => [m.name, m]));
    const ma = new Map(a.members.map((m) => [m.name, m]));
    for (const x of a.members) {
      const y = mb.get(x.name);
      if (!y) push({ part: 'member', name: x.name, change: 'removed', from: crcText(x) });
      else if (x.crc32 !== y.crc32 || x.size !== y.size) push({ part: 'member', name: x.name, change: 'changed', from: crcText(x), to: crcText(y) });
    }
    for (const y of b.members) if (!ma.has(y.name)) push({ part: 'member', name: y.name, change: 'added', to: crcText(y) });
  } else if (a.container === 'zip' || b.container === 'zip') {
    notes.push('Zip member records exist on one side only (the other file is not a zip), so CRC-32 values were not compared.');
  }

  if (a.datasets.length === 0 && b.datasets.length === 0) return;
  const prefix = (w: WeightRecords) => (w.datasetsIn ? `${w.datasetsIn}:` : '');
  if (layoutOf(a) === layoutOf(b)) {
    const mapPath = (p: string) =>
      p
        .split('/')
        .map((s) => renamed.get(s) ?? s)
        .join('/');
    const byPath = new Map(b.datasets.map((d) => [d.path, d]));
    const seen = new Set<string>();
    for (const x of a.datasets) {
      const path = mapPath(x.path);
      const y = byPath.get(path);
      if (!y) {
        push({ part: 'dataset', name: prefix(a) + x.path, change: 'removed', from: datasetText(x) });
        continue;
      }
      seen.add(path);
      if (datasetText(x) !== datasetText(y)) push({ part: 'dataset', name: prefix(b) + y.path, change: 'changed', from: datasetText(x), to: datasetText(y) });
    }
    for (const y of b.datasets) if (!seen.has(y.path)) push({ part: 'dataset', name: prefix(b) + y.path, change: 'added', to: datasetText(y) });
    return;
  }
  // Different layouts: an .h5 names weights by layer (model_weights/dense/dense/kernel), a .keras by attribute
  // path (layers/dense/vars/0); only the multiset of shapes and dtypes is comparable.
  const count = (ds: DatasetRecord[]) => {
    const m = new Map<string, number>();
    for (const d of ds) m.set(datasetText(d), (m.get(datasetText(d)) ?? 0) + 1);
    return m;
  };
  const ca = count(a.datasets);
  const cb = count(b.datasets);
  let same = 0;
  for (const key of new Set([...ca.keys(), ...cb.keys()])) {
    const x = ca.get(key) ?? 0;
    const y = cb.get(key) ?? 0;
    same += Math.min(x, y);
    if (x > y) push({ part: 'dataset', name: key, change: 'removed', from: `${x - y} more dataset(s) of ${key}` });
    if (y > x) push({ part: 'dataset', name: key, change: 'added', to: `${y - x} more dataset(s) of ${key}` });
  }
  notes.push(
    `The weights are laid out differently (${layoutOf(a)} against ${layoutOf(b)}), so datasets were compared by shape and dtype only: ${same} of ${a.datasets.length} / ${b.datasets.length} agree.`,
  );
}
