/** The bounds that must hold end to end, each checked on a real hostile input (see the hardening report). */
import { afterAll, describe, expect, it } from 'vitest';
import { parseJson, JsonError } from '../../../src/core/json/parse';
import { readMarshal, MarshalError } from '../../../src/core/python/marshal';
import { scanPickle } from '../../../src/core/pickle/scan';
import { openZip, ZIP_LIMITS } from '../../../src/core/formats/zip';
import { FormatError } from '../../../src/core/formats/format';
import { MemorySource } from '../../../src/core/io/byte-source';
import { scanSource } from '../../../src/core/scan';
import { mountHdf5Node } from '../../../src/node/hdf5-mount';
import { writeZip, zeroDeflateBomb } from '../../../scripts/fuzz/zip-lite';
import { RunCounter, TIME_BOUND_MS, fixture, heapMb, isClearOutcome, scanBytes } from './helpers';

const counter = new RunCounter();
afterAll(() => counter.print('bounds'));
const enc = new TextEncoder();

describe('JSON', () => {
  it('size: text over maxBytes is refused before parsing', () => {
    expect(() => parseJson('[' + '1,'.repeat(600) + '1]', { maxBytes: 1000, maxDepth: 256, maxNodes: 1e6 })).toThrow(/over the 1000 limit/);
    counter.add('json');
  });
  it('depth: 256 levels parse, 257 are refused; 1,000,000 levels never overflow the stack', () => {
    expect(() => parseJson('['.repeat(255) + ']'.repeat(255))).not.toThrow();
    expect(() => parseJson('['.repeat(257) + ']'.repeat(257))).toThrow(/deeper than 256/);
    expect(() => parseJson('['.repeat(1_000_000) + ']'.repeat(1_000_000))).toThrow(JsonError);
    counter.add('json', 3);
  });
  it('config node count: more than 2,000,000 values are refused', () => {
    expect(() => parseJson(`[${'0,'.repeat(2_000_000)}0]`)).toThrow(/more than 2000000 values/);
    counter.add('json');
  });
});

describe('marshal', () => {
  const nested = (levels: number) => {
    const b = new Uint8Array(levels * 2 + 1);
    for (let i = 0; i < levels; i++) (b[2 * i] = 0x29), (b[2 * i + 1] = 1);
    b[levels * 2] = 0x4e;
    return b;
  };
  it('depth: nesting past maxDepth (200) is a MarshalError', () => {
    expect(() => readMarshal(nested(150))).not.toThrow();
    expect(() => readMarshal(nested(100_000))).toThrow(/nesting deeper than 200/);
    counter.add('marshal', 2);
  });
  it('object count and ref table are bounded', () => {
    const tuple = new Uint8Array(5 + 3000);
    tuple[0] = 0x28;
    new DataView(tuple.buffer).setUint32(1, 3000, true);
    tuple.fill(0x4e, 5);
    expect(() => readMarshal(tuple, { limits: { maxObjects: 1000 } })).toThrow(/more than 1000 objects/);
    const refs = new Uint8Array(5 + 3000 * 5);
    refs[0] = 0x28;
    new DataView(refs.buffer).setUint32(1, 3000, true);
    for (let i = 0; i < 3000; i++) refs[5 + 5 * i] = 0xe9; // FLAG_REF int
    expect(() => readMarshal(refs, { limits: { maxRefs: 1000 } })).toThrow(/ref table larger than 1000/);
    // A count larger than the remaining bytes is refused before allocating.
    const lying = Uint8Array.of(0x28, 0xff, 0xff, 0xff, 0x7f, 0x4e);
    expect(() => readMarshal(lying)).toThrow(MarshalError);
    counter.add('marshal', 3);
  });
});

describe('pickle', () => {
  it('opcode count and memo size are bounded (scan ends with a limit error, never throws)', () => {
    const dups = new Uint8Array(3 + 5000);
    dups.set([0x80, 4, 0x4e]);
    dups.fill(0x32, 3);
    expect(scanPickle(dups, { limits: { maxOpcodes: 1000 } }).error?.message).toMatch(/limit: more than 1000 opcodes/);
    const memo = new Uint8Array(3 + 5000);
    memo.set([0x80, 4, 0x4e]);
    memo.fill(0x94, 3);
    expect(scanPickle(memo, { limits: { maxMemo: 1000 } }).error?.message).toMatch(/memo larger than 1000/);
    counter.add('pickle', 2);
  });
});

describe('zip', () => {
  it('member count: more than ZIP_LIMITS.maxMembers is a FormatError', async () => {
    const saved = ZIP_LIMITS.maxMembers;
    ZIP_LIMITS.maxMembers = 50;
    try {
      const zip = writeZip(Array.from({ length: 51 }, (_, i) => ({ name: `m${i}`, data: new Uint8Array(0) })));
      await expect(openZip(new MemorySource(zip))).rejects.toThrow(/more than 50 members/);
    } finally {
      ZIP_LIMITS.maxMembers = saved;
    }
    counter.add('zip');
  });

  it('deflate bomb: 1 GiB of zeros in ~1 MB stops at the cap on real output, whatever size it declares', async () => {
    const bomb = await zeroDeflateBomb(1024);
    console.log(`[bounds] deflate bomb: ${bomb.length} bytes inflating to 1 GiB`);
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    const data = new Uint8Array(0); // crc/size come from the lies below
    const honest = writeZip([{ name: 'config.json', data, method: 8, raw: bomb, declaredSize: 1024 ** 3 }]);
    const lying = writeZip([{ name: 'config.json', data, method: 8, raw: bomb, declaredSize: 1000 }]);
    const before = heapMb();
    const t = performance.now();
    // The declared size is neither trusted nor refused: Python's zipfile reads what is really there, so the cap on
    // real output is the only defence, for an honest 1 GiB declaration and a lying 1000-byte one alike.
    for (const zip of [honest, lying]) {
      const a = await openZip(new MemorySource(zip));
      await expect(a.read('config.json', 8 * 1024 * 1024)).rejects.toThrow(/inflates past 8388608 bytes/);
      await expect(a.readHead('config.json', 4096)).resolves.toHaveLength(4096);
    }
    const ms = performance.now() - t;
    const c = await openZip(new MemorySource(writeZip([{ name: 'w.bin', data, method: 8, raw: bomb, declaredSize: 32 * 1024 * 1024 }])));
    await expect(c.read('w.bin', 64 * 1024 * 1024)).rejects.toThrow(/inflates past 67108864 bytes/);
    console.log(`[bounds] lying bomb stopped after ${ms.toFixed(0)} ms, heap +${(heapMb() - before).toFixed(0)} MB`);
    expect(ms).toBeLessThan(TIME_BOUND_MS);
    expect(heapMb() - before).toBeLessThan(200);
    counter.add('zip', 2);
  });

  it('a .keras whose config.json is the bomb: error report within the time bound; as weights: a ratio fact, not an inflation', async () => {
    const bomb = await zeroDeflateBomb(1024);
    const cfg = enc.encode('{"class_name": "Sequential", "config": {"name": "s", "layers": []}}');
    for (const declaredSize of [1000, 1024 ** 3]) {
      const keras = writeZip([{ name: 'config.json', data: cfg, method: 8, raw: bomb, declaredSize }]);
      const { report, ms } = await scanBytes(keras, 'bomb.keras');
      expect(report.verdict).toBe('error');
      expect(report.error?.message).toMatch(/config\.json/);
      expect(isClearOutcome(report)).toBe(true);
      expect(ms).toBeLessThan(TIME_BOUND_MS);
    }
    const weights = writeZip([
      { name: 'config.json', data: cfg },
      { name: 'model.weights.h5', data: new Uint8Array(0), method: 8, raw: bomb, declaredSize: 1024 ** 3 },
    ]);
    const { report, ms } = await scanBytes(weights, 'bomb-weights.keras');
    expect(ms).toBeLessThan(TIME_BOUND_MS);
    expect(report.verdict).not.toBe('error');
    const facts = JSON.stringify(report.findings);
    expect(facts).toMatch(/ratio|bomb|declare|not inspected|not-inspected/i);
    counter.add('zip', 3);
  });

  it('declared sizes larger than the archive are refused without reading', async () => {
    const zip = writeZip([{ name: 'config.json', data: enc.encode('{}'), declaredSize: 0xffffffff, declaredCompressedSize: 0xffffffff }]);
    const { report } = await scanBytes(zip, 'lying.keras');
    expect(report.verdict).toBe('error');
    expect(isClearOutcome(report)).toBe(true);
    counter.add('zip');
  });
});

describe('total time per file', () => {
  it('an aborted scan ends promptly with an error report (the hosts time-bound through the signal / worker watchdog)', async () => {
    const controller = new AbortController();
    controller.abort();
    const report = await scanSource(new MemorySource(fixture('mal_os_system.keras'), 'x.keras'), { mountHdf5: mountHdf5Node, signal: controller.signal });
    expect(report.verdict).toBe('error');
    expect(report.error?.message).toMatch(/cancelled/);
    counter.add('time');
  });
});
