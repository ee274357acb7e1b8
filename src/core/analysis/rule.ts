/**
 * Rules are data plus one function: id, title, severity, references, affected loaders and explanation,
 * and `detect` over the opened and walked model. The registry (registry.ts) is a list.
 *
 * A rule sees the container's family (which loaders read the file), never its format label: a label must not be
 * able to turn a payload into "clean". Container facts are read through `facts(kind)`, only for the kinds the
 * rule declares in `reads` (a fact kind nobody reads fails tests/unit/rules/facts.test.ts).
 */
import type { BlobFact } from '../formats/embedded-pickles';
import type { FactDetails, FactKind } from '../formats/facts';
import type { Family } from '../formats/registry';
import type { CodeCarrier, EmbeddedPickle, OpenedModel, WalkedModel } from '../keras/model';
import type { PayloadDecoding } from '../python/types';
import type { Effect, Finding, FindingKind, LoaderImpact, Severity } from '../report';

export type { Effect };

/** What rules may read of the opened model: everything but the format label. */
export type RuleModel = Omit<OpenedModel, 'format' | 'formatDetail' | 'containerFacts'>;

export interface RuleContext {
  opened: RuleModel;
  /** Which loaders read this file (from the format registry). */
  family: Family;
  /** The container facts of one kind (only kinds the rule declares in `reads`). */
  facts<K extends FactKind>(kind: K): { kind: K; where: string; detail: FactDetails[K] }[];
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
  /** What the finding lets the file do (a detection may say otherwise in `effect` / `evidence.effect`). */
  effect: Effect;
  references: string[];
  /** Loader matrix: which loaders run it on a default load, which only with an option, from which version it is fixed. */
  loaders: LoaderImpact[];
  /** Why this is dangerous, for the reader: one short paragraph. */
  explanation: string;
  /** The container fact kinds this rule turns into findings. */
  reads?: readonly FactKind[];
  detect(ctx: RuleContext): Detection[];
}
