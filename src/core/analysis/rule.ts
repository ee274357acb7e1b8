/**
 * Rules are data plus one function: id, title, severity, references, affected loaders and explanation,
 * and `detect` over the opened and walked model. The registry (registry.ts) is a list.
 */
import type { BlobFact } from '../formats/embedded-pickles';
import type { CodeCarrier, EmbeddedPickle, OpenedModel, WalkedModel } from '../keras/model';
import type { PayloadDecoding } from '../python/types';
import type { Effect, Finding, FindingKind, LoaderImpact, Severity } from '../report';

export type { Effect };

export interface RuleContext {
  opened: OpenedModel;
  /** Layers, code carriers and every config object with its location. */
  walked: WalkedModel;
  /** Decoded payload of each carrier. */
  decoded: Map<CodeCarrier, PayloadDecoding>;
  /** Every pickle found: pickle files, PyTorch members, object arrays, TorchModuleWrapper blobs. */
  pickles: readonly EmbeddedPickle[];
  /** What each TorchModuleWrapper `config.module` decoded to. */
  torchBlobs: readonly BlobFact[];
  /** Findings of the rules listed before this one (the registry fills it); for rules that combine others. */
  earlier: readonly Finding[];
}

/** What a detect function returns: a finding without the rule's own fields (filled in by the registry). */
export type Detection = Omit<Finding, 'id' | 'rule' | 'kind' | 'references' | 'loaders' | 'severity' | 'explanation' | 'effect'> &
  Partial<Pick<Finding, 'severity' | 'loaders' | 'explanation' | 'kind' | 'references' | 'effect'>>;


export interface Rule {
  id: string;
  title: string;
  kind: FindingKind;
  severity: Severity;
  /** What the finding lets the file do (a detection may say otherwise in `evidence.effect`). */
  effect: Effect;
  references: string[];
  /** Loader matrix: which loaders run it on a default load, which only with an option, from which version it is fixed. */
  loaders: LoaderImpact[];
  /** Why this is dangerous, for the reader: one short paragraph. */
  explanation: string;
  detect(ctx: RuleContext): Detection[];
}
