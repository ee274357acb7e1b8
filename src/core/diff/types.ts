/**
 * The records of a model diff (`lambdalens/diff@1`): what changed between two scanned models, as data. Text,
 * JSON and the page format these records; nothing here formats. schemas/diff.schema.json is the JSON Schema of
 * `ModelDiff` and changes with it. Additions of optional fields keep the version; anything else bumps it.
 */
import type { Json } from '../json/parse';
import type { FileReport, FormatId, ModelSummary, ReportError, Severity, Verdict } from '../report';
import type { LineDiff } from './lines';

export type { LineDiff };

export const DIFF_SCHEMA = 'lambdalens/diff@1';

/** Which file a record speaks of: `a` (the reference, e.g. the publisher's) or `b` (the copy under review). */
export type Side = 'a' | 'b';

/** The two files, as their scans saw them. */
export interface DiffFile {
  path: string;
  size: number;
  sha256: string | null;
  format: FormatId;
  formatDetail: string;
  verdict: Verdict;
  verdictReason: string;
  error?: ReportError;
  model?: ModelSummary;
}

/** How two layers were paired: the same name path, or (after a rename) the same class and config, or place. */
export type MatchBasis = 'path' | 'structure' | 'position';

export interface LayerMatch {
  a: string;
  b: string;
  className: string;
  by: MatchBasis;
}

/** One input of a call node, in B's names (A's names are mapped through the layer matches first). */
export interface EdgeRef {
  layer: string;
  node: number;
  tensor: number;
}

/** A code payload as one side holds it: where, its identity, and its decoded view for reading both sides. */
export interface PayloadSide {
  document: string;
  location: string;
  layer?: string;
  slot?: string;
  /** The on-disk shape (`keras3-lambda`, `list`, …). */
  carrier: string;
  sha256: string;
  size: number;
  pythonVersions: string[];
  names: string[];
  strings: string[];
  source?: string;
  sourceComplete: boolean;
  disassembly?: string;
  /** One-line descriptions of the indicators (`process: runs a shell command (os.system)`). */
  indicators: string[];
  /** Defaults and closure stored beside the code, as JSON (absent when none). */
  defaults?: Json;
  closure?: Json;
  /** Set when the bytes are not a readable code object (the payload is still compared by hash). */
  decodeError?: string;
}

/**
 * One difference between two payloads' code objects. `codeObject` is the qualname path of the nested code object
 * (`<lambda>`, `<lambda>.<listcomp>`); `from`/`to` are CPython reprs or plain values as text.
 */
export interface CodeChange {
  codeObject: string;
  field: 'const' | 'name' | 'varname' | 'freevar' | 'cellvar' | 'bytecode' | 'argcount' | 'flags' | 'filename' | 'qualname' | 'firstlineno' | 'code-object' | 'defaults' | 'closure' | 'decoding';
  /** Index in co_consts / co_names / … when the field is a tuple. */
  index?: number;
  from?: string;
  to?: string;
}

/** What the containers record about the weights (never the values). */
export interface WeightRecordChange {
  /** `member`: a zip member (CRC-32 and sizes); `dataset`: an HDF5 dataset (shape and dtype). */
  part: 'member' | 'dataset';
  /** Member name, or HDF5 path (with `member:` in front for a dataset inside a zip member). */
  name: string;
  change: 'added' | 'removed' | 'changed';
  from?: string;
  to?: string;
}

/** A layer on one side only (the side is in the kind: added = only in b). */
export interface OneSidedLayer {
  codeCarrying: boolean;
  layer: string;
  className: string;
  document: string;
  location: string;
}

/** A finding on one side only. */
export interface OneSidedFinding {
  codeCarrying: boolean;
  rule: string;
  severity: Severity;
  title: string;
  layer?: string;
  document: string;
  location: string;
}

/** Every difference is one of these; `codeCarrying` marks what can change the code a load runs. */
export type Difference =
  | ({ kind: 'layer-added' } & OneSidedLayer)
  | ({ kind: 'layer-removed' } & OneSidedLayer)
  | { kind: 'layer-renamed'; codeCarrying: false; a: string; b: string; className: string; by: MatchBasis }
  | { kind: 'class-changed'; codeCarrying: boolean; a: string; b: string; from: string; to: string }
  | {
      kind: 'config-changed';
      codeCarrying: boolean;
      /** Layer paths on each side ('' for config outside layers, then `unit` says which). */
      a: string;
      b: string;
      /** Config outside layers: `training` (an `.h5`'s training_config, a `.keras`'s compile_config). */
      unit?: string;
      /** Pointer relative to the layer object (`/config/activation`) or the unit's root, the same on both sides. */
      pointer: string;
      change: 'added' | 'removed' | 'changed';
      from?: Json;
      to?: Json;
      /** Absolute places: document name + pointer in each file. */
      at: { a?: string; b?: string };
    }
  | { kind: 'inbound-changed'; codeCarrying: false; a: string; b: string; from: EdgeRef[][]; to: EdgeRef[][] }
  | { kind: 'payload-added'; codeCarrying: true; b: PayloadSide }
  | { kind: 'payload-removed'; codeCarrying: true; a: PayloadSide }
  | {
      kind: 'payload-changed';
      codeCarrying: true;
      a: PayloadSide;
      b: PayloadSide;
      changes: CodeChange[];
      /** Lines of each side's source / disassembly not common to both (absent when a side has none, or too long). */
      lines?: { source?: LineDiff; disassembly?: LineDiff };
    }
  | ({ kind: 'finding-added' } & OneSidedFinding)
  | ({ kind: 'finding-removed' } & OneSidedFinding)
  | {
      kind: 'finding-changed';
      codeCarrying: boolean;
      /** What differs: the rule (the container picks the loader), the severity or the title. */
      a: { rule: string; severity: Severity; title: string; location: string };
      b: { rule: string; severity: Severity; title: string; location: string };
      layer?: string;
    }
  | { kind: 'metadata-changed'; codeCarrying: false; key: string; from?: string; to?: string }
  | { kind: 'container-changed'; codeCarrying: false; record: WeightRecordChange };

export type DifferenceKind = Difference['kind'];

/** Something that was on one side and could not be compared, with why: listed, never hidden. */
export interface Unmatched {
  side: Side | 'both';
  what: string;
  reason: string;
}

export interface DiffSummary {
  /** True when some difference can change the code a load runs (the CLI exits 1). */
  codeChanged: boolean;
  /** Layers, their names, classes, configs or edges differ (the training config is not architecture). */
  architectureChanged: boolean;
  counts: Partial<Record<DifferenceKind, number>>;
  layers: { a: number; b: number; matched: number };
  payloads: { a: number; b: number; same: number };
}

export interface ModelDiff {
  schema: typeof DIFF_SCHEMA;
  tool: FileReport['tool'];
  a: DiffFile;
  b: DiffFile;
  summary: DiffSummary;
  matches: LayerMatch[];
  differences: Difference[];
  unmatched: Unmatched[];
  /** What was compared and how, in sentences: weights never read, keys that only differ by save format … */
  notes: string[];
}
