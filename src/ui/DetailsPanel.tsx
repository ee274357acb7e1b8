/**
 * The right panel: the selected layer (or finding) in three tabs — Payload (what the code does, its source,
 * disassembly, names and strings, version evidence), Finding (explanation, loaders and versions, references) and
 * Config (the layer's JSON, inbound and outbound layers). Only the open tab is rendered.
 */
import type { Ref } from 'react';
import { whatItDoes, type SentencePart } from '../core/analysis/what-it-does';
import type { FileReport, Finding } from '../core/report';
import { FindingDetail } from './FindingDetail';
import { PayloadView } from './PayloadView';
import { LayerDetails } from './graph/LayerDetails';
import { visible } from './visible-text';

export type DetailsTab = 'payload' | 'finding' | 'config';
const TABS: { id: DetailsTab; label: string }[] = [
  { id: 'payload', label: 'Payload' },
  { id: 'finding', label: 'Finding' },
  { id: 'config', label: 'Config' },
];

/** "runs the shell command `echo x` with os.system": our words as text, values as inert code. */
export function WhatItDoesSentence({ finding }: { finding: Finding }) {
  const w = whatItDoes(finding);
  return (
    <p className="what-it-does" data-testid="what-it-does">
      {w.parts.map((p: SentencePart, i) => ('value' in p ? <code key={i}>{visible(p.value)}</code> : <span key={i}>{visible(p.text)}</span>))}.
    </p>
  );
}

export function DetailsPanel({
  report,
  layer,
  finding,
  config,
  tab,
  onTab,
  onSelectLayer,
  readOnly,
  tabsRef,
}: {
  report: FileReport;
  layer?: string;
  finding?: Finding;
  /** The selected layer's config object, when the page has the documents. */
  config?: unknown;
  tab: DetailsTab;
  onTab(tab: DetailsTab): void;
  onSelectLayer(path: string): void;
  readOnly: boolean;
  tabsRef?: Ref<HTMLDivElement>;
}) {
  const layerInfo = layer ? report.layers.find((l) => l.path === layer) : undefined;
  // The payloads of the selected layer; a finding outside any layer shows its own.
  const payloads = layer ? report.findings.filter((f) => f.layer === layer && f.payload) : finding?.payload ? [finding] : [];
  return (
    <section className="ws-details" data-testid="details-panel" aria-label="Details">
      <header className="ws-details-head">
        {layerInfo ? (
          <h2>
            <span className="mono">{visible(layerInfo.name)}</span> <span className="muted small">{visible(layerInfo.className)}</span>
            <span className="mono small muted ws-details-path" data-testid="details-path">
              {visible(layerInfo.path)}
            </span>
          </h2>
        ) : (
          <h2>{finding ? visible(finding.title) : 'Nothing selected'}</h2>
        )}
      </header>
      <div className="ws-tabs" role="tablist" aria-label="Details" ref={tabsRef}>
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`tabpanel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            data-testid={`tab-${t.id}`}
            onClick={() => onTab(t.id)}
            onKeyDown={(event) => {
              const i = TABS.findIndex((x) => x.id === tab);
              if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
                event.preventDefault();
                const next = TABS[(i + (event.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length];
                onTab(next.id);
                document.getElementById(`tab-${next.id}`)?.focus();
              }
            }}
          >
            {t.label}
            {t.id === 'payload' && payloads.length > 0 && <span className="muted"> ({payloads.length})</span>}
          </button>
        ))}
      </div>
      <div className="ws-tabpanel" role="tabpanel" id={`tabpanel-${tab}`} aria-labelledby={`tab-${tab}`} tabIndex={0}>
        {tab === 'payload' &&
          (payloads.length > 0 ? (
            payloads.map((f) => (
              <section
                key={f.id}
                className={`layer-payload${f.id === finding?.id ? ' selected' : ''}`}
                data-testid="layer-payload"
                data-slot={f.slot ?? ''}
                aria-label={`Code in ${visible(f.slot ?? 'this layer')}`}
              >
                <h3>
                  Code in <span className="mono">{visible(f.slot ?? 'this layer')}</span> <span className={`sev sev-${f.severity}`}>{f.severity}</span>
                </h3>
                <WhatItDoesSentence finding={f} />
                <PayloadView payload={f.payload!} readOnly={readOnly} />
              </section>
            ))
          ) : finding ? (
            <>
              <WhatItDoesSentence finding={finding} />
              <FindingDetail finding={finding} selected readOnly={readOnly} />
            </>
          ) : (
            <p className="muted small">No code payload in this layer.</p>
          ))}
        {tab === 'finding' &&
          (finding ? (
            <FindingDetail finding={finding} selected readOnly={readOnly} showPayload={false} />
          ) : (
            <p className="muted small">No finding on this layer.</p>
          ))}
        {tab === 'config' &&
          (layer ? (
            <LayerDetails report={report} path={layer} config={config} onSelect={onSelectLayer} />
          ) : (
            <p className="muted small">This finding is not in a layer.</p>
          ))}
      </div>
    </section>
  );
}
