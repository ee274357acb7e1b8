/** The system under test: bytes → scanSource (Node host, HDF5 through h5wasm) → classified outcome. */
import { MemorySource } from '../../src/core/io/byte-source';
import { scanSource } from '../../src/core/scan';
import { mountHdf5Node } from '../../src/node/hdf5-mount';
import { classifyReport, classifyThrown, type Classified } from './classify';

export interface TargetResult extends Classified {
  ms: number;
}

export async function scanBytes(bytes: Uint8Array, name: string, onStage?: (stage: string) => void): Promise<TargetResult> {
  const started = performance.now();
  let c: Classified;
  try {
    const report = await scanSource(new MemorySource(bytes, name), { mountHdf5: mountHdf5Node, onProgress: onStage && ((p) => onStage(`${p.stage}: ${p.message}`)) });
    c = classifyReport(report);
  } catch (e) {
    c = classifyThrown(e);
  }
  return { ...c, ms: performance.now() - started };
}
