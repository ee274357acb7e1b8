import type { ScanEntry } from './use-scanner';
import { VERDICT_LABEL, formatBytes } from './summary';
import { visible } from './visible-text';

/** Shown when several files were dropped: each with its verdict; click to switch. */
export function FileList({
  entries,
  selectedId,
  onSelect,
}: {
  entries: ScanEntry[];
  selectedId: number | null;
  onSelect: (id: number) => void;
}) {
  return (
    <nav className="file-list" aria-label="Scanned files">
      <ul>
        {entries.map((entry) => {
          const verdict = entry.report?.verdict;
          return (
            <li key={entry.id}>
              <button
                type="button"
                className={`file-item${entry.id === selectedId ? ' selected' : ''}`}
                aria-current={entry.id === selectedId ? 'true' : undefined}
                data-testid="file-item"
                data-verdict={verdict ?? entry.status}
                onClick={() => onSelect(entry.id)}
              >
                <span className={`dot dot-${verdict ?? entry.status}`} aria-hidden="true" />
                <span className="file-name" title={visible(entry.name)}>
                  {entry.kind === 'folder' ? '📁 ' : ''}
                  {visible(entry.name)}
                </span>
                <span className="file-meta">
                  {verdict ? VERDICT_LABEL[verdict] : entry.status === 'scanning' ? 'scanning…' : 'queued'}
                  {' · '}
                  {entry.kind === 'url' && entry.size === 0 ? 'hosted' : formatBytes(entry.size)}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
