// What scripts/bench/tree-walk.mjs --browser times in Chromium: the walk over a dropped File, as the worker reads it.
import { walkHdf5Tree } from '../../src/core/formats/hdf5/tree';
import { BlobSource } from '../../src/worker/blob-source';

declare global {
  interface Window {
    walkFile(runs: number): Promise<{ ms: number[]; datasets: number; skipped: number; reads: number; bytesRead: number }>;
  }
}

window.walkFile = async (runs) => {
  const file = (document.querySelector('input[type=file]') as HTMLInputElement).files![0];
  const ms: number[] = [];
  let tree;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    tree = await walkHdf5Tree(new BlobSource(file), 0);
    ms.push(performance.now() - t);
  }
  return { ms, datasets: tree!.datasets.length, skipped: tree!.skipped.length, reads: tree!.reads, bytesRead: tree!.bytesRead };
};
