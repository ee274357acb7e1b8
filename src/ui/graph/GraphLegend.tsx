/** What the graph's colours and marks mean (colour is never the only cue: icons and line weight too). */
import { FLAG_ICON } from './GraphElements';
import { DIFF_MARKS, type DiffMark } from './diff-marks';

export function GraphLegend({ diff = false }: { diff?: boolean }) {
  return (
    <ul className="lg-legend" aria-label="Legend" data-testid="graph-legend">
      {diff &&
        (Object.keys(DIFF_MARKS) as DiffMark[]).map((m) => (
          <li key={m} data-testid="graph-legend-diff">
            <svg width="34" height="18" aria-hidden="true">
              <rect className={`lg-legend-diff-${m}`} x="1" y="1" width="32" height="16" rx="3" />
              <text x="12" y="13" className="lg-diff">
                {DIFF_MARKS[m].symbol}
              </text>
            </svg>
            {DIFF_MARKS[m].label}
          </li>
        ))}
      {diff && <li>unchanged layers are dimmed</li>}
      <li>
        <svg width="34" height="18" aria-hidden="true">
          <rect className="lg-legend-flagged" x="1" y="1" width="32" height="16" rx="3" />
          <text x="5" y="13" className="lg-icon">
            {FLAG_ICON}
          </text>
        </svg>
        layer carrying code (finding)
      </li>
      <li>
        <svg width="34" height="18" aria-hidden="true">
          <rect className="lg-legend-holds" x="1" y="1" width="32" height="16" rx="3" />
          <text x="5" y="13" className="lg-icon">
            {FLAG_ICON}
          </text>
        </svg>
        container holding a finding
      </li>
      <li>
        <svg width="34" height="18" aria-hidden="true">
          <line className="lg-legend-path" x1="2" y1="9" x2="32" y2="9" />
        </svg>
        data path from the inputs to a finding
      </li>
      <li>
        <svg width="34" height="18" aria-hidden="true">
          <rect className="lg-legend-collapsed-back" x="4" y="4" width="28" height="13" rx="3" />
          <rect className="lg-legend-collapsed" x="1" y="1" width="28" height="13" rx="3" />
        </svg>
        collapsed container (+ expands, − collapses)
      </li>
      <li>
        <svg width="34" height="18" aria-hidden="true">
          <rect className="lg-legend-selected" x="2" y="2" width="30" height="14" rx="3" />
        </svg>
        selected
      </li>
      <li>
        <svg width="34" height="18" aria-hidden="true">
          <rect className="lg-legend-match" x="2" y="2" width="30" height="14" rx="3" />
        </svg>
        search match
      </li>
    </ul>
  );
}
