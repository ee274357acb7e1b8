/** A decoded marshal payload: what the code would do, as text only. Nothing here is ever run. */
import { useMemo, useState } from 'react';
import type { PayloadReport } from '../core/report';
import { disassemblyLines } from './highlight/disassembly';
import { HighlightedPython } from './highlight/python';
import { ShowMore, shownWithGaps, useLimit } from './show-more';
import { formatBytes } from './summary';
import { briefValue, visible, visibleMultiline } from './visible-text';

const DIS_STEP = 2000;
const LIST_STEP = 500;

export function PayloadView({ payload, readOnly = false }: { payload: PayloadReport; readOnly?: boolean }) {
  const [showRaw, setShowRaw] = useState(false);
  const decoded = payload.decoded;
  const lines = useMemo(
    () => (decoded.disassembly === undefined ? [] : disassemblyLines(decoded.disassembly, decoded.indicators, decoded.code?.name ?? '')),
    [decoded],
  );
  const citedCount = lines.filter((l) => l.cited.length > 0).length;
  const [disLimit, moreDis] = useLimit(DIS_STEP);
  const [nameLimit, moreNames] = useLimit(LIST_STEP);
  const [stringLimit, moreStrings] = useLimit(LIST_STEP);
  // Lines cited by an indicator are always drawn, wherever they are.
  const shownDis = useMemo(() => shownWithGaps(lines.length, disLimit, (i) => lines[i].cited.length > 0), [lines, disLimit]);
  const hasDefaults = payload.defaults !== undefined && payload.defaults !== null;
  const hasClosure = payload.closure !== undefined && payload.closure !== null;
  return (
    <div className="payload" data-testid="payload">

      {!decoded.ok && (
        <p className="verdict-error" data-testid="payload-error">
          Could not decode the bytecode: {visible(decoded.error ?? 'unknown error')}
        </p>
      )}

      {decoded.source !== undefined && (
        <div className="block">
          <div className="block-head">
            <h4>Decompiled source</h4>
            <CopyButton text={decoded.source} label="Copy source" testId="copy-source" />
          </div>
          {!decoded.sourceComplete && (
            <p className="warn small" role="note" data-testid="source-incomplete">
              ⚠ This source is partial or approximate: the decompiler could not rebuild every instruction. The
              disassembly below is the exact truth of what would run.
            </p>
          )}
          <pre className="code py" data-testid="payload-source" tabIndex={0} aria-label="Decompiled source">
            <HighlightedPython source={decoded.source} />
          </pre>
        </div>
      )}

      {decoded.indicators.length > 0 && (
        <div className="block">
          <h4>Indicators</h4>
          <ul className="indicators" data-testid="payload-indicators">
            {decoded.indicators.map((indicator, index) => (
              <li key={index} className={`indicator ind-${indicator.category}`}>
                <span className="ind-cat">{indicator.category}</span> {visible(indicator.title)}
                <span className="mono small muted">
                  {' '}
                  — {indicator.evidence.map(visible).join(', ')} in {visible(indicator.where)}
                  {indicator.offsets.length > 0 && ` @ ${indicator.offsets.join(', ')}`}
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}

      <div className="block two-col">
        <div>
          <h4>Names</h4>
          <ul className="chips" data-testid="payload-names">
            {decoded.names.slice(0, nameLimit).map((name) => (
              <li key={name} className="chip mono">
                {visible(name)}
              </li>
            ))}
            {decoded.names.length === 0 && <li className="muted">none</li>}
          </ul>
          <ShowMore total={decoded.names.length} limit={nameLimit} step={LIST_STEP} what="names" onMore={moreNames} testId="more-names" />
        </div>
        <div>
          <h4>Strings</h4>
          <ul className="strings" data-testid="payload-strings">
            {decoded.strings.slice(0, stringLimit).map((text, index) => (
              <li key={index} className="mono small">
                {visible(JSON.stringify(text))}
              </li>
            ))}
            {decoded.strings.length === 0 && <li className="muted">none</li>}
          </ul>
          <ShowMore total={decoded.strings.length} limit={stringLimit} step={LIST_STEP} what="strings" onMore={moreStrings} testId="more-strings" />
        </div>
      </div>

      <dl className="facts block" data-testid="payload-bound">
        <dt>Defaults</dt>
        <dd className="mono small" data-testid="payload-defaults">
          {hasDefaults ? briefValue(payload.defaults, 2000) : <span className="muted">none stored</span>}
        </dd>
        <dt>Closure</dt>
        <dd className="mono small" data-testid="payload-closure">
          {hasClosure ? briefValue(payload.closure, 2000) : <span className="muted">none stored</span>}
        </dd>
      </dl>
      {(hasDefaults || hasClosure) && (
        <p className="muted small">
          Defaults and closure are stored beside the code in the config, not inside the bytecode: the loader binds
          them to the function’s arguments and free variables.
        </p>
      )}

      {decoded.disassembly !== undefined && (
        <details className="block" open={decoded.source === undefined || !decoded.sourceComplete || citedCount > 0}>
          <summary>
            Disassembly{decoded.pythonVersions[0] && ` (as Python ${decoded.pythonVersions[0].version})`}
            {citedCount > 0 && (
              <span className="muted small">
                {' '}
                · {citedCount} instruction{citedCount === 1 ? '' : 's'} marked ▶ by the indicators above
              </span>
            )}
          </summary>
          <div className="block-head">
            <span />
            <CopyButton text={decoded.disassembly} label="Copy disassembly" testId="copy-disassembly" />
          </div>
          <pre className="code dis" data-testid="payload-disassembly" tabIndex={0} aria-label="Disassembly">
            {shownDis.map((entry) => {
              if ('gap' in entry) {
                return (
                  <span key={`gap-${entry.from}`} className="dis-line dis-gap muted" data-testid="dis-gap">
                    {`  … ${entry.gap.toLocaleString('en')} line${entry.gap === 1 ? '' : 's'} not shown …\n`}
                  </span>
                );
              }
              const index = entry.index;
              const line = lines[index];
              const cited = line.cited.length > 0;
              const title = cited ? line.cited.map((i) => decoded.indicators[i].title).join('; ') : undefined;
              return (
                <span
                  key={index}
                  className={cited ? 'dis-line cited' : 'dis-line'}
                  data-cited={cited ? 'true' : undefined}
                  data-offset={line.offset}
                  title={title ? visible(title) : undefined}
                >
                  <span className="dis-mark" aria-hidden="true">
                    {cited ? '▶' : ' '}
                  </span>
                  {visibleMultiline(line.text)}
                  {cited && <span className="sr-only"> (cited: {visible(title ?? '')})</span>}
                  {'\n'}
                </span>
              );
            })}
          </pre>
          <ShowMore total={lines.length} limit={disLimit} step={DIS_STEP} what="lines" onMore={moreDis} testId="more-disassembly" />
        </details>
      )}

      {!readOnly && (
        <div className="block">
          <button type="button" className="link" onClick={() => setShowRaw((v) => !v)} data-testid="show-base64" aria-expanded={showRaw}>
            {showRaw ? 'Hide raw bytes' : 'Show raw bytes (base64)'}
          </button>
          {showRaw && (
            <>
              <CopyButton text={payload.base64} label="Copy base64" testId="copy-base64" />
              <pre className="code raw" data-testid="payload-base64">
                {payload.base64}
              </pre>
            </>
          )}
        </div>
      )}
      <dl className="facts block" data-testid="payload-facts">
        <dt>Bytes</dt>
        <dd>
          {formatBytes(payload.size)} marshal, stored as {payload.encoding} ({visible(payload.carrier)})
        </dd>
        <dt>SHA-256</dt>
        <dd className="mono small">{payload.sha256}</dd>
        {decoded.code && (
          <>
            <dt>Code object</dt>
            <dd className="mono small">
              {visible(decoded.code.qualname ?? decoded.code.name)} · {visible(decoded.code.filename)}:
              {decoded.code.firstlineno} · {decoded.code.argcount} arg(s)
            </dd>
          </>
        )}
        <dt>Python</dt>
        <dd data-testid="payload-versions">
          {decoded.pythonVersions.length === 0 ? (
            <span className="muted">unknown</span>
          ) : (
            <ul className="version-list">
              {decoded.pythonVersions.map((candidate, index) => (
                <li key={candidate.version}>
                  <details data-testid="payload-version">
                    <summary>
                      <span className="chip">{candidate.version}</span>{' '}
                      <span className="muted small">
                        {index === 0 ? 'most likely' : 'also possible'} · {candidate.evidence.length} fact
                        {candidate.evidence.length === 1 ? '' : 's'}
                      </span>
                    </summary>
                    <ul className="evidence small">
                      {candidate.evidence.map((fact, i) => (
                        <li key={i}>{visible(fact)}</li>
                      ))}
                    </ul>
                  </details>
                </li>
              ))}
            </ul>
          )}
        </dd>
      </dl>
    </div>
  );
}

/** Copies text with the Clipboard API, falling back to a hidden textarea + execCommand (http pages, old browsers). */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // denied or unavailable: try the fallback
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

function CopyButton({ text, label, testId }: { text: string; label: string; testId: string }) {
  const [state, setState] = useState<'idle' | 'done' | 'failed'>('idle');
  return (
    <button
      type="button"
      className="copy"
      data-testid={testId}
      onClick={() => {
        void copyText(text).then((ok) => {
          setState(ok ? 'done' : 'failed');
          setTimeout(() => setState('idle'), 1500);
        });
      }}
    >
      {state === 'done' ? 'Copied' : state === 'failed' ? 'Copy failed' : label}
      <span className="sr-only" aria-live="polite">
        {state === 'done' ? 'copied to the clipboard' : state === 'failed' ? 'could not copy' : ''}
      </span>
    </button>
  );
}
