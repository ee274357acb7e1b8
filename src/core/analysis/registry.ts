/** The rule registry: a list. Adding a rule is one file in rules/ and one line here. */
import { factsOf, type ContainerFact, type FactKind } from '../formats/facts';
import type { Finding } from '../report';
import type { Detection, Effect, Rule, RuleContext } from './rule';
import { h5Lambda } from './rules/h5-lambda';
import { smLambda } from './rules/sm-lambda';
import { tkModule } from './rules/tk-module';
import { k3Module } from './rules/k3-module';
import { k3UnsafeToggle } from './rules/k3-unsafe-toggle';
import { k3Loaders } from './rules/k3-loaders';
import { npzPickle } from './rules/npz-pickle';
import { torchWrap } from './rules/torchwrap';
import { tfsm } from './rules/tfsm';
import { k3Lambda } from './rules/k3-lambda';
import { publicGadget } from './rules/public-gadget';
import { hdf5ExtLink } from './rules/hdf5-extlink';
import { vocabPath } from './rules/vocab-path';
import { tfFileOps } from './rules/tf-fileops';
import { tfOpLambda } from './rules/tfoplambda';
import { pathNames } from './rules/path-names';
import { pickleGlobals } from './rules/pickle-globals';
import { torchScript } from './rules/torchscript';
import { yamlTags } from './rules/yaml';
import { bombs } from './rules/bombs';
import { custom } from './rules/custom';
import { version } from './rules/version';

export const RULES: readonly Rule[] = [
  h5Lambda,
  smLambda,
  tkModule,
  k3Module,
  k3UnsafeToggle,
  k3Loaders,
  npzPickle,
  torchWrap,
  tfsm,
  k3Lambda,
  publicGadget,
  hdf5ExtLink,
  vocabPath,
  tfFileOps,
  tfOpLambda,
  pathNames,
  pickleGlobals,
  torchScript,
  yamlTags,
  bombs,
  custom,
  version,
];

const EFFECTS = new Set(['code', 'file-write', 'file-read', 'network', 'denial-of-service', 'context']);

/** A detection may say its own effect in `effect` or `evidence.effect` (a TF op that writes vs reads). */
function effectOf(d: Detection, rule: Rule): Effect {
  if (d.effect) return d.effect;
  const e = d.evidence.effect;
  return typeof e === 'string' && EFFECTS.has(e) ? (e as Effect) : rule.effect;
}

/** The fact accessor a rule gets: only the kinds it declares (so `reads` is the truth, and tests can rely on it). */
function factReader(rule: Rule, all: readonly ContainerFact[]): RuleContext['facts'] {
  return <K extends FactKind>(kind: K) => {
    if (!rule.reads?.includes(kind)) throw new Error(`rule ${rule.id} reads fact kind ${kind} without declaring it`);
    return factsOf(all, kind);
  };
}

export interface RuleInput extends Omit<RuleContext, 'earlier' | 'facts'> {
  containerFacts: readonly ContainerFact[];
  earlier?: readonly Finding[];
}

export function runRules(input: RuleInput, rules: readonly Rule[] = RULES): Finding[] {
  const { containerFacts, earlier, ...ctx } = input;
  const findings: Finding[] = [...(earlier ?? [])];
  const seen = new Set<string>(findings.map((f) => f.id));
  for (const rule of rules) {
    for (const d of rule.detect({ ...ctx, facts: factReader(rule, containerFacts), earlier: findings.slice() })) {
      let id = `${rule.id}:${d.document}${d.location}`;
      for (let n = 2; seen.has(id); n++) id = `${rule.id}:${d.document}${d.location}#${n}`;
      seen.add(id);
      findings.push({
        ...d,
        id,
        rule: rule.id,
        kind: d.kind ?? rule.kind,
        severity: d.severity ?? rule.severity,
        references: d.references ?? rule.references,
        loaders: d.loaders ?? rule.loaders,
        explanation: d.explanation ?? rule.explanation,
        effect: effectOf(d, rule),
      });
    }
  }
  return findings;
}
