/** The Lambda Lens page: drop zone and samples, then verdict, findings and layers per scanned file. */
import { useCallback, useState } from 'react';
import { parseFragment } from '../core/export/share-link';
import { DropZone } from './DropZone';
import { ExportMenu } from './ExportMenu';
import { FileList } from './FileList';
import { ReportView } from './ReportView';
import { Samples } from './Samples';
import { SharedReportView, fragmentWithLayer, replaceHash, useSharedFromHash } from './SharedReport';
import { ScanStatus } from './ScanStatus';
import { loadSample, type Sample } from './samples';
import { useScanner } from './use-scanner';
import { visible } from './visible-text';

export function App() {
  const scanner = useScanner();
  const [warnings, setWarnings] = useState<string[]>([]);
  const [shared, closeShared] = useSharedFromHash();
  // `#layer=<path>` deep link: opens that layer; kept in sync with the layer the user picks (replaceState).
  const [layer, setLayer] = useState<string | undefined>(() => parseFragment(location.hash).layer);
  const selected = scanner.entries.find((entry) => entry.id === scanner.selectedId) ?? null;
  const showShared = shared.status !== 'none';
  const empty = scanner.entries.length === 0 && !showShared;

  // Stable identity: the report view's callbacks (and the graph's) depend on it.
  const changeLayer = useCallback((path: string | undefined) => {
    setLayer(path);
    replaceHash(fragmentWithLayer(location.hash, path));
  }, []);
  const selectEntry = (id: number) => {
    if (id !== scanner.selectedId && layer !== undefined) changeLayer(undefined);
    scanner.select(id);
  };
  /** New input replaces a shared report on screen. */
  const leaveShared = () => {
    if (showShared) closeShared();
  };

  const pickSample = (sample: Sample) => {
    leaveShared();
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
            <button
              type="button"
              className="link"
              onClick={() => {
                leaveShared();
                scanner.clear();
              }}
              data-testid="clear"
            >
              Clear
            </button>
          </div>
        )}
      </header>

      <main>
        <DropZone
          compact={!empty}
          onInput={(files, folders) => {
            leaveShared();
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

        {shared.status !== 'none' && (
          <SharedReportView state={shared} onClose={closeShared} onLayerChange={changeLayer} />
        )}

        {!showShared && scanner.entries.length > 0 && (
          <div className={`results${scanner.entries.length > 1 ? ' with-list' : ''}`}>
            {scanner.entries.length > 1 && (
              <FileList entries={scanner.entries} selectedId={scanner.selectedId} onSelect={selectEntry} />
            )}
            <div className="result">
              {selected && selected.status !== 'done' && (
                <ScanStatus entry={selected} onStop={() => scanner.stopOne(selected.id)} />
              )}
              {selected?.report && (
                <>
                  <ExportMenu
                    key={`export-${selected.id}`}
                    report={selected.report}
                    documents={selected.documents}
                    layer={layer}
                  />
                  <ReportView
                    key={selected.id}
                    report={selected.report}
                    elapsedMs={selected.elapsedMs}
                    hashExpected={selected.kind === 'file'}
                    layout={selected.layout}
                    documents={selected.documents}
                    initialLayer={layer}
                    onLayerChange={changeLayer}
                  />
                </>
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
