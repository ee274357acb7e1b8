/**
 * The findings as compact rows in the left panel, grouped by severity or by layer. A row selects its finding (and
 * its layer in the graph). The full table with filters is a wide panel opened from here (FindingsTable).
 */
import { useMemo, useState } from 'react';
import { whatItDoes, whatItDoesText } from '../core/analysis/what-it-does';
import { SEVERITIES, type Finding } from '../core/report';
import { visible } from './visible-text';

/** Rows drawn at first; a crafted file with thousands of findings stays responsive. */
const ROW_STEP = 200;

export type Grouping = 'severity' | 'layer';

export function FindingList({
  findings,
  selectedId,
  onSelect,
  grouping,
  onGrouping,
  onOpenTable,
}: {
  findings: Finding[];
  selectedId: string | null;
  onSelect(finding: Finding): void;
  grouping: Grouping;
  onGrouping(grouping: Grouping): void;
  onOpenTable(): void;
}) {
  const [limit, setLimit] = useState(ROW_STEP);
  const firstId = findings[0]?.id;
  const groups = useMemo(() => {
    const shown = findings.slice(0, Math.max(limit, findings.findIndex((f) => f.id === selectedId) + 1));
    const map = new Map<string, Finding[]>();
    if (grouping === 'severity') for (const s of SEVERITIES) map.set(s, []);
    for (const f of shown) {
      const key = grouping === 'severity' ? f.severity : (f.layer ?? '(not in a layer)');
      map.set(key, [...(map.get(key) ?? []), f]);
    }
    return [...map].filter(([, list]) => list.length > 0);
  }, [findings, grouping, limit, selectedId]);

  return (
    <section className="ws-findings" aria-label="Findings">
      <div className="ws-section-head">
        <h2>
          Findings <span className="muted">({findings.length})</span>
        </h2>
        <div className="ws-toggle" role="group" aria-label="Group findings by">
          <button type="button" aria-pressed={grouping === 'severity'} onClick={() => onGrouping('severity')} data-testid="group-by-severity">
            Severity
          </button>
          <button type="button" aria-pressed={grouping === 'layer'} onClick={() => onGrouping('layer')} data-testid="group-by-layer">
            Layer
          </button>
        </div>
        <button type="button" className="link small" onClick={onOpenTable} data-testid="open-table" title="All findings in a table with filters">
          Table…
        </button>
      </div>
      {findings.length === 0 ? (
        <p className="muted small">No findings.</p>
      ) : (
        groups.map(([key, list]) => (
          <div key={key} className="ws-group" data-testid="finding-group">
            <h3 className="ws-group-head">
              {grouping === 'severity' ? <span className={`sev sev-${key}`}>{key}</span> : <span className="mono">{visible(key)}</span>}
              <span className="muted">({list.length})</span>
            </h3>
            <ul className="ws-rows">
              {list.map((f) => (
                <li key={f.id}>
                  <button
                    type="button"
                    className={`ws-row${f.id === selectedId ? ' selected' : ''}`}
                    aria-current={f.id === selectedId ? 'true' : undefined}
                    data-testid="finding-row"
                    data-finding-id={f.id}
                    data-layer={f.layer ?? ''}
                    data-kind={f.kind}
                    data-rule={f.rule}
                    data-severity={f.severity}
                    // One row in the tab order (the selected one, else the first): arrows move within the list.
                    tabIndex={f.id === (selectedId ?? firstId) ? 0 : -1}
                    onClick={() => onSelect(f)}
                    onKeyDown={(event) => {
                      if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
                      event.preventDefault();
                      const rows = [...document.querySelectorAll<HTMLButtonElement>('[data-testid="finding-row"]')];
                      const next = rows[rows.indexOf(event.currentTarget) + (event.key === 'ArrowDown' ? 1 : -1)];
                      next?.click();
                      next?.focus();
                    }}
                  >
                    <span className={`sev sev-${f.severity}`}>{f.severity}</span>
                    <span className="ws-row-text">
                      {f.layer && <span className="mono ws-row-layer">{visible(f.layer.slice(f.layer.lastIndexOf('/') + 1))}</span>}{' '}
                      {visible(f.payload ? whatItDoesText(whatItDoes(f)) : f.title)}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          </div>
        ))
      )}
      {findings.length > limit && (
        <button type="button" className="link small" onClick={() => setLimit(findings.length)}>
          Show all {findings.length} findings
        </button>
      )}
    </section>
  );
}
