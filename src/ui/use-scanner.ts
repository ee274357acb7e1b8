/** React state around the worker client: one entry per dropped file or folder, in drop order. */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { FileReport } from '../core/report';
import type { ScanDocument, ScanProgress } from '../core/scan-types';
import type { GraphLayout } from '../core/graph/types';
import { ScanClient } from '../worker/client';
import { noteScanActivity } from './offline';
import { createHashWorker, createScanWorker } from '../worker/create-worker';
import type { DroppedFolder } from './drop-input';
import type { ModelDiff } from '../core/diff/types';
import type { DiffInput } from '../worker/protocol';

export interface ScanEntry {
  id: number;
  name: string;
  /** Bytes; for a hosted file the listed size (0 when not known) until its report says. */
  size: number;
  /** 'url': a hosted file read with range requests (no hash: that would download all of it). */
  kind: 'file' | 'folder' | 'url';
  status: 'queued' | 'scanning' | 'done';
  /** performance.now() when the entry was queued and when the worker took it. */
  queuedAt: number;
  startedAt?: number;
  progress?: ScanProgress;
  report?: FileReport;
  /** The graph layout computed in the worker (absent until it arrives, or if it never does). */
  layout?: GraphLayout;
  /** The config documents the report's pointers refer to (layer details, evidence export). */
  documents?: ScanDocument[];
  /** From queueing (the drop) to the verdict. */
  elapsedMs?: number;
  /** Share of the file hashed so far (0–1), while the hash is computed. */
  hashProgress?: number;
  /** The dropped file (kind `file`), kept for a comparison's weight records. */
  file?: File;
}

export interface Scanner {
  entries: ScanEntry[];
  selectedId: number | null;
  select(id: number): void;
  scan(files: File[], folders: DroppedFolder[]): void;
  /** Hosted files (only addresses the user gave), read with range requests in the worker. */
  scanUrls(targets: { url: string; name: string; size?: number }[]): void;
  /** Stops one entry (queued or running). */
  stopOne(id: number): void;
  /** Stops everything. */
  stop(): void;
  clear(): void;
  busy: boolean;
  /** The worker's warm-up report, until the page has rendered it once (hidden) or a real scan started. */
  warmReport: { report: FileReport; layout?: GraphLayout } | null;
  /** The hidden warm-up render is done. */
  warmDone(): void;
  /** Compares two finished entries (a: the reference, b: the copy), in the worker. */
  compare(a: ScanEntry, b: ScanEntry): Promise<ModelDiff>;
}

/**
 * `?watchdog=<ms>` in the page URL overrides the per-file watchdog (default 30 s; accepted 200 ms – 10 min).
 * For tests and for people who want a stricter or looser budget; anything else in the value is ignored.
 */
export function watchdogFromUrl(search: string = typeof location !== 'undefined' ? location.search : ''): number | undefined {
  const text = new URLSearchParams(search).get('watchdog');
  if (text === null || !/^\d{1,7}$/.test(text)) return undefined;
  const ms = Number(text);
  return ms >= 200 && ms <= 600_000 ? ms : undefined;
}

export function useScanner(): Scanner {
  const [entries, setEntries] = useState<ScanEntry[]>([]);
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [warmReport, setWarmReport] = useState<Scanner['warmReport']>(null);
  const clientRef = useRef<ScanClient | null>(null);

  const update = useCallback((id: number, change: (entry: ScanEntry) => ScanEntry) => {
    setEntries((list) => list.map((entry) => (entry.id === id ? change(entry) : entry)));
  }, []);

  const getClient = useCallback((): ScanClient => {
    clientRef.current ??= new ScanClient(
      {
        warm: (report, layout) => setWarmReport({ report, layout }),
        hashProgress: (id, done, total) => update(id, (e) => ({ ...e, hashProgress: total > 0 ? done / total : 0 })),
        start: (id) => {
          noteScanActivity(1);
          update(id, (e) => ({ ...e, status: 'scanning', startedAt: performance.now() }));
        },
        progress: (id, progress) => update(id, (e) => ({ ...e, progress })),
        report: (id, report) => {
          noteScanActivity(-1);
          // A hosted file's size is learnt while reading it (Content-Range), not when it is queued.
          update(id, (e) => ({ ...e, status: 'done', report, elapsedMs: performance.now() - e.queuedAt, ...(e.kind === 'url' ? { size: report.size } : {}) }));
        },
        // The graph's layout and the hash come after the verdict: the page is not quiet yet.
        layout: (id, layout) => {
          noteScanActivity(0);
          update(id, (e) => ({ ...e, layout }));
        },
        documents: (id, documents) => update(id, (e) => ({ ...e, documents })),
        hash: (id, sha256) =>
          update(id, (e) => (e.report ? { ...e, report: { ...e.report, sha256 } } : e)),
      },
      { createWorker: createScanWorker, createHashWorker, timeoutMs: watchdogFromUrl() },
    );
    return clientRef.current;
  }, [update]);

  useEffect(() => {
    // Start the worker while the user is still choosing a file.
    // A sample over http(s) only (the single-file build from file:// has none).
    const sample = /^https?:$/.test(location.protocol) ? new URL('samples/seq_lambda_benign.keras', document.baseURI).href : undefined;
    const timer = setTimeout(() => getClient().warmUp(sample), 0);
    return () => {
      clearTimeout(timer);
      clientRef.current?.dispose();
      clientRef.current = null;
    };
  }, [getClient]);

  const scan = useCallback(
    (files: File[], folders: DroppedFolder[]) => {
      const client = getClient();
      const fresh = !client.busy;
      const now = performance.now();
      const added: ScanEntry[] = [];
      for (const folder of folders) {
        const job = client.scanFolder(folder.name, folder.items);
        added.push({ id: job.id, name: folder.name, size: job.size, kind: 'folder', status: 'queued', queuedAt: now });
      }
      for (const file of files) {
        const job = client.scanFile(file, file.name);
        added.push({ id: job.id, name: file.name, size: file.size, kind: 'file', status: 'queued', queuedAt: now, file });
      }
      if (added.length === 0) return;
      // On a fresh drop (nothing running) earlier results are replaced; while busy the new ones are appended.
      setEntries((list) => (fresh ? added : [...list, ...added]));
      setSelectedId(added[0].id);
    },
    [getClient],
  );

  const scanUrls = useCallback(
    (targets: { url: string; name: string; size?: number }[]) => {
      const client = getClient();
      const fresh = !client.busy;
      const now = performance.now();
      const added: ScanEntry[] = targets.map((t) => {
        const job = client.scanUrl(t.url, t.name, t.size ?? 0);
        return { id: job.id, name: t.name, size: job.size, kind: 'url', status: 'queued', queuedAt: now };
      });
      if (added.length === 0) return;
      setEntries((list) => (fresh ? added : [...list, ...added]));
      setSelectedId(added[0].id);
    },
    [getClient],
  );

  const stop = useCallback(() => clientRef.current?.cancelAll(), []);
  const stopOne = useCallback((id: number) => clientRef.current?.cancel(id), []);
  const clear = useCallback(() => {
    clientRef.current?.cancelAll();
    setEntries([]);
    setSelectedId(null);
  }, []);

  const busy = entries.some((e) => e.status !== 'done');
  const warmDone = useCallback(() => setWarmReport(null), []);
  const compare = useCallback(
    (a: ScanEntry, b: ScanEntry) => {
      const input = (e: ScanEntry): DiffInput => {
        if (!e.report) throw new Error(`${e.name} has not been scanned yet`);
        return { report: e.report, documents: e.documents ?? [], ...(e.file ? { file: e.file } : {}) };
      };
      return getClient().diff(input(a), input(b));
    },
    [getClient],
  );
  return { entries, selectedId, select: setSelectedId, scan, scanUrls, stopOne, stop, clear, busy, warmReport, warmDone, compare };
}
