/** Corrupt input never throws: it becomes verdict `error` with a message that says what is wrong. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemorySource } from '../../src/core/io/byte-source';
import { scanSource } from '../../src/core/scan';
import { mountHdf5Node } from '../../src/node/hdf5-mount';

const fixture = (name: string) => new Uint8Array(readFileSync(path.join(__dirname, '../fixtures', name)));
const scan = (bytes: Uint8Array, name = 'input') => scanSource(new MemorySource(bytes, name), { mountHdf5: mountHdf5Node });

describe('corrupt input', () => {
  it('empty file', async () => {
    const r = await scan(new Uint8Array(0));
    expect(r.verdict).toBe('error');
    expect(r.error!.message).toMatch(/empty/);
  });
  it('truncated zip', async () => {
    const bytes = fixture('seq_lambda_benign.keras');
    const r = await scan(bytes.subarray(0, Math.floor(bytes.length / 2)));
    expect(r.verdict).toBe('error');
    expect(r.error!.message).toMatch(/zip/i);
  });
  it('flipped HDF5 superblock byte', async () => {
    const bytes = fixture('mal_os_system.h5').slice();
    bytes[8] ^= 0xff; // superblock version
    const r = await scan(bytes);
    expect(r.verdict).toBe('error');
    expect(r.error!.message).toMatch(/HDF5|recognised/);
  });
  it('invalid JSON', async () => {
    const r = await scan(new TextEncoder().encode('{"class_name": "Sequential", "config": {'));
    expect(r.verdict).toBe('error');
    expect(r.error!.message).toMatch(/invalid JSON/);
  });
  it('unknown bytes', async () => {
    const r = await scan(new Uint8Array([0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5]));
    expect(r.verdict).toBe('error');
    expect(r.error!.message).toMatch(/not a recognised model format/);
  });
  it('a zip that is not a Keras archive', async () => {
    const bytes = fixture('seq_lambda_benign.keras').slice();
    // rename config.json in both headers → the archive has no config.json
    const text = new TextDecoder('latin1').decode(bytes);
    for (let i = text.indexOf('config.json'); i >= 0; i = text.indexOf('config.json', i + 1)) bytes[i] = 'k'.charCodeAt(0);
    const r = await scan(bytes);
    expect(r.verdict).toBe('error');
    expect(r.error!.message).toMatch(/without config\.json/);
  });
});

describe('corrupt pickle-bearing input', () => {
  it('a pickle PROTO header followed by garbage', async () => {
    const r = await scan(Uint8Array.of(0x80, 0x04, 0xff, 0xfe, 0xfd, 0xfc));
    expect(r.verdict).toBe('error');
    expect(r.error!.message).toMatch(/unreadable pickle/);
  });
  it('a .npy whose header runs past the end', async () => {
    const npy = fixture('pickle/npy/f4-3x4.npy');
    const r = await scan(npy.subarray(0, 20));
    expect(r.verdict).toBe('error');
    expect(r.error!.message).toMatch(/\.npy/);
  });
});

describe('wrapped inputs', () => {
  it('a base64-wrapped .h5 is decoded and detected again', async () => {
    const b64 = Buffer.from(fixture('mal_os_system.h5')).toString('base64').replace(/(.{76})/g, '$1\n');
    const r = await scan(new TextEncoder().encode(b64));
    expect(r.format).toBe('keras-h5');
    expect(r.formatDetail).toMatch(/base64/);
    expect(r.verdict).toBe('dangerous');
  });
  it('an HDF5 file behind a 512-byte user block', async () => {
    const h5 = fixture('mal_os_system.h5');
    // HDF5 itself finds a superblock at 512 and reads addresses relative to it, as it does for a real user block.
    const withBlock = new Uint8Array(512 + h5.length);
    withBlock.set(h5, 512);
    const r = await scan(withBlock);
    expect(r.format).toBe('keras-h5');
    expect(r.formatDetail).toMatch(/user block of 512 bytes/);
    expect(r.verdict).toBe('dangerous');
  });
});
