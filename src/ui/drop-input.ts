/**
 * Turns a drop (DataTransfer) or a file chooser into scan inputs: loose files, and dropped folders (a
 * SavedModel directory) with their files under relative paths. Entries must be taken synchronously inside
 * the drop event; reading the directories happens afterwards.
 */
import type { ScanItem } from '../worker/protocol';

export interface DroppedFolder {
  name: string;
  items: ScanItem[];
}

export interface DropInput {
  files: File[];
  folders: DroppedFolder[];
  /** Problems while reading folders (unreadable entries, too many files). */
  warnings: string[];
}

/** A dropped folder with more files than this is cut short (a SavedModel has a handful). */
const MAX_FOLDER_FILES = 5000;

/** Call synchronously in the drop handler. */
export function takeDropEntries(transfer: DataTransfer): { entries: FileSystemEntry[]; files: File[] } {
  const entries: FileSystemEntry[] = [];
  const files: File[] = [];
  const items = transfer.items ? Array.from(transfer.items) : [];
  if (items.length > 0 && typeof items[0].webkitGetAsEntry === 'function') {
    for (const item of items) {
      if (item.kind !== 'file') continue;
      const entry = item.webkitGetAsEntry();
      if (entry?.isDirectory) entries.push(entry);
      else {
        const file = item.getAsFile();
        if (file) files.push(file);
      }
    }
    return { entries, files };
  }
  return { entries, files: Array.from(transfer.files) };
}

export async function readDrop(taken: { entries: FileSystemEntry[]; files: File[] }): Promise<DropInput> {
  const warnings: string[] = [];
  const folders: DroppedFolder[] = [];
  for (const entry of taken.entries) {
    const items: ScanItem[] = [];
    await walk(entry as FileSystemDirectoryEntry, '', items, warnings);
    folders.push({ name: entry.name, items });
  }
  return { files: taken.files, folders, warnings };
}

/** Files chosen with `<input webkitdirectory>`: group them by their top folder. */
export function foldersFromDirectoryInput(files: File[]): DroppedFolder[] {
  const byFolder = new Map<string, ScanItem[]>();
  for (const file of files) {
    const relative = file.webkitRelativePath || file.name;
    const slash = relative.indexOf('/');
    const top = slash > 0 ? relative.slice(0, slash) : '';
    const rest = slash > 0 ? relative.slice(slash + 1) : relative;
    const list = byFolder.get(top) ?? [];
    list.push({ name: rest, file });
    byFolder.set(top, list);
  }
  return [...byFolder].map(([name, items]) => ({ name: name || 'folder', items }));
}

async function walk(dir: FileSystemDirectoryEntry, prefix: string, out: ScanItem[], warnings: string[]): Promise<void> {
  const reader = dir.createReader();
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject)).catch(
      (error: unknown) => {
        warnings.push(`Could not read the folder ${prefix || dir.name}: ${String(error)}`);
        return [] as FileSystemEntry[];
      },
    );
    if (batch.length === 0) return;
    for (const entry of batch) {
      if (out.length >= MAX_FOLDER_FILES) {
        warnings.push(`Only the first ${MAX_FOLDER_FILES} files of the folder were taken.`);
        return;
      }
      const path = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory) await walk(entry as FileSystemDirectoryEntry, path, out, warnings);
      else {
        try {
          const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
          out.push({ name: path, file });
        } catch (error) {
          warnings.push(`Could not read ${path}: ${String(error)}`);
        }
      }
    }
  }
}
