/** The coverage ledger: what a loader reads that was not inspected, and why. Never hidden: it is why a file is not clean. */
import type { SkippedPart } from '../core/coverage';
import { visible } from './visible-text';

const CATEGORY: Record<SkippedPart['category'], string> = {
  'too-large': 'too large',
  encrypted: 'encrypted',
  unreadable: 'unreadable',
  unsupported: 'not supported',
  limit: 'limit reached',
};

export function NotInspected({ skipped }: { skipped: SkippedPart[] }) {
  if (skipped.length === 0) return null;
  return (
    <section className="ws-skipped" aria-label="Not inspected" data-testid="not-inspected">
      <h2>
        Not inspected <span className="muted">({skipped.length})</span>
      </h2>
      <p className="small muted">A loader reads these parts, but they could not be inspected: the file cannot be called clean.</p>
      <ul>
        {skipped.slice(0, 200).map((s, i) => (
          <li key={i} data-testid="skipped-part">
            <span className="mono">{visible(s.part)}</span> <span className="chip">{CATEGORY[s.category]}</span>
            <div className="small">{visible(s.reason)}</div>
            {s.readBy.length > 0 && <div className="small muted">Read by {visible(s.readBy.join(', '))}</div>}
          </li>
        ))}
      </ul>
      {skipped.length > 200 && <p className="small muted">First 200 of {skipped.length} shown.</p>}
    </section>
  );
}
