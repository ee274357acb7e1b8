/** A decoded marshal payload: what the code would do, as text only. Nothing here is ever run. */
import { useState } from 'react';
import type { PayloadReport } from '../core/report';
import { formatBytes } from './summary';
import { briefValue, visible, visibleMultiline } from './visible-text';

export function PayloadView({ payload }: { payload: PayloadReport }) {
  const [showRaw, setShowRaw] = useState(false);
  const decoded = payload.decoded;
  return (
    <div className="payload" data-testid="payload">
      <dl className="facts">
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
            <ul className="chips">
              {decoded.pythonVersions.map((candidate) => (
                <li key={candidate.version} className="chip" title={candidate.evidence.map(visible).join('\n')}>
                  {candidate.version}
                </li>
              ))}
            </ul>
          )}
        </dd>
      </dl>

      {!decoded.ok && (
        <p className="verdict-error" data-testid="payload-error">
          Could not decode the bytecode: {visible(decoded.error ?? 'unknown error')}
        </p>
      )}

      {decoded.indicators.length > 0 && (
        <div className="block">
          <h4>What it does</h4>
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

      {decoded.source !== undefined && (
        <div className="block">
          <h4>
            Decompiled source{' '}
            {!decoded.sourceComplete && <span className="muted small">(partial: check the disassembly)</span>}
          </h4>
          <pre className="code" data-testid="payload-source">
            {visibleMultiline(decoded.source)}
          </pre>
        </div>
      )}

      <div className="block two-col">
        <div>
          <h4>Names</h4>
          <ul className="chips" data-testid="payload-names">
            {decoded.names.map((name) => (
              <li key={name} className="chip mono">
                {visible(name)}
              </li>
            ))}
            {decoded.names.length === 0 && <li className="muted">none</li>}
          </ul>
        </div>
        <div>
          <h4>Strings</h4>
          <ul className="strings" data-testid="payload-strings">
            {decoded.strings.map((text, index) => (
              <li key={index} className="mono small">
                {visible(JSON.stringify(text))}
              </li>
            ))}
            {decoded.strings.length === 0 && <li className="muted">none</li>}
          </ul>
        </div>
      </div>

      {(payload.defaults !== undefined && payload.defaults !== null) ||
      (payload.closure !== undefined && payload.closure !== null) ? (
        <dl className="facts block">
          {payload.defaults !== undefined && payload.defaults !== null && (
            <>
              <dt>Defaults</dt>
              <dd className="mono small">{briefValue(payload.defaults, 2000)}</dd>
            </>
          )}
          {payload.closure !== undefined && payload.closure !== null && (
            <>
              <dt>Closure</dt>
              <dd className="mono small">{briefValue(payload.closure, 2000)}</dd>
            </>
          )}
        </dl>
      ) : null}

      {decoded.disassembly !== undefined && (
        <details className="block" open={decoded.source === undefined}>
          <summary>Disassembly{decoded.pythonVersions[0] && ` (as Python ${decoded.pythonVersions[0].version})`}</summary>
          <pre className="code" data-testid="payload-disassembly">
            {visibleMultiline(decoded.disassembly)}
          </pre>
        </details>
      )}

      <div className="block">
        <button type="button" className="link" onClick={() => setShowRaw((v) => !v)} data-testid="show-base64">
          {showRaw ? 'Hide raw bytes' : 'Show raw bytes (base64)'}
        </button>
        {showRaw && (
          <pre className="code raw" data-testid="payload-base64">
            {payload.base64}
          </pre>
        )}
      </div>
    </div>
  );
}
