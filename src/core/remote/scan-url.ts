/**
 * Scans a file where it is hosted: the same pipeline as for a local file, over an HttpSource, with no HDF5
 * library (root attributes by our own parser, see formats/hdf5/root-attributes.ts). The report gets `remote`:
 * what was read, in how many requests. Never throws.
 */
import { errorReport, scanSource } from '../scan';
import { describeError } from '../errors';
import { HttpSource, RemoteError, type HttpSourceOptions } from '../io/http-source';
import type { FileReport, RemoteRead } from '../report';
import type { ScanOptions } from '../scan-types';

export interface UrlScanOptions extends Omit<ScanOptions, 'mountHdf5'> {
  http?: HttpSourceOptions;
}

function remoteRead(source: HttpSource): RemoteRead {
  const { url, finalUrl, bytesRead, requests, networkMs } = source.stats;
  const read: RemoteRead = { url, bytesRead, requests, networkMs: Math.round(networkMs * 10) / 10 };
  const from = new URL(url).origin;
  const to = new URL(finalUrl).origin;
  if (to !== from) read.redirectedTo = to;
  if (source.failure) read.failure = source.failure.code;
  return read;
}

export async function scanUrl(url: string, options: UrlScanOptions = {}): Promise<FileReport> {
  const path = options.path ?? url;
  let source: HttpSource;
  try {
    source = HttpSource.create(url, { signal: options.signal, ...options.http });
  } catch (e) {
    const error = describeError(e);
    const report = errorReport(path, 0, error.code, error.message);
    report.remote = { url, bytesRead: 0, requests: 0, networkMs: 0, ...(e instanceof RemoteError ? { failure: e.code } : {}) };
    return report;
  }
  let report: FileReport;
  try {
    await source.start();
    report = await scanSource(source, { ...options, path, mountHdf5: null });
  } catch (e) {
    const error = describeError(e);
    report = errorReport(path, source.size, error.code, error.message);
  }
  // A reader may have turned a failed request into its own error ("damaged zip"): the request's reason is the true one.
  if (source.failure && report.verdict === 'error') {
    const error = describeError(source.failure);
    report.error = error;
    report.verdictReason = `Could not inspect this file: ${error.message}`;
  }
  report.remote = remoteRead(source);
  return report;
}

export { describeRemoteRead, formatBytes } from './describe';
