/**
 * Exports for the selected file: JSON report, SARIF 2.1.0, Markdown, evidence bundle (zip), Copy Markdown and
 * Copy link (the report in the URL fragment). Everything is built here in the page from the report and the
 * config documents the worker sent; downloads are Blob URLs, revoked afterwards. Nothing leaves the machine.
 */
import { useEffect, useRef, useState } from 'react';
import { buildEvidenceBundle, evidenceDocuments, safeSlug } from '../core/export/evidence';
import { scanEnvelope } from '../core/export/envelope';
import { reportsToMarkdown } from '../core/export/markdown';
import { toSarifText } from '../core/export/sarif';
import { SHARE_FRAGMENT_BUDGET, encodeShareLink, type StripStep } from '../core/export/share-link';
import type { FileReport } from '../core/report';
import type { ScanDocument } from '../core/scan-types';
import { formatBytes } from './summary';
import './share.css';

/** How long a download's Blob URL lives: long enough for the browser to start reading it. */
const REVOKE_AFTER_MS = 10_000;

/** Saves `data` as a file through a temporary Blob URL (no network). */
export function downloadBlob(data: BlobPart, fileName: string, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
}

/** The model's file name (last path segment) as a safe download stem. */
function stem(report: FileReport): string {
  return safeSlug(report.path.split(/[\\/]/).pop() ?? 'model', 80);
}

/** What each strip step means, for people. */
const STRIP_LABEL: Record<string, string> = {
  layers: 'the model config / layer list',
  members: 'the archive member list',
  disassembly: 'disassembly',
  'payload-base64': 'payload base64',
  'strings>2000': 'strings over 2000 characters (clipped)',
  'strings>400': 'strings over 400 characters (clipped)',
  'strings>120': 'strings over 120 characters (clipped)',
  'code-details': 'code details (defaults, closures, most names and strings)',
};

export function describeStripped(steps: readonly StripStep[]): string[] {
  return steps.map((step) => {
    const label = STRIP_LABEL[step];
    if (label) return label;
    const kept = /^findings>(\d+)$/.exec(step);
    return kept ? `findings after the first ${kept[1]}` : step;
  });
}

/** Writes text to the clipboard; false when the browser refuses (no permission, not a secure context). */
async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

interface LinkState {
  url: string;
  fragment: string;
  stripped: StripStep[];
  overBudget: boolean;
  copied: boolean;
}

export function ExportMenu({
  report,
  documents,
  layer,
}: {
  report: FileReport;
  /** Config documents from the worker (evidence bundle); absent for folders or failed scans. */
  documents?: readonly ScanDocument[];
  /** The layer open in the report, carried in the link as `&layer=`. */
  layer?: string;
}) {
  const [status, setStatus] = useState<{ text: string; error?: boolean; menu: 'export' | 'share' } | null>(null);
  const [link, setLink] = useState<LinkState | null>(null);
  const [dropLayers, setDropLayers] = useState(false);
  const [busy, setBusy] = useState(false);
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);
  // A new report (the hash arriving) or option makes an earlier link stale.
  useEffect(() => setLink(null), [report, dropLayers, layer]);

  const run = async (label: string, action: () => Promise<string> | string) => {
    setBusy(true);
    // The message shows in the menu the action came from.
    const menu = /Copy|link/i.test(label) ? 'share' : 'export';
    try {
      const text = await action();
      if (alive.current) setStatus({ text, menu });
    } catch (error) {
      if (alive.current) setStatus({ text: `${label} failed: ${error instanceof Error ? error.message : String(error)}`, error: true, menu });
    } finally {
      if (alive.current) setBusy(false);
    }
  };

  const name = stem(report);
  const downloadJson = () =>
    run('JSON export', () => {
      // The same document as the CLI's `scan --json` (lambdalens/scan@1), so one jq filter reads both.
      downloadBlob(`${JSON.stringify(scanEnvelope([report]), null, 2)}\n`, `${name}.lambdalens.json`, 'application/json');
      return `Saved ${name}.lambdalens.json (lambdalens/scan@1)`;
    });
  const downloadSarif = () =>
    run('SARIF export', () => {
      downloadBlob(toSarifText([report]), `${name}.sarif`, 'application/sarif+json');
      return `Saved ${name}.sarif (SARIF 2.1.0)`;
    });
  const downloadMarkdown = () =>
    run('Markdown export', () => {
      downloadBlob(reportsToMarkdown([report]), `${name}.lambdalens.md`, 'text/markdown');
      return `Saved ${name}.lambdalens.md`;
    });
  const downloadEvidence = () =>
    run('Evidence bundle', async () => {
      const bundle = await buildEvidenceBundle({ report, documents: evidenceDocuments(documents ?? []) });
      downloadBlob(bundle.bytes as Uint8Array<ArrayBuffer>, bundle.fileName, 'application/zip');
      return `Saved ${bundle.fileName} (${formatBytes(bundle.bytes.length)}, ${bundle.members.length} members; the model file itself is not in it)`;
    });
  const copyMarkdown = () =>
    run('Copy Markdown', async () =>
      (await copyText(reportsToMarkdown([report])))
        ? 'Markdown summary copied to the clipboard'
        : 'The browser did not allow copying; use “Markdown” to save it instead',
    );
  const copyLink = () =>
    run('Share link', async () => {
      const shared = await encodeShareLink(report, { dropLayers, layer });
      const url = `${location.href.split('#')[0]}${shared.fragment}`;
      const copied = await copyText(url);
      if (!alive.current) return '';
      setLink({ url, fragment: shared.fragment, stripped: shared.stripped, overBudget: shared.overBudget, copied });
      return copied ? 'Link copied to the clipboard' : 'The browser did not allow copying; select the link below and copy it';
    });

  const feedback = (menu: 'export' | 'share') => (
    <>
      {status?.menu === menu && (
        <p className={`small export-status${status.error ? ' error' : ''}`} role="status" data-testid="export-status">
          {status.text}
        </p>
      )}
    </>
  );
  return (
    <div className="export-menu" data-testid="export-menu">
      <details className="menu" data-testid="export-dropdown">
        <summary>Export ▾</summary>
        <div className="menu-panel" role="group" aria-label="Export">
          <button type="button" disabled={busy} onClick={downloadJson} data-testid="export-json">
            JSON report
          </button>
          <button type="button" disabled={busy} onClick={downloadSarif} data-testid="export-sarif">
            SARIF 2.1.0
          </button>
          <button type="button" disabled={busy} onClick={downloadMarkdown} data-testid="export-markdown">
            Markdown
          </button>
          <button
            type="button"
            disabled={busy}
            onClick={downloadEvidence}
            data-testid="export-evidence"
            title="report, config documents and every payload as .pyc/.marshal/.py (never the model file)"
          >
            Evidence (.zip)
          </button>
          <p className="muted small">Built in this page; nothing is uploaded.</p>
          {feedback('export')}
        </div>
      </details>
      <details className="menu" data-testid="share-dropdown">
        <summary>Share ▾</summary>
        <div className="menu-panel" role="group" aria-label="Share">
          <button type="button" disabled={busy} onClick={copyMarkdown} data-testid="copy-markdown">
            Copy Markdown
          </button>
          <button type="button" disabled={busy} onClick={copyLink} data-testid="copy-link">
            Copy link
          </button>
          <label className="small">
            <input
              type="checkbox"
              checked={dropLayers}
              onChange={(event) => setDropLayers(event.target.checked)}
              data-testid="share-drop-layers"
            />{' '}
            leave out the model config/layer list
          </label>
          <p className="muted small export-note">
            A link carries the report (not the model) in the part after “#”, which browsers never send to a server;
            links are kept under {formatBytes(SHARE_FRAGMENT_BUDGET)} by leaving out details.
          </p>
          {feedback('share')}
          {link && (
            <div className="share-result" data-testid="share-result" data-share-fragment={link.fragment}>
              <p className="small">
                Link size: {formatBytes(link.fragment.length)} of {formatBytes(SHARE_FRAGMENT_BUDGET)}
                {link.overBudget && ' (still over the limit: some chat tools may cut it)'}.{' '}
                {link.stripped.length > 0 ? (
                  <>Left out to fit or by choice: {describeStripped(link.stripped).join('; ')}.</>
                ) : (
                  'Nothing was left out.'
                )}
              </p>
              <input
                className="share-url mono small"
                readOnly
                value={link.url}
                aria-label="Share link"
                data-testid="share-url"
                onFocus={(event) => event.currentTarget.select()}
              />
            </div>
          )}
        </div>
      </details>
    </div>
  );
}
