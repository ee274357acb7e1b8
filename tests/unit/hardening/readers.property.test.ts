/**
 * Property tests (fast-check) for the readers under hostile bytes: every call returns a result or its module's
 * typed error, within the time bound, with bounded memory. numRuns keep the whole directory under 2 minutes.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseJson, JsonError } from '../../../src/core/json/parse';
import { readMarshal, MarshalError } from '../../../src/core/python/marshal';
import { scanPickle } from '../../../src/core/pickle/scan';
import { ProtobufError, WireReader } from '../../../src/core/protobuf/wire';
import { openZip } from '../../../src/core/formats/zip';
import { FormatError } from '../../../src/core/formats/format';
import { MemorySource } from '../../../src/core/io/byte-source';
import { preflightRootAttributes } from '../../../src/core/formats/hdf5/preflight';
import { Hdf5Damage } from '../../../src/core/formats/hdf5/raw';
import { loadCorpus } from '../../../scripts/fuzz/corpus';
import { randomMarshal } from '../../../scripts/fuzz/marshal-gen';
import { randomPickle } from '../../../scripts/fuzz/pickle-gen';
import { randomProtobuf } from '../../../scripts/fuzz/protobuf-gen';
import { mutateBytes } from '../../../scripts/fuzz/mutate';
import { Rng } from '../../../scripts/fuzz/prng';
import { writeZip } from '../../../scripts/fuzz/zip-lite';
import { ROOT, RunCounter, TIME_BOUND_MS, heapMb, timed } from './helpers';

const corpus = loadCorpus(ROOT);
const counter = new RunCounter();
afterAll(() => counter.print('readers.property'));

/** A mutated seed, reproducible from the fast-check integer. */
const mutated = (seeds: Uint8Array[]) =>
  fc.integer({ min: 0, max: 2 ** 31 - 1 }).map((n) => {
    const rng = new Rng(n, 'prop');
    return mutateBytes(rng, rng.pick(seeds), () => rng.pick(seeds), []);
  });
const generated = (gen: (rng: Rng) => Uint8Array) => fc.integer({ min: 0, max: 2 ** 31 - 1 }).map((n) => gen(new Rng(n, 'gen')));

function bounded<T>(name: string, fn: () => T): T {
  const before = heapMb();
  const { value, ms } = timed(fn);
  counter.add(name);
  expect(ms, `${name} took ${ms.toFixed(0)} ms`).toBeLessThan(TIME_BOUND_MS);
  // Memory: whatever a reader keeps must be far below its input budgets (64 MB).
  expect(heapMb() - before).toBeLessThan(512);
  return value;
}

describe('readMarshal', () => {
  const check = (bytes: Uint8Array) =>
    bounded('marshal', () => {
      try {
        const r = readMarshal(bytes);
        expect(r.bytesRead).toBe(bytes.length);
      } catch (e) {
        expect(e).toBeInstanceOf(MarshalError);
      }
    });
  it('mutated golden payloads: a value or a MarshalError', () => {
    fc.assert(fc.property(mutated(corpus.marshal), check), { numRuns: 600 });
  });
  it('random streams and random bytes: a value or a MarshalError', () => {
    fc.assert(fc.property(generated(randomMarshal), check), { numRuns: 400 });
    fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 512 }), check), { numRuns: 300 });
  });
});

describe('scanPickle', () => {
  const check = (bytes: Uint8Array) =>
    bounded('pickle', () => {
      const r = scanPickle(bytes); // never throws
      expect(r.opcodes).toBeGreaterThanOrEqual(0);
      if (r.error) expect(r.error.message.length).toBeGreaterThan(0);
      expect(r.end).toBeLessThanOrEqual(bytes.length);
    });
  it('mutated fixtures, random opcode streams, random bytes: never throws', () => {
    const seeds = corpus.pickle.map((s) => s.bytes);
    fc.assert(fc.property(mutated(seeds), check), { numRuns: 500 });
    fc.assert(fc.property(generated(randomPickle), check), { numRuns: 500 });
    fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 512 }), check), { numRuns: 300 });
  });
});

describe('protobuf wire reader', () => {
  /** Reads every field, recursing into length-delimited fields as messages where they parse. */
  function walk(r: WireReader, depth: number): number {
    let fields = 0;
    for (let tag = r.readTag(); tag; tag = r.readTag()) {
      fields++;
      if (tag.wireType === 2 && depth < 80) {
        const sub = r.readMessage();
        try {
          fields += walk(sub, depth + 1);
        } catch (e) {
          if (!(e instanceof ProtobufError)) throw e;
        }
      } else r.skip(tag);
    }
    return fields;
  }
  const check = (bytes: Uint8Array) =>
    bounded('protobuf', () => {
      try {
        walk(new WireReader(bytes), 0);
      } catch (e) {
        expect(e).toBeInstanceOf(ProtobufError);
      }
    });
  it('mutated .pb seeds, random streams, random bytes: fields or a ProtobufError', () => {
    fc.assert(fc.property(mutated(corpus.pb.map((s) => s.bytes)), check), { numRuns: 400 });
    fc.assert(fc.property(generated(randomProtobuf), check), { numRuns: 400 });
    fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 512 }), check), { numRuns: 300 });
  });
});

describe('openZip', () => {
  const check = async (bytes: Uint8Array) => {
    const t = performance.now();
    counter.add('zip');
    try {
      const zip = await openZip(new MemorySource(bytes, 'z.zip'));
      for (const m of zip.members.slice(0, 4)) {
        if (m.directory) continue;
        try {
          const data = await zip.read(m.name, 4 * 1024 * 1024);
          expect(data.length).toBeLessThanOrEqual(4 * 1024 * 1024);
        } catch (e) {
          expect(e).toBeInstanceOf(FormatError);
        }
      }
      await zip.close();
    } catch (e) {
      expect(e).toBeInstanceOf(FormatError);
    }
    expect(performance.now() - t).toBeLessThan(TIME_BOUND_MS);
  };
  it('mutated .keras archives: members or a FormatError', async () => {
    await fc.assert(fc.asyncProperty(mutated(corpus.keras.map((s) => s.bytes)), check), { numRuns: 250 });
  });
  it('archives with lying headers: members or a FormatError', async () => {
    const lying = fc.record({
      size: fc.constantFrom(0, 1, 1000, 0x7fffffff, 0xffffffff),
      csize: fc.constantFrom(0, 1, 5, 0x7fffffff, 0xffffffff),
      count: fc.constantFrom(0, 1, 2, 0xffff),
      method: fc.constantFrom<0 | 8>(0, 8),
    });
    await fc.assert(
      fc.asyncProperty(lying, async (l) => {
        const data = new TextEncoder().encode('{"class_name": "Sequential", "config": {"layers": []}}');
        await check(writeZip([{ name: 'config.json', data, method: l.method, declaredSize: l.size, declaredCompressedSize: l.csize }], { declaredCount: l.count }));
      }),
      { numRuns: 120 },
    );
  });
  it('random bytes behind a zip signature: a FormatError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 256 }), async (tail) => {
        const bytes = new Uint8Array(4 + tail.length);
        bytes.set([0x50, 0x4b, 0x03, 0x04]);
        bytes.set(tail, 4);
        await check(bytes);
      }),
      { numRuns: 150 },
    );
  });
});

describe('parseJson', () => {
  const check = (text: string) =>
    bounded('json', () => {
      try {
        parseJson(text);
      } catch (e) {
        expect(e).toBeInstanceOf(JsonError);
      }
    });
  it('arbitrary JSON values, with NaN/Infinity tokens spliced in: a value or a JsonError', () => {
    const withTokens = fc.tuple(fc.json(), fc.array(fc.constantFrom('NaN', 'Infinity', '-Infinity', '"NaN"', '[', '{', '"\\'), { maxLength: 4 }), fc.nat()).map(([json, tokens, at]) => {
      let text = json;
      for (const t of tokens) {
        const i = text.length ? at % text.length : 0;
        text = text.slice(0, i) + t + text.slice(i);
      }
      return text;
    });
    fc.assert(fc.property(withTokens, check), { numRuns: 800 });
  });
  it('deep nesting on either side of the depth limit: a value or a JsonError, never a RangeError', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200_000 }), fc.constantFrom('[', '{"a":'), fc.boolean(), (depth, open, closed) => {
        const close = open === '[' ? ']' : '}';
        check(open.repeat(depth) + '1' + (closed ? close.repeat(depth) : ''));
      }),
      { numRuns: 60 },
    );
  });
  it('huge strings: parsed or refused by size, quickly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8_000_000 }), fc.constantFrom('a', 'NaN', '\\"', 'é'), (n, piece) => {
        check(`{"s": "${piece.repeat(Math.ceil(n / piece.length))}", "x": NaN}`);
      }),
      { numRuns: 30 },
    );
  });
});

describe('HDF5 attribute pre-check', () => {
  // Async reads over bytes in memory: the same code the page and the CLI run before h5wasm opens a file.
  it('mutated .h5 seeds (v0 and v2 superblocks, compact and dense attributes): a result or an Hdf5Damage', async () => {
    await fc.assert(
      fc.asyncProperty(mutated(corpus.h5.map((s) => s.bytes)), async (bytes) => {
        const before = heapMb();
        const t = performance.now();
        try {
          const r = await preflightRootAttributes(new MemorySource(bytes), 0);
          expect(typeof r.verified).toBe('boolean');
        } catch (e) {
          expect(e).toBeInstanceOf(Hdf5Damage);
        }
        counter.add('hdf5-precheck');
        expect(performance.now() - t).toBeLessThan(TIME_BOUND_MS);
        expect(heapMb() - before).toBeLessThan(512);
      }),
      { numRuns: 400 },
    );
  });
});
