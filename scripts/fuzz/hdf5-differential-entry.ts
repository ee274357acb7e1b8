/**
 * Differential fuzz of the root-attribute hand-off (keras-h5.ts): mutated copies of the .h5 fixtures; whenever our
 * parser claims it read every root attribute (so the HDF5 library would not be started), the library (h5wasm) must
 * list the same names and read the same text. Run: node scripts/fuzz/hdf5-differential.mjs [--iterations N] [--seed K]
 */
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import * as h5 from 'h5wasm/node';
import { attributeText } from '../../src/core/formats/keras-h5';
import { preflightRootAttributes } from '../../src/core/formats/hdf5/preflight';
import { readRootAttributes } from '../../src/core/formats/hdf5/root-attributes';
import { MemorySource } from '../../src/core/io/byte-source';
import { scanSource } from '../../src/core/scan';
import { mountHdf5Node } from '../../src/node/hdf5-mount';

export async function runDifferential(root: string, iterations: number, seed: number): Promise<number> {
  await h5.ready;
  const fixtures = path.join(root, 'tests/fixtures');
  const files = ['', 'crafted', 'hdf5-layouts']
    .flatMap((sub) => readdirSync(path.join(fixtures, sub)).filter((n) => n.endsWith('.h5')).map((n) => path.join(fixtures, sub, n)));
  let state = seed >>> 0 || 1;
  const rand = (n: number) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
  const counts = { inputs: 0, parserComplete: 0, libraryOpened: 0, agree: 0, agreeButNonUtf8: 0, oursReadsMore: 0, libraryDecoderDiffers: 0, disagree: 0, libraryFailed: 0, handedToLibrary: 0 };
  const libraryFailedVerdicts: Record<string, number> = {};
  const tmp = path.join(root, '.fuzz/differential');
  mkdirSync(tmp, { recursive: true });
  for (let i = 0; i < iterations; i++) {
    const file = files[i % files.length];
    const bytes = new Uint8Array(readFileSync(file));
    // Mutate the metadata the root attributes live in: the first 64 KiB (superblock, root header, heaps of small files).
    const span = Math.min(bytes.length, 64 * 1024);
    for (let k = 1 + rand(3); k > 0; k--) bytes[rand(span)] = rand(256);
    counts.inputs++;
    const source = new MemorySource(bytes);
    let complete = false;
    let ours: Map<string, string | undefined> = new Map();
    try {
      const pre = await preflightRootAttributes(source, 0);
      const root = await readRootAttributes(source, 0);
      const names = new Set(pre.names);
      complete =
        pre.verified && pre.unnamed === 0 && pre.denseUnreadable === undefined && root.unreadable.size === 0 && root.unnamed.length === 0 &&
        names.size === root.text.size && [...root.text.keys()].every((n) => names.has(n));
      ours = root.text;
    } catch {
      complete = false;
    }
    if (!complete) {
      counts.handedToLibrary++;
      continue;
    }
    counts.parserComplete++;
    const target = path.join(tmp, 'input.h5');
    writeFileSync(target, bytes);
    let library: Map<string, string | undefined>;
    try {
      const f = new h5.File(target, 'r');
      try {
        library = new Map(Object.keys(f.attrs).map((n) => [n, attributeText(f.attrs[n])]));
      } finally {
        f.close();
      }
    } catch {
      counts.libraryFailed++;
      // The scan on this machine: the parser's result stands only with a config; count what it concludes.
      const report = await scanSource(new MemorySource(bytes, 'input.h5'), { mountHdf5: mountHdf5Node });
      libraryFailedVerdicts[report.verdict] = (libraryFailedVerdicts[report.verdict] ?? 0) + 1;
      continue;
    }
    counts.libraryOpened++;
    const same = library.size === ours.size && [...library].every(([n, t]) => ours.has(n) && ours.get(n) === t);
    // Bytes that are not UTF-8: the library gives one character per byte, we give U+FFFD; neither swallows an
    // ASCII byte, so the JSON structure and any code (base64, ASCII) read the same.
    const ascii = (t: string | undefined) => t?.replace(/[^\x00-\x7f]/g, '');
    const sameAscii = library.size === ours.size && [...library].every(([n, t]) => ours.has(n) && ascii(ours.get(n)) === ascii(t));
    // A value the library reads that we read differently, where our text is valid UTF-8 (no U+FFFD): h5wasm's
    // own UTF-8 decoder (Emscripten's) may swallow ASCII bytes after an invalid lead byte, Python's does not.
    const differs = [...library].filter(([n, t]) => t !== undefined && ours.get(n) !== t && !(ours.get(n) ?? '').includes('\ufffd'));
    const oursMore = [...ours.keys()].some((n) => library.get(n) === undefined && ours.get(n) !== undefined);
    if (same) counts.agree++;
    else if (sameAscii) counts.agreeButNonUtf8++;
    else if (differs.length === 0 && oursMore) counts.oursReadsMore++;
    else if (differs.length === 0) counts.libraryDecoderDiffers++;
    else {
      counts.disagree++;
      const saved = path.join(tmp, `disagree-${seed}-${i}.h5`);
      writeFileSync(saved, bytes);
      const diff = [...new Set([...library.keys(), ...ours.keys()])]
        .filter((n) => library.get(n) !== ours.get(n))
        .map((n) => `${JSON.stringify(n)}: library ${JSON.stringify(library.get(n)?.slice(0, 60))} / ours ${JSON.stringify(ours.get(n)?.slice(0, 60))}`);
      console.log(`disagree #${i} (${path.basename(file)}) saved ${saved}\n  ${diff.join('\n  ')}`);
    }
  }
  console.log(JSON.stringify(counts));
  console.log(`library could not open, scan verdicts: ${JSON.stringify(libraryFailedVerdicts)}`);
  return counts.disagree;
}
