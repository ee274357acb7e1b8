/** ByteSource over a Node file handle: positional reads, nothing loaded up front. */
import { open, type FileHandle } from 'node:fs/promises';
import type { ByteSource } from '../core/io/byte-source';

export class NodeFileSource implements ByteSource {
  private constructor(
    private handle: FileHandle,
    readonly size: number,
    readonly name: string,
    /** The real path, for h5wasm's NODERAWFS. */
    readonly path: string,
  ) {}

  static async open(path: string): Promise<NodeFileSource> {
    const handle = await open(path, 'r');
    const stat = await handle.stat();
    return new NodeFileSource(handle, stat.size, path.split(/[\\/]/).pop() ?? path, path);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const start = Math.max(0, Math.min(offset, this.size));
    const len = Math.max(0, Math.min(length, this.size - start));
    const buffer = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const { bytesRead } = await this.handle.read(buffer, done, len - done, start + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === len ? buffer : buffer.subarray(0, done);
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
