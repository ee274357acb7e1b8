/** A compact, indented list of the model's layers (the graph view is a separate component). */
import { useMemo, useState } from 'react';
import type { Finding, LayerInfo } from '../core/report';
import { visible } from './visible-text';

/** Cap on rows drawn before "show all" (a 300-layer model stays responsive). */
const INITIAL_ROWS = 200;

export function LayerList({ layers, findings }: { layers: LayerInfo[]; findings: Finding[] }) {
  const [showAll, setShowAll] = useState(false);
  const flagged = useMemo(() => {
    const set = new Set<string>();
    for (const finding of findings) if (finding.layer) set.add(finding.layer);
    return set;
  }, [findings]);
  const depth = (layer: LayerInfo) => (layer.parent ? layer.path.split('/').length - 1 : 0);
  const shown = showAll ? layers : layers.slice(0, INITIAL_ROWS);
  if (layers.length === 0) return null;
  return (
    <details className="layers" open={layers.length <= 60}>
      <summary>
        <h2>
          Layers <span className="muted">({layers.length}{flagged.size > 0 && `, ${flagged.size} flagged`})</span>
        </h2>
      </summary>
      <ul className="layer-list" data-testid="layer-list">
        {shown.map((layer) => {
          const isFlagged = flagged.has(layer.path);
          return (
            <li
              key={layer.path}
              className={isFlagged ? 'flagged' : undefined}
              data-testid="layer-row"
              data-flagged={isFlagged ? 'true' : 'false'}
              style={{ paddingLeft: `${0.4 + Math.min(depth(layer), 8) * 1.1}rem` }}
            >
              <span className="flag" aria-label={isFlagged ? 'flagged' : undefined}>
                {isFlagged ? '⚠' : ''}
              </span>
              <span className="mono layer-path">{visible(layer.path)}</span>
              <span className="layer-class">{visible(layer.className)}</span>
            </li>
          );
        })}
      </ul>
      {!showAll && layers.length > INITIAL_ROWS && (
        <button type="button" className="link" onClick={() => setShowAll(true)}>
          Show all {layers.length} layers
        </button>
      )}
    </details>
  );
}
