/**
 * A pickle shown like a payload: what it imports (dangerous and unknown first, safe ones marked safe), what it
 * calls with which arguments, and its string constants. All of it is text from the file, rendered as text.
 */
import { pickleEvidenceOf } from '../core/analysis/pickle-evidence';
import type { Finding } from '../core/report';
import { visible } from './visible-text';

const ORDER = { dangerous: 0, unknown: 1, safe: 2 } as const;

export function PickleView({ finding }: { finding: Finding }) {
  const p = pickleEvidenceOf(finding.evidence);
  if (!p) return null;
  const globals = [...p.globals].sort((a, b) => ORDER[a.class] - ORDER[b.class]);
  const safe = globals.filter((g) => g.safe).length;
  return (
    <section className="pickle-view" data-testid="pickle-view" aria-label="What the pickle imports and calls">
      <h3>
        Imports <span className="muted small">({globals.length - safe} to review, {safe} known safe)</span>
      </h3>
      <ul className="pickle-globals mono small" data-testid="pickle-globals">
        {globals.map((g) => (
          <li key={`${g.module}.${g.name}`} data-class={g.class}>
            <span className={`tag tag-${g.class}`}>{g.safe ? 'safe' : g.class}</span> {visible(`${g.module}.${g.name}`)}
            <span className="muted"> @{g.offset}</span>
          </li>
        ))}
      </ul>
      {p.calls.length > 0 && (
        <>
          <h3>Calls while unpickling</h3>
          <pre className="pickle-calls" data-testid="pickle-calls" tabIndex={0}>
            {p.calls.map((c) => `${visible(c.callable ?? '(computed callable)')}(${c.args.map((a) => visible(JSON.stringify(a))).join(', ')})  # ${c.opcode} @${c.offset}`).join('\n')}
          </pre>
        </>
      )}
      {p.listing.length > 0 && (
        <details className="pickle-listing">
          <summary>
            Opcode listing <span className="muted small">(first {p.listing.length}, as pickletools.dis)</span>
          </summary>
          <pre data-testid="pickle-listing" tabIndex={0}>
            {p.listing.map((l) => `${String(l.offset).padStart(6)}: ${l.opcode.padEnd(16)}${l.arg !== undefined ? visible(l.arg) : ''}`).join('\n')}
          </pre>
        </details>
      )}
      {p.strings.length > 0 && (
        <>
          <h3>Strings</h3>
          <p className="mono small pickle-strings" data-testid="pickle-strings">
            {p.strings.map((s) => visible(JSON.stringify(s))).join(', ')}
          </p>
        </>
      )}
    </section>
  );
}
