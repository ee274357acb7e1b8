/** The Lambda Lens page: drop zone and samples, then verdict, findings and layers per scanned file. */
import { useState } from 'react';
import { DropZone } from './DropZone';
import { FileList } from './FileList';
import { ReportView } from './ReportView';
import { Samples } from './Samples';
import { ScanStatus } from './ScanStatus';
import { loadSample, type Sample } from './samples';
import { useScanner } from './use-scanner';
import { visible } from './visible-text';

export function App() {
  const scanner = useScanner();
  const [warnings, setWarnings] = useState<string[]>([]);
  const selected = scanner.entries.find((entry) => entry.id === scanner.selectedId) ?? null;
  const empty = scanner.entries.length === 0;

  const pickSample = (sample: Sample) => {
    setWarnings([]);
    loadSample(sample).then(
      (file) => scanner.scan([file], []),
      (error: unknown) => setWarnings([error instanceof Error ? error.message : String(error)]),
    );
  };

  return (
    <div className={`app${empty ? ' empty' : ''}`}>
      <header className="top">
        <h1>
          Lambda Lens <span className="tagline">see what code a Keras model would run on load, before you load it</span>
        </h1>
        {!empty && (
          <div className="top-actions">
            {scanner.busy && (
              <button type="button" className="stop" onClick={scanner.stop} data-testid="stop-all">
                Stop all
              </button>
            )}
            <button type="button" className="link" onClick={scanner.clear} data-testid="clear">
              Clear
            </button>
          </div>
        )}
      </header>

      <main>
        <DropZone
          compact={!empty}
          onInput={(files, folders) => {
            setWarnings([]);
            scanner.scan(files, folders);
          }}
          onWarnings={setWarnings}
        />
        {empty && <Samples onPick={pickSample} />}
        {warnings.length > 0 && (
          <ul className="warnings" role="alert">
            {warnings.map((warning, index) => (
              <li key={index}>{visible(warning)}</li>
            ))}
          </ul>
        )}

        {!empty && (
          <div className={`results${scanner.entries.length > 1 ? ' with-list' : ''}`}>
            {scanner.entries.length > 1 && (
              <FileList entries={scanner.entries} selectedId={scanner.selectedId} onSelect={scanner.select} />
            )}
            <div className="result">
              {selected && selected.status !== 'done' && (
                <ScanStatus entry={selected} onStop={() => scanner.stopOne(selected.id)} />
              )}
              {selected?.report && (
                <ReportView
                  key={selected.id}
                  report={selected.report}
                  elapsedMs={selected.elapsedMs}
                  hashExpected={selected.kind === 'file'}
                  layout={selected.layout}
                />
              )}
            </div>
          </div>
        )}

        {empty && (
          <section className="about">
            <h2>What it checks</h2>
            <ul>
              <li>
                Lambda layers and other config slots that carry Python bytecode (marshal): decoded, disassembled and
                decompiled to show exactly what would run.
              </li>
              <li>Module imports, custom objects, unsafe loader options and other load-time code paths.</li>
              <li>Keras 3 <code>.keras</code> zips, legacy HDF5 <code>.h5</code>, and TensorFlow SavedModel folders.</li>
            </ul>
          </section>
        )}
      </main>
    </div>
  );
}
