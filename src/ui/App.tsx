/**
 * The Lambda Lens page. Empty: the drop zone, the samples and one line on what is checked. With files: a header
 * bar (verdict, counts, Export ▾ / Share ▾) over the inspector workspace (Workspace.tsx).
 */
import { useCallback, useEffect, useState } from 'react';
import { parseFragment } from '../core/export/share-link';
import { DropZone } from './DropZone';
import { OpenUrl, fragmentWithoutUrl, type UrlTarget } from './OpenUrl';
import { ExportMenu } from './ExportMenu';
import { FileList } from './FileList';
import { Samples } from './Samples';
import { SharedBanner, SharedMessage, fragmentWithSelection, replaceHash, useSharedFromHash } from './SharedReport';
import { ScanStatus } from './ScanStatus';
import { VerdictBanner } from './VerdictBanner';
import { Workspace, type Selection } from './Workspace';
import { CompareView } from './CompareView';
import { loadSample, type Sample } from './samples';
import { useScanner } from './use-scanner';
import { warmViews } from './warm-up';
import { visible } from './visible-text';

export function App() {
  const scanner = useScanner();
  const [warnings, setWarnings] = useState<string[]>([]);
  const [shared, closeShared] = useSharedFromHash();
  // Compare mode (issue 16): two finished scans side by side as a list of differences.
  const [comparing, setComparing] = useState(false);
  // `#layer=` / `#finding=` deep links: select and reveal; kept in sync with the user's selection (replaceState).
  const [selection, setSelection] = useState<Selection>(() => {
    const f = parseFragment(location.hash);
    return { layer: f.layer, finding: f.finding };
  });
  const selected = scanner.entries.find((entry) => entry.id === scanner.selectedId) ?? null;
  const showShared = shared.status !== 'none';
  const empty = scanner.entries.length === 0 && !showShared;

  const changeSelection = useCallback((next: Selection) => {
    setSelection(next);
    replaceHash(fragmentWithSelection(location.hash, next));
  }, []);
  const selectEntry = (id: number) => {
    if (id !== scanner.selectedId) changeSelection({});
    scanner.select(id);
  };
  /** New input replaces a shared report on screen. */
  const leaveShared = () => {
    if (showShared) closeShared();
  };
  /** Other input replaces a URL inspection: the address leaves the fragment, so a reload or a copied link does not re-inspect it. */
  const forgetUrl = () => {
    if (/(^#|&)url=/.test(location.hash)) replaceHash(fragmentWithoutUrl(location.hash));
  };
  const onInput = (files: File[], folders: Parameters<typeof scanner.scan>[1]) => {
    leaveShared();
    setComparing(false);
    forgetUrl();
    setWarnings([]);
    scanner.scan(files, folders);
  };
  const onUrls = (targets: UrlTarget[]) => {
    leaveShared();
    setWarnings([]);
    scanner.scanUrls(targets);
  };
  const pickSample = (sample: Sample) => {
    leaveShared();
    forgetUrl();
    setWarnings([]);
    loadSample(sample).then(
      (file) => scanner.scan([file], []),
      (error: unknown) => setWarnings([error instanceof Error ? error.message : String(error)]),
    );
  };

  // The worker's warm-up report, rendered once off-document while the page is still empty (warm-up.tsx).
  const { warmReport, warmDone } = scanner;
  useEffect(() => {
    if (!warmReport) return;
    if (empty) warmViews(warmReport.report, warmReport.layout);
    warmDone();
  }, [warmReport, warmDone, empty]);

  const report = showShared ? (shared.status === 'ok' ? shared.report : undefined) : selected?.report;
  const comparable = scanner.entries.filter((e) => e.status === 'done' && e.report).length >= 2;
  const showCompare = comparing && !showShared && comparable;
  const files =
    !showShared && scanner.entries.length > 0 ? (
      <FileList entries={scanner.entries} selectedId={scanner.selectedId} onSelect={selectEntry} />
    ) : undefined;

  return (
    <div className={`app${empty ? ' empty' : ' working'}`}>
      <header className="top">
        <h1 className="brand">
          Lambda Lens {empty && <span className="tagline">see what code a model would run on load, before you load it</span>}
        </h1>
        {report && <VerdictBanner report={report} elapsedMs={showShared ? undefined : selected?.elapsedMs} />}
        {!empty && (
          <div className="top-actions">
            {report && !showShared && selected && (
              <ExportMenu key={`export-${selected.id}`} report={report} documents={selected.documents} layer={selection.layer} />
            )}
            <DropZone compact onInput={onInput} onWarnings={setWarnings} />
            {comparable && !showShared && !showCompare && (
              <button type="button" onClick={() => setComparing(true)} data-testid="compare-open" title="Compare two of the dropped models">
                Compare…
              </button>
            )}
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
                setComparing(false);
                forgetUrl();
                scanner.clear();
              }}
              data-testid="clear"
            >
              Clear
            </button>
          </div>
        )}
      </header>

      {warnings.length > 0 && (
        <ul className="warnings" role="alert">
          {warnings.map((warning, index) => (
            <li key={index}>{visible(warning)}</li>
          ))}
        </ul>
      )}

      {empty && (
        <main className="welcome">
          <p className="lede" data-testid="lede">
            Checks Keras, TensorFlow, PyTorch and pickle model files for code that runs on load — Lambda bytecode, module
            imports, unsafe options, pickles, links to other files — and shows exactly what it does. Files are read in
            this page: nothing leaves your machine, nothing in them is run.
          </p>
          <DropZone compact={false} onInput={onInput} onWarnings={setWarnings} />
          <OpenUrl onTargets={onUrls} onWarnings={setWarnings} />
          <Samples onPick={pickSample} />
        </main>
      )}

      {showShared && shared.status !== 'ok' && <SharedMessage state={shared} onClose={closeShared} />}
      {showShared && shared.status === 'ok' && (
        <>
          <SharedBanner report={shared.report} onClose={closeShared} />
          <Workspace
            report={shared.report}
            hashExpected={false}
            readOnly
            initial={{ layer: shared.layer ?? selection.layer, finding: selection.finding }}
            onSelectionChange={changeSelection}
          />
        </>
      )}

      {showCompare && <CompareView entries={scanner.entries} compare={scanner.compare} onClose={() => setComparing(false)} />}
      {!showShared && !showCompare && selected && selected.status !== 'done' && (
        <main className="scanning">
          {files}
          <ScanStatus entry={selected} onStop={() => scanner.stopOne(selected.id)} />
        </main>
      )}
      {!showShared && !showCompare && selected?.report && (
        <Workspace
          key={selected.id}
          report={selected.report}
          layout={selected.layout}
          documents={selected.documents}
          hashExpected={selected.kind === 'file'}
          initial={selection}
          onSelectionChange={changeSelection}
          files={files}
          hashProgress={selected.hashProgress}
        />
      )}
    </div>
  );
}
