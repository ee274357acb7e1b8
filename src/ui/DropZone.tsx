/** Drop files or a SavedModel folder, or choose files; nothing leaves the browser. */
import { useEffect, useRef, useState, type DragEvent } from 'react';
import { foldersFromDirectoryInput, readDrop, takeDropEntries, type DroppedFolder } from './drop-input';

export function DropZone({
  compact,
  onInput,
  onWarnings,
}: {
  compact: boolean;
  onInput: (files: File[], folders: DroppedFolder[]) => void;
  onWarnings: (warnings: string[]) => void;
}) {
  const [over, setOver] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);

  const handleTransfer = (transfer: DataTransfer) => {
    const taken = takeDropEntries(transfer);
    readDrop(taken).then(
      (input) => {
        if (input.warnings.length) onWarnings(input.warnings);
        onInput(input.files, input.folders);
      },
      (error: unknown) => onWarnings([`Could not read the dropped items: ${String(error)}`]),
    );
  };

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setOver(false);
    handleTransfer(event.dataTransfer);
  };

  // A drop anywhere else on the page is taken too, instead of the browser navigating to the file.
  const handleRef = useRef(handleTransfer);
  handleRef.current = handleTransfer;
  useEffect(() => {
    const onWindowDragOver = (event: globalThis.DragEvent) => {
      if (event.dataTransfer?.types.includes('Files')) event.preventDefault();
    };
    const onWindowDrop = (event: globalThis.DragEvent) => {
      if (event.defaultPrevented || !event.dataTransfer) return;
      event.preventDefault();
      handleRef.current(event.dataTransfer);
    };
    window.addEventListener('dragover', onWindowDragOver);
    window.addEventListener('drop', onWindowDrop);
    return () => {
      window.removeEventListener('dragover', onWindowDragOver);
      window.removeEventListener('drop', onWindowDrop);
    };
  }, []);

  return (
    <div
      className={`dropzone${over ? ' over' : ''}${compact ? ' compact' : ''}`}
      data-testid="dropzone"
      onDragEnter={(event) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragOver={(event) => {
        event.preventDefault();
        event.dataTransfer.dropEffect = 'copy';
      }}
      onDragLeave={(event) => {
        if (event.currentTarget === event.target) setOver(false);
      }}
      onDrop={onDrop}
    >
      <p className="drop-title">
        {compact ? 'Drop more files here, or ' : 'Drop a .keras, .h5 or SavedModel folder here, or '}
        <button type="button" className="link" onClick={() => fileInput.current?.click()}>
          choose files
        </button>
        {' / '}
        <button type="button" className="link" onClick={() => folderInput.current?.click()}>
          a folder
        </button>
      </p>
      {!compact && (
        <p className="muted small">
          Files are read in this tab only: nothing is uploaded, and nothing from the model is ever run.
        </p>
      )}
      <input
        ref={fileInput}
        type="file"
        multiple
        hidden
        data-testid="file-input"
        onChange={(event) => {
          const files = Array.from(event.target.files ?? []);
          event.target.value = '';
          if (files.length) onInput(files, []);
        }}
      />
      <input
        ref={(element) => {
          folderInput.current = element;
          // Not in React's attribute list; set directly.
          if (element) element.setAttribute('webkitdirectory', '');
        }}
        type="file"
        hidden
        data-testid="folder-input"
        onChange={(event) => {
          const files = Array.from(event.target.files ?? []);
          event.target.value = '';
          if (files.length) onInput([], foldersFromDirectoryInput(files));
        }}
      />
    </div>
  );
}
