// (d) Costs of the hostile-input guards: the HDF5 attribute pre-check (src/core/formats/hdf5/preflight.ts) on
// real .h5 files and the large sparse inputs (reads, bytes, median ms), and decoding oversized Lambda payloads
// (tests/fixtures/slow-model.mjs) across the limits of src/core/python/limits.ts (median ms, heap growth).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundlePrecheck, root } from './bundle.mjs';
import { inflatedLambda } from '../../tests/fixtures/slow-model.mjs';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function precheckCosts({ files, runs = 7 }) {
  const { preflightRootAttributes, findSuperblock, NodeFileSource } = await import(pathToFileURL(await bundlePrecheck()).href);
  const rows = [];
  for (const file of files) {
    const times = [];
    let reads = 0;
    let bytes = 0;
    let result;
    let size = 0;
    for (let i = 0; i < runs; i++) {
      const source = await NodeFileSource.open(file);
      const read = source.read.bind(source);
      reads = 0;
      bytes = 0;
      source.read = async (offset, length) => {
        const b = await read(offset, length);
        reads++;
        bytes += b.length;
        return b;
      };
      const t = performance.now();
      const at = (await findSuperblock(source, { head: await source.read(0, 4096), size: source.size })) ?? 0;
      result = await preflightRootAttributes(source, at);
      times.push(performance.now() - t);
      size = source.size;
      await source.close();
    }
    rows.push({ file: path.relative(root, file), size, ms: median(times), reads, bytes, verified: result.verified, heapObjects: result.heapObjects });
  }
  return rows;
}

export async function oversizedPayloadCosts({ sizes = [1_000, 20_000, 100_000, 1_000_000], runs = 3 } = {}) {
  const { decodePayload } = await import(pathToFileURL(await bundlePrecheck()).href);
  const rows = [];
  for (const n of sizes) {
    const bytes = inflatedLambda('mal_os_system', n);
    const times = [];
    let d;
    const heapBefore = process.memoryUsage().heapUsed;
    let peak = 0;
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      d = decodePayload(bytes, {});
      times.push(performance.now() - t);
      peak = Math.max(peak, process.memoryUsage().heapUsed - heapBefore);
    }
    rows.push({
      instructions: n,
      bytecodeBytes: n * 4 + 40,
      ms: median(times),
      heapGrowthMb: Math.round(peak / 1e6),
      source: /more than the \d+ it decompiles/.test(d.source ?? '') ? 'over limit' : 'yes',
      disassembly: d.disassembly === undefined ? 'over limit' : `${d.disassembly.split('\n').length} lines`,
      indicators: d.indicators.length,
    });
  }
  return rows;
}
