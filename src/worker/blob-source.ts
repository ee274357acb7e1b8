/** A ByteSource over a browser Blob/File: every read is a lazy `slice().arrayBuffer()`, never the whole file. */
import type { ByteSource } from '../core/io/byte-source';

export class BlobSource implements ByteSource {
  constructor(
    /** Kept reachable so the HDF5 mounter can hand the same Blob to WORKERFS. */
    readonly blob: Blob,
    readonly name: string = blob instanceof File ? blob.name : 'blob',
  ) {}

  get size(): number {
    return this.blob.size;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const start = Math.max(0, Math.min(offset, this.blob.size));
    const end = Math.min(this.blob.size, start + Math.max(0, length));
    if (end <= start) return new Uint8Array(0);
    return new Uint8Array(await this.blob.slice(start, end).arrayBuffer());
  }
}
