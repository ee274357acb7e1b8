import { Fragment, forwardRef } from 'react';
import type { Finding } from '../core/report';
import { pickleEvidenceOf } from '../core/analysis/pickle-evidence';
import { PayloadView } from './PayloadView';
import { PickleView } from './PickleView';
import { briefValue, visible } from './visible-text';

const PAYLOAD_KEYS = new Set(['names', 'strings', 'pythonVersions']);
/** Shown by PickleView below the facts. */
const PICKLE_KEYS = new Set(['globals', 'calls', 'strings', 'listing']);
const NONE = new Set<string>();

/** One finding in full: explanation, where, which loaders run it, evidence and the decoded payload. */
export const FindingDetail = forwardRef<HTMLElement, { finding: Finding; selected: boolean; readOnly?: boolean; showPayload?: boolean }>(function FindingDetail(
  { finding, selected, readOnly = false, showPayload = true },
  ref,
) {
  // Evidence values that the payload view already shows in full are not repeated; empty ones are dropped.
  const pickle = !finding.payload && pickleEvidenceOf(finding.evidence ?? {}) !== null;
  const shownByPayload = finding.payload ? PAYLOAD_KEYS : pickle ? PICKLE_KEYS : NONE;
  const evidence = Object.entries(finding.evidence ?? {}).filter(
    ([key, value]) => value !== undefined && value !== null && !shownByPayload.has(key),
  );
  return (
    <article
      ref={ref}
      className={`finding-card${selected ? ' selected' : ''}`}
      data-testid="finding-detail"
      data-finding-id={finding.id}
    >
      <header>
        <span className={`sev sev-${finding.severity}`}>{finding.severity}</span>
        <h3>{visible(finding.title)}</h3>
        <span className="mono small muted">{visible(finding.rule)}</span>
      </header>
      <p>{visible(finding.explanation)}</p>
      <dl className="facts">
        {finding.layer && (
          <>
            <dt>Layer</dt>
            <dd className="mono">{visible(finding.layer)}</dd>
          </>
        )}
        <dt>Where</dt>
        <dd className="mono small">
          {visible(finding.document)} {visible(finding.location)}
          {finding.slot && ` (slot ${visible(finding.slot)})`}
        </dd>
        {finding.loaders.length > 0 && (
          <>
            <dt>Runs in</dt>
            <dd>
              <ul className="loaders">
                {finding.loaders.map((loader, index) => (
                  <li key={index} className={`when-${loader.when}`}>
                    {visible(loader.loader)} {visible(loader.versions)}:{' '}
                    {loader.when === 'default'
                      ? 'on a plain load'
                      : loader.when === 'option'
                        ? `only with ${visible(loader.note ?? 'an option')}`
                        : `blocked by default${loader.note ? ` (${visible(loader.note)})` : ''}`}
                  </li>
                ))}
              </ul>
            </dd>
          </>
        )}
        {evidence.map(([key, value]) => (
          <Fragment key={key}>
            <dt>{visible(key)}</dt>
            <dd className="mono small">{briefValue(value, 500)}</dd>
          </Fragment>
        ))}
        {finding.references.length > 0 && (
          <>
            <dt>References</dt>
            <dd className="small">{finding.references.map(visible).join(' · ')}</dd>
          </>
        )}
      </dl>
      {pickle && <PickleView finding={finding} />}
      {showPayload && finding.payload && <PayloadView payload={finding.payload} readOnly={readOnly} />}
    </article>
  );
});
