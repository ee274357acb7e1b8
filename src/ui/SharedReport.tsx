/**
 * A report opened from a share link (`#report=…`): read-only, under a banner that says the model file is not
 * here. The fragment is hostile input: decodeShareLink checks size, inflation and structure, and any failure
 * is shown as a message, never thrown. Also the small helpers that keep `#layer=` in the URL in sync.
 */
import { useEffect, useState } from 'react';
import { decodeShareLink, layerFragment, parseFragment, type SharedReport } from '../core/export/share-link';
import { DEFAULT_DECODE_LIMITS } from '../core/export/share-link';
import { describeStripped } from './ExportMenu';
import { formatBytes } from './summary';
import { visible } from './visible-text';
import './share.css';

export type SharedState =
  | { status: 'none' }
  | { status: 'loading' }
  | { status: 'ok'; report: SharedReport; layer?: string }
  | { status: 'error'; error: string };

/** Decodes the page's fragment when it holds `report=` (on load and on every hashchange). */
export function useSharedFromHash(): [SharedState, () => void] {
  const [state, setState] = useState<SharedState>(() =>
    parseFragment(location.hash).report !== undefined ? { status: 'loading' } : { status: 'none' },
  );
  useEffect(() => {
    let generation = 0;
    const read = () => {
      const mine = ++generation;
      if (parseFragment(location.hash).report === undefined) {
        setState((s) => (s.status === 'none' ? s : { status: 'none' }));
        return;
      }
      setState({ status: 'loading' });
      decodeShareLink(location.hash).then(
        (result) => {
          if (mine !== generation) return;
          setState(result.ok ? { status: 'ok', report: result.report, layer: result.layer } : { status: 'error', error: result.error });
        },
        (error: unknown) => mine === generation && setState({ status: 'error', error: String(error) }),
      );
    };
    read();
    window.addEventListener('hashchange', read);
    return () => {
      generation++;
      window.removeEventListener('hashchange', read);
    };
  }, []);
  const close = () => {
    replaceHash('');
    setState({ status: 'none' });
  };
  return [state, close];
}

/** Replaces the fragment without a history entry or a hashchange event ('' removes it). */
export function replaceHash(fragment: string): void {
  const base = `${location.pathname}${location.search}`;
  history.replaceState(history.state, '', fragment ? `${base}${fragment}` : base);
}

/**
 * The fragment after a selection: `#layer=…&finding=…` alone, or kept beside `report=` for a shared report.
 * Both values are encoded; the rest of the fragment is kept as it was.
 */
export function fragmentWithSelection(hash: string, selection: { layer?: string; finding?: string }): string {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  const kept = text.split('&').filter((part) => part !== '' && !part.startsWith('layer=') && !part.startsWith('finding='));
  if (selection.layer !== undefined) kept.push(layerFragment(selection.layer).slice(1));
  if (selection.finding !== undefined) kept.push(`finding=${encodeURIComponent(selection.finding)}`);
  return kept.length ? `#${kept.join('&')}` : '';
}

/** Loading or failure of a share link (nothing from the link was run). */
export function SharedMessage({ state, onClose }: { state: Exclude<SharedState, { status: 'none' | 'ok' }>; onClose: () => void }) {
  if (state.status === 'loading') {
    return (
      <p className="shared-banner" role="status" data-testid="shared-loading">
        Opening the shared report…
      </p>
    );
  }
  return (
    <section className="shared-banner shared-error" role="alert" data-testid="share-error">
      <p>
        <strong>This share link could not be opened:</strong> {visible(state.error)}.
      </p>
      <p className="small muted">
        Links hold at most {formatBytes(DEFAULT_DECODE_LIMITS.maxEncodedChars)} of encoded report. Nothing from the link
        was run; you can still drop a model file.
      </p>
      <button type="button" onClick={onClose} data-testid="shared-close">
        Close
      </button>
    </section>
  );
}

/** The banner over a shared report: the model file is not here, compare the hash, what the sender left out. */
export function SharedBanner({ report, onClose }: { report: SharedReport; onClose: () => void }) {
  const stripped = report.shared?.stripped ?? [];
  return (
    <section className="shared-banner" role="region" aria-label="Shared report" data-testid="shared-report">
      <p>
        <strong>Shared report — the model file is not here.</strong> This is what Lambda Lens reported for{' '}
        <span className="mono" data-testid="shared-name">
          {visible(report.path)}
        </span>{' '}
        ({formatBytes(report.size)}), read-only. SHA-256:{' '}
        <span className="mono" data-testid="shared-sha256">
          {report.sha256 ? visible(report.sha256) : 'not in the link'}
        </span>
        : compare it with your copy; the report is only as trustworthy as the person who sent it.
      </p>
      {stripped.length > 0 && (
        <p className="small muted" data-testid="shared-stripped">
          The sender's link left out: {visible(describeStripped(stripped).join('; '))}.
        </p>
      )}
      <button type="button" onClick={onClose} data-testid="shared-close">
        Close shared report
      </button>
    </section>
  );
}
