import { useEffect, useState } from 'react';
import type { ScanEntry } from './use-scanner';
import { formatBytes } from './summary';
import { visible } from './visible-text';

/** Progress for a scan that runs longer than ~200 ms, with a Stop button. */
export function ScanStatus({ entry, onStop }: { entry: ScanEntry; onStop: () => void }) {
  const [, tick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => tick((n) => n + 1), 100);
    return () => clearInterval(timer);
  }, []);
  const since = performance.now() - entry.queuedAt;
  if (since < 200) return <div className="scan-status pending" aria-hidden="true" />;
  return (
    <section className="scan-status" data-testid="scan-progress" role="status">
      <progress aria-label="Scanning" />
      <div className="scan-status-text">
        <strong>{entry.status === 'queued' ? 'Waiting' : 'Scanning'}</strong> {visible(entry.name)} (
        {entry.kind === 'url' && entry.size === 0 ? 'hosted' : formatBytes(entry.size)}) · {entry.progress ? visible(entry.progress.message) : 'starting…'} ·{' '}
        {(since / 1000).toFixed(1)} s
      </div>
      <button type="button" className="stop" data-testid="stop" onClick={onStop}>
        Stop
      </button>
    </section>
  );
}
