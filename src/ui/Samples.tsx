import { SAMPLES, type Sample } from './samples';

export function Samples({ onPick }: { onPick: (sample: Sample) => void }) {
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
