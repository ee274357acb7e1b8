import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtobufError, type WireReader, wireReader, WIRE_LEN } from '../../src/core/protobuf/wire';
import { type Field, bytes, encode, encodeVarint, fixed32, fixed64, float, group, msg, str, varint } from '../fixtures/savedmodel/encode';

function errorOf(fn: () => unknown): ProtobufError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ProtobufError) return err;
    throw err;
  }
  throw new Error('expected a ProtobufError');
}

/** Walks every field, descending into length-delimited values that parse as messages. */
function walk(r: WireReader, depth = 0): number {
  let count = 0;
  for (let tag = r.readTag(); tag; tag = r.readTag()) {
    count++;
    if (tag.wireType === WIRE_LEN && depth < 3) {
      const sub = r.readMessage();
      try {
        count += walk(sub, depth + 1);
      } catch (err) {
        if (!(err instanceof ProtobufError)) throw err;
      }
    } else r.skip(tag);
  }
  return count;
}

describe('varints', () => {
  it.each([
    [0n, [0x00]],
    [1n, [0x01]],
    [127n, [0x7f]],
    [128n, [0x80, 0x01]],
    [300n, [0xac, 0x02]],
    [2n ** 63n, [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]],
    [2n ** 64n - 1n, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
  ])('decodes %s', (value, wire) => {
    const r = wireReader(Uint8Array.from(wire));
    expect(r.readVarint()).toBe(value);
    expect(r.done).toBe(true);
  });

  it('sign-extends int64 and int32', () => {
    const wire = Uint8Array.from([...encodeVarint(-1n), ...encodeVarint(-(2n ** 31n))]);
    expect(wire.length).toBe(20);
    const r = wireReader(wire);
    expect(r.readInt64()).toBe(-1n);
    expect(r.readInt32()).toBe(-(2 ** 31));
  });

  it('decodes sint64 zig-zag', () => {
    const r = wireReader(Uint8Array.from([0x03, 0x04]));
    expect(r.readSint64()).toBe(-2n);
    expect(r.readSint64()).toBe(2n);
  });

  it('rejects an 11-byte varint with its offset', () => {
    const r = wireReader(Uint8Array.from([0x01, ...new Array(11).fill(0xff)]));
    r.readVarint();
    const e2 = errorOf(() => r.readVarint());
    expect(e2.code).toBe('varint-too-long');
    expect(e2.offset).toBe(1);
  });

  it('reports a varint cut by the end of data', () => {
    const e = errorOf(() => walk(wireReader(Uint8Array.from([0x08, 0x80, 0x80]))));
    expect(e.code).toBe('truncated');
    expect(e.offset).toBe(1);
  });

  it('refuses varints above 2^53 where a JS number is required', () => {
    const r = wireReader(Uint8Array.from(encodeVarint(2n ** 60n)));
    expect(errorOf(() => r.readVarintNumber()).code).toBe('value-too-large');
    expect(wireReader(Uint8Array.from(encodeVarint(2n ** 52n))).readVarintNumber()).toBe(2 ** 52);
  });
});

describe('fields', () => {
  it('reads every wire type the encoder writes', () => {
    const data = encode([varint(1, 150), str(2, 'testing'), fixed32(3, 0xdeadbeef), fixed64(4, 2n ** 64n - 2n), float(5, 1.5), msg(6, [varint(1, 7)])]);
    const r = wireReader(data);
    expect(r.readTag()).toEqual({ field: 1, wireType: 0, offset: 0 });
    expect(r.readVarint()).toBe(150n);
    expect(r.readTag()?.field).toBe(2);
    expect(r.readString()).toBe('testing');
    expect(r.readTag()?.wireType).toBe(5);
    expect(r.readFixed32()).toBe(0xdeadbeef);
    expect(r.readTag()?.wireType).toBe(1);
    expect(r.readFixed64()).toBe(2n ** 64n - 2n);
    r.readTag();
    expect(r.readFloat()).toBe(1.5);
    r.readTag();
    const sub = r.readMessage();
    expect(sub.depth).toBe(1);
    expect(sub.readTag()).toMatchObject({ field: 1, wireType: 0 });
    expect(sub.readVarint()).toBe(7n);
    expect(sub.readTag()).toBeNull();
    expect(r.readTag()).toBeNull();
  });

  it('reads doubles', () => {
    const dv = new DataView(new ArrayBuffer(9));
    dv.setUint8(0, (1 << 3) | 1);
    dv.setFloat64(1, -2.5e-300, true);
    const r = wireReader(new Uint8Array(dv.buffer));
    r.readTag();
    expect(r.readDouble()).toBe(-2.5e-300);
  });

  it('reads packed and unpacked repeated scalars', () => {
    const packed = Uint8Array.from([...encodeVarint(1), 300 & 0x7f | 0x80, 2, 5]);
    const data = encode([bytes(1, packed), varint(1, 9)]);
    const r = wireReader(data);
    const out: bigint[] = [];
    for (let t = r.readTag(); t; t = r.readTag()) out.push(...r.readPackedVarints(t.wireType));
    expect(out).toEqual([1n, 300n, 5n, 9n]);
    const fl = new DataView(new ArrayBuffer(8));
    fl.setFloat32(0, 0.5, true);
    fl.setFloat32(4, -4, true);
    const r2 = wireReader(encode([bytes(2, new Uint8Array(fl.buffer))]));
    const t2 = r2.readTag();
    expect(r2.readPackedFloats(t2!.wireType)).toEqual([0.5, -4]);
  });

  it('skips nested groups and keeps reading after them', () => {
    const data = encode([group(3, [varint(1, 1), group(4, [str(2, 'x')]), fixed32(5, 1)]), varint(9, 42)]);
    const r = wireReader(data);
    const t = r.readTag()!;
    expect(t.wireType).toBe(3);
    r.skip(t);
    expect(r.readTag()?.field).toBe(9);
    expect(r.readVarint()).toBe(42n);
  });

  it('rejects a mismatched end-group with its offset', () => {
    const data = Uint8Array.from([(3 << 3) | 3, 0x08, 0x01, (4 << 3) | 4]);
    const r = wireReader(data);
    const e = errorOf(() => r.skip(r.readTag()!));
    expect(e.code).toBe('group-mismatch');
    expect(e.offset).toBe(3);
  });

  it('rejects an unclosed group', () => {
    const r = wireReader(Uint8Array.from([(3 << 3) | 3, 0x08, 0x01]));
    expect(errorOf(() => r.skip(r.readTag()!)).code).toBe('truncated');
  });

  it('rejects a lone end-group', () => {
    const r = wireReader(Uint8Array.from([(3 << 3) | 4]));
    expect(errorOf(() => r.skip(r.readTag()!)).code).toBe('group-mismatch');
  });

  it.each([
    [[0x0e], 'bad-wire-type'],
    [[0x0f], 'bad-wire-type'],
    [[0x00, 0x00], 'bad-field-number'],
  ])('rejects tag %j with %s at offset 0', (wire, code) => {
    const e = errorOf(() => wireReader(Uint8Array.from(wire)).readTag());
    expect(e.code).toBe(code);
    expect(e.offset).toBe(0);
    expect(e.message).toContain('at byte 0');
  });

  it('reports a length that runs past its message, with the offset of the length', () => {
    const data = Uint8Array.from([0x08, 0x01, 0x12, 0x05, 0x61, 0x62]);
    const r = wireReader(data);
    r.readTag();
    r.readVarint();
    r.readTag();
    const e = errorOf(() => r.readBytes());
    expect(e.code).toBe('truncated');
    expect(e.offset).toBe(3);
  });

  it('keeps sub-readers inside their message', () => {
    // The inner message claims a 10-byte string but is only 3 bytes long.
    const inner = Uint8Array.from([0x0a, 0x0a, 0x61]);
    const r = wireReader(encode([bytes(1, inner), str(2, 'after-the-inner-message')]));
    r.readTag();
    const sub = r.readMessage();
    sub.readTag();
    expect(errorOf(() => sub.readBytes()).offset).toBe(3);
  });

  it('fixed-width reads report truncation', () => {
    const r = wireReader(Uint8Array.from([0x0d, 0x01, 0x02]));
    r.readTag();
    expect(errorOf(() => r.readFixed32()).code).toBe('truncated');
  });
});

describe('limits', () => {
  it('stops at the depth limit', () => {
    let fields: Field[] = [varint(1, 1)];
    for (let i = 0; i < 80; i++) fields = [msg(1, fields)];
    const data = encode(fields);
    const e = errorOf(() => walkAll(wireReader(data, { maxDepth: 64 })));
    expect(e.code).toBe('depth-limit');
    expect(e.offset).toBeGreaterThan(0);
    // Within the limit the same shape reads fine.
    let ok: Field[] = [varint(1, 1)];
    for (let i = 0; i < 10; i++) ok = [msg(1, ok)];
    expect(walkAll(wireReader(encode(ok)))).toBe(11);
  });

  it('stops at the depth limit inside groups', () => {
    let fields: Field[] = [varint(1, 1)];
    for (let i = 0; i < 20; i++) fields = [group(2, fields)];
    const r = wireReader(encode(fields), { maxDepth: 8 });
    expect(errorOf(() => r.skip(r.readTag()!)).code).toBe('depth-limit');
  });

  it('shares the field budget with sub-readers', () => {
    const data = encode([msg(1, [varint(1, 1), varint(2, 2), varint(3, 3)]), varint(2, 1), varint(3, 1)]);
    expect(walkAll(wireReader(data, { maxFields: 6 }))).toBe(6);
    const e = errorOf(() => walkAll(wireReader(data, { maxFields: 5 })));
    expect(e.code).toBe('field-limit');
  });
});

/** Strict walker: every length-delimited field must be a message. */
function walkAll(r: WireReader): number {
  let n = 0;
  for (let t = r.readTag(); t; t = r.readTag()) {
    n++;
    if (t.wireType === WIRE_LEN) n += walkAll(r.readMessage());
    else r.skip(t);
  }
  return n;
}

describe('properties', () => {
  it('random bytes always end in a result or a ProtobufError, quickly', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (data) => {
        const t0 = performance.now();
        try {
          walk(wireReader(data));
        } catch (err) {
          expect(err).toBeInstanceOf(ProtobufError);
          const e = err as ProtobufError;
          expect(e.offset).toBeGreaterThanOrEqual(0);
          expect(e.offset).toBeLessThanOrEqual(data.length);
        }
        expect(performance.now() - t0).toBeLessThan(200);
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips what the test encoder writes', () => {
    const arbField = fc.oneof(
      fc.record({ n: fc.integer({ min: 1, max: 536870911 }), t: fc.constant('varint' as const), v: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) }),
      fc.record({ n: fc.integer({ min: 1, max: 1000 }), t: fc.constant('bytes' as const), v: fc.uint8Array({ maxLength: 40 }) }),
      fc.record({ n: fc.integer({ min: 1, max: 1000 }), t: fc.constant('fixed32' as const), v: fc.nat({ max: 0xffffffff }) }),
      fc.record({ n: fc.integer({ min: 1, max: 1000 }), t: fc.constant('fixed64' as const), v: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) }),
    );
    fc.assert(
      fc.property(fc.array(arbField, { maxLength: 20 }), (fields) => {
        const r = wireReader(encode(fields as Field[]));
        for (const f of fields) {
          const t = r.readTag();
          expect(t?.field).toBe(f.n);
          if (f.t === 'varint') expect(r.readVarint()).toBe(f.v);
          else if (f.t === 'bytes') expect(Array.from(r.readBytes())).toEqual(Array.from(f.v));
          else if (f.t === 'fixed32') expect(r.readFixed32()).toBe(f.v);
          else expect(r.readFixed64()).toBe(f.v);
        }
        expect(r.readTag()).toBeNull();
      }),
      { numRuns: 500 },
    );
  });
});
