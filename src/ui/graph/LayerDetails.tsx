/**
 * Details of one layer: class, name path, findings on it, inbound/outbound layers (clickable), its config as
 * pretty JSON with long strings folded, and a slot for the payload view. The report does not carry per-layer
 * config; the page passes it in (`config`) when it has it.
 */
import { useMemo, useState, type ReactNode } from 'react';
import type { FileReport, LayerInfo } from '../../core/report';
import { visible } from '../visible-text';
import { FLAG_ICON } from './GraphElements';
import './graph.css';

/** Strings longer than this are folded (base64 payloads are thousands of characters). */
const FOLD_AT = 120;
/** JSON values drawn before the rest is cut (a config can be huge; the page stays responsive). */
const MAX_JSON_NODES = 3000;

export interface LayerDetailsProps {
  report: FileReport;
  path: string;
  /** The layer's config object, when the page has it. */
  config?: unknown;
  onSelect(path: string): void;
  /** The payload view of a finding on this layer. */
  children?: ReactNode;
}

export function LayerDetails({ report, path, config, onSelect, children }: LayerDetailsProps) {
  const { layer, inbound, outbound, findings } = useMemo(() => {
    const byPath = new Map(report.layers.map((l) => [l.path, l]));
    const layer = byPath.get(path);
    const outbound: LayerInfo[] = [];
    for (const l of report.layers) if (l.inbound.includes(path)) outbound.push(l);
    const inbound = (layer?.inbound ?? []).map((p) => byPath.get(p)).filter((l): l is LayerInfo => l !== undefined);
    return { layer, inbound, outbound, findings: report.findings.filter((f) => f.layer === path) };
  }, [report, path]);

  if (!layer) {
    return (
      <section className="lg-details" data-testid="layer-details" aria-label="Layer details">
        <p className="muted">No layer at {visible(path)}.</p>
      </section>
    );
  }
  const children_ = report.layers.filter((l) => l.parent === path);
  return (
    <section className="lg-details" data-testid="layer-details" aria-label={`Layer details: ${visible(layer.name)}`}>
      <h3 className="lg-details-head">
        {findings.length > 0 && (
          <span className="lg-flag" aria-label="flagged">
            {FLAG_ICON}
          </span>
        )}
        <span className="mono">{visible(layer.name)}</span>
        <span className="muted">{visible(layer.className)}</span>
      </h3>
      <dl>
        <dt>Name path</dt>
        <dd className="mono" data-testid="details-path">
          {visible(layer.path)}
        </dd>
        {layer.parent && (
          <>
            <dt>Inside</dt>
            <dd>
              <LayerLink path={layer.parent} onSelect={onSelect} />
              {layer.role && layer.role !== 'layers' && <span className="muted"> (as {visible(layer.role)})</span>}
            </dd>
          </>
        )}
        <dt>Config at</dt>
        <dd className="mono small">
          {visible(layer.document)}
          {visible(layer.location || '/')}
        </dd>
        <dt>Inbound</dt>
        <dd>
          <LinkList layers={inbound} onSelect={onSelect} empty={layer.parent ? 'the container’s inputs' : 'none'} />
        </dd>
        <dt>Outbound</dt>
        <dd>
          <LinkList layers={outbound} onSelect={onSelect} empty="none" />
        </dd>
        {layer.container && (
          <>
            <dt>Contains</dt>
            <dd>
              <LinkList layers={children_.slice(0, 50)} onSelect={onSelect} empty="none" />
              {children_.length > 50 && <span className="muted"> and {children_.length - 50} more</span>}
            </dd>
          </>
        )}
        {findings.length > 0 && (
          <>
            <dt>Findings</dt>
            <dd>
              <ul className="lg-links">
                {findings.map((f) => (
                  <li key={f.id}>
                    <span className="lg-flag">{FLAG_ICON}</span> {visible(f.title)}{' '}
                    <span className="muted">
                      ({f.severity}
                      {f.slot ? `, ${visible(f.slot)}` : ''})
                    </span>
                  </li>
                ))}
              </ul>
            </dd>
          </>
        )}
      </dl>
      {config !== undefined && (
        <details open>
          <summary>Config</summary>
          <JsonView value={config} />
        </details>
      )}
      {children}
    </section>
  );
}

function LayerLink({ path, onSelect }: { path: string; onSelect(path: string): void }) {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return (
    <button type="button" className="link mono" onClick={() => onSelect(path)} title={visible(path)}>
      {visible(name)}
    </button>
  );
}

function LinkList({ layers, onSelect, empty }: { layers: LayerInfo[]; onSelect(path: string): void; empty: string }) {
  if (layers.length === 0) return <span className="muted">{empty}</span>;
  return (
    <ul className="lg-links">
      {layers.map((l) => (
        <li key={l.path}>
          <LayerLink path={l.path} onSelect={onSelect} />
        </li>
      ))}
    </ul>
  );
}

/** Pretty JSON as React text (never HTML), long strings folded behind a button. */
export function JsonView({ value }: { value: unknown }) {
  const budget = { left: MAX_JSON_NODES };
  return (
    <pre className="lg-json" data-testid="details-config">
      <JsonValue value={value} indent="" budget={budget} />
    </pre>
  );
}

function JsonValue({ value, indent, budget }: { value: unknown; indent: string; budget: { left: number } }): ReactNode {
  if (budget.left-- <= 0) return <span className="muted">…</span>;
  if (typeof value === 'string') return <JsonString text={value} />;
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const inner = indent + '  ';
    return (
      <>
        {'[\n'}
        {value.map((v, i) => (
          <span key={i}>
            {inner}
            <JsonValue value={v} indent={inner} budget={budget} />
            {i < value.length - 1 ? ',\n' : '\n'}
          </span>
        ))}
        {indent}]
      </>
    );
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return '{}';
    const inner = indent + '  ';
    return (
      <>
        {'{\n'}
        {entries.map(([k, v], i) => (
          <span key={k}>
            {inner}
            <span className="k">{JSON.stringify(visible(k))}</span>
            {': '}
            <JsonValue value={v} indent={inner} budget={budget} />
            {i < entries.length - 1 ? ',\n' : '\n'}
          </span>
        ))}
        {indent}
        {'}'}
      </>
    );
  }
  return String(value);
}

function JsonString({ text }: { text: string }) {
  const [open, setOpen] = useState(false);
  const quoted = JSON.stringify(visible(text));
  if (quoted.length <= FOLD_AT || open) {
    return (
      <span className="s">
        {quoted}
        {open && (
          <>
            {' '}
            <button type="button" className="fold" onClick={() => setOpen(false)}>
              fold
            </button>
          </>
        )}
      </span>
    );
  }
  return (
    <span className="s">
      {quoted.slice(0, FOLD_AT - 20)}…{' '}
      <button type="button" className="fold" onClick={() => setOpen(true)}>
        +{text.length - (FOLD_AT - 22)} chars<span className="sr-only"> (show all {text.length} characters)</span>
      </button>
    </span>
  );
}
