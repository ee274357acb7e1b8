/**
 * Structural facts a container reader finds (links, member names, declared sizes …) for the rules to judge.
 * One closed union: every kind a reader can produce is read by a rule (tests/unit/rules/facts.test.ts checks
 * both directions), so a fact cannot be produced and then silently ignored. What a reader could NOT inspect
 * is not a fact: it goes to the coverage ledger (coverage.ts).
 */

import type { PyLiteral } from './npy';

interface NpyHeader {
  descr: PyLiteral | undefined;
  shape: number[] | undefined;
  fortranOrder: boolean | undefined;
}

/** The detail each kind carries. */
export interface FactDetails {
  'zip-path-traversal': { name: string };
  'zip-symlink': { name: string };
  'zip-tar-asset': { name: string; size: number };
  /** A member inflating to far more than it stores (likely deflate bomb). */
  'zip-ratio': { size: number; compressedSize: number };
  /** Members declaring far more data than the archive holds. */
  'zip-declared-size': { declaredBytes: number; archiveBytes: number };
  /** A member whose central directory size differs from what really inflates (Python's zipfile reads the real bytes). */
  'zip-size-mismatch': { member: string; declaredBytes: number; actualBytes: number };
  'npy-object-array': NpyHeader & { inNpz: boolean };
  'npy-declared-size': NpyHeader & { declaredBytes: number; storedBytes: number };
  'hdf5-soft-link': { member?: string; target: string };
  'hdf5-external-link': { member?: string; file: string; target: string };
  'hdf5-virtual-dataset': { member?: string; sources: { file: string; dataset: string }[]; aliases?: string[] };
  /** External Data Files message (0x0007): the dataset's bytes live in other files (size null: to the end of it). */
  'hdf5-external-storage': { member?: string; files: { file: string; offset: number; size: number | null }[]; aliases?: string[] };
  'hdf5-declared-size': { member?: string; declaredBytes: number; fileBytes: number; shape: number[] | null };
  'yaml-python-tag': { tag: string; line: number; text: string };
}

export type FactKind = keyof FactDetails;

export type ContainerFact = { [K in FactKind]: { kind: K; where: string; detail: FactDetails[K] } }[FactKind];

/** Every kind, at run time (the `satisfies` keeps the list and the union in step). */
const KIND_TABLE = {
  'zip-path-traversal': true,
  'zip-symlink': true,
  'zip-tar-asset': true,
  'zip-ratio': true,
  'zip-declared-size': true,
  'zip-size-mismatch': true,
  'npy-object-array': true,
  'npy-declared-size': true,
  'hdf5-soft-link': true,
  'hdf5-external-link': true,
  'hdf5-virtual-dataset': true,
  'hdf5-external-storage': true,
  'hdf5-declared-size': true,
  'yaml-python-tag': true,
} as const satisfies Record<FactKind, true>;
export const FACT_KINDS = Object.keys(KIND_TABLE) as FactKind[];

/** The facts of one kind, typed. */
export function factsOf<K extends FactKind>(facts: readonly ContainerFact[], kind: K): { kind: K; where: string; detail: FactDetails[K] }[] {
  return facts.filter((f) => f.kind === kind) as unknown as { kind: K; where: string; detail: FactDetails[K] }[];
}

export function fact<K extends FactKind>(kind: K, where: string, detail: FactDetails[K]): ContainerFact {
  return { kind, where, detail } as ContainerFact;
}
