import { SAMPLES, type Sample } from './samples';

/** The single-file build (file://) cannot fetch the sample files, so it offers none. */
const SAMPLES_AVAILABLE = import.meta.env.MODE !== 'single';

export function Samples({ onPick }: { onPick: (sample: Sample) => void }) {
  if (!SAMPLES_AVAILABLE) return null;
  return (
    <section className="samples" aria-label="Samples">
      <span className="muted">Try a sample:</span>
      {SAMPLES.map((sample) => (
        <button
          key={sample.file}
          type="button"
          className="sample"
          data-testid="sample"
          data-sample={sample.file}
          title={sample.note}
          onClick={() => onPick(sample)}
        >
          {sample.label}
          <span className="muted small"> {sample.file}</span>
        </button>
      ))}
    </section>
  );
}
