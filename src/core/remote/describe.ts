/**
 * What a URL inspection read, in words ("read 212 KB of 9.8 GB in 6 requests"). Kept apart from scan-url.ts
 * (which pulls in the whole scan pipeline) so the page's main bundle can show it without loading the scanner.
 */
import type { RemoteRead } from '../report';

/**
 * "read 212 KB of 9.8 GB in 6 requests (0.40 s on the network)". More bytes received than the file holds happens
 * when a small file is opened (both 64 KiB ends asked for at once, before its size is known, overlap): that is
 * said as the whole file plus what was transferred, never as "36 KB of 18 KB".
 */
export function describeRemoteRead(read: RemoteRead, size: number): string {
  const over = read.bytesRead > size;
  const requests = `${read.requests} request${read.requests === 1 ? '' : 's'}`;
  const extra = over ? `, ${formatBytes(read.bytesRead)} transferred: the ranges overlapped` : '';
  return `read ${formatBytes(over ? size : read.bytesRead)} of ${formatBytes(size)} in ${requests} (${(read.networkMs / 1000).toFixed(2)} s on the network${extra})`;
}

/** Decimal units, as hosts list file sizes. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  do {
    v /= 1000;
    u++;
  } while (v >= 1000 && u < units.length - 1);
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}
