/**
 * The scan worker ↔ hash helper channel for big files: the scan worker reads slices of the File and hands them
 * over (transferred, not copied); the helper hashes them on its own thread. A Blob read in a worker only
 * progresses while that worker's thread is free, so reading and hashing on one thread take turns; on two they
 * overlap (measured: README "Performance").
 */

/** Files above this size are hashed by the helper (below, WebCrypto hashes the whole file in one native call). */
export const HASH_HELPER_MIN_BYTES = 256 * 1024 * 1024;

/** Scan worker → helper: the next slice, or null at the end. */
export type ToHasher = ArrayBuffer | null;
/** Helper → scan worker: one slice hashed (the reader may send another), or the digest. */
export type FromHasher = { type: 'hashed' } | { type: 'digest'; sha256: string } | { type: 'failed'; message: string };
