import type { TfMetaGraph, TfSensitiveOp } from '../../formats/savedmodel/graph-types';
import type { Severity } from '../../report';
import { clip } from '../config-facts';
import type { Detection, Rule } from '../rule';

const HIGH_CAPABILITIES = new Set(['file-write', 'checkpoint-write', 'network']);

/** PrintV2 only writes a file when output_stream names one (default "stderr"). */
function printsToFile(op: TfSensitiveOp): boolean {
  const stream = op.pathAttrs.find((a) => a.name === 'output_stream')?.values[0] ?? 'stderr';
  return !/^(stderr|stdout|log\((info|warning|error)\))$/.test(stream);
}

function assetPath(s: string, mg: TfMetaGraph): boolean {
  return /(^|\/)assets\//.test(s) || mg.assetFiles.some((a) => s === a || s.endsWith(`/${a}`));
}

function grade(op: TfSensitiveOp, mg: TfMetaGraph): { severity: Severity; effect: string } | null {
  if (op.op === 'PrintV2' && !printsToFile(op)) return null;
  if (op.op.startsWith('DebugIdentity') && op.pathAttrs.every((a) => a.values.length === 0)) return null;
  if (HIGH_CAPABILITIES.has(op.capability)) return { severity: 'high', effect: op.capability === 'network' ? 'network' : 'file-write' };
  if (op.capability === 'python-callback') return { severity: 'medium', effect: 'code' };
  const strings = op.pathArgs.flatMap((a) => a.strings);
  // A vocabulary table read from the model's own assets/ is what text models do.
  if (strings.length > 0 && strings.every((s) => assetPath(s, mg))) return { severity: 'info', effect: 'file-read' };
  // A path the graph itself names (a resolved constant) is a file the model chooses to read.
  return { severity: strings.length > 0 ? 'high' : 'medium', effect: 'file-read' };
}

/**
 * R-TF-FILEOPS: SavedModel graph ops that read or write files, reach the network or call back into Python
 * (TensorFlow SECURITY.md: a SavedModel is a program), from graph_def.node AND every library function, with their resolved Const path/URL arguments.
 * The standard checkpoint saver sub-graph (marked by the parser) is not a finding.
 */
export const tfFileOps: Rule = {
  id: 'R-TF-FILEOPS',
  title: 'SavedModel graph op touches files or the network',
  kind: 'tf-op',
  severity: 'high',
  effect: 'file-write',
  references: ['tensorflow SECURITY.md', 'ZJU-SEC/TensorAbuse 39159dce22'],
  loaders: [
    { loader: 'TensorFlow', versions: 'all', when: 'default', note: 'by design: restore/initializer functions run in tf.saved_model.load, the rest when the model is called' },
  ],
  explanation:
    'A SavedModel graph is a program. Besides the standard checkpoint saver, this graph contains an op that reads or writes files, opens network connections or calls a registered Python function. TensorFlow runs it when the function holding it runs — table initializers during load, everything else at the first call of the model.',
  detect({ opened }) {
    const out: Detection[] = [];
    for (const mg of opened.graphs ?? []) {
      for (const op of mg.sensitiveOps) {
        if (op.saver) continue;
        const g = grade(op, mg);
        if (!g) continue;
        const args = op.pathArgs.map((a) => clip(a.text, 300));
        const strings = [...op.pathArgs.flatMap((a) => a.strings), ...op.pathAttrs.flatMap((a) => a.values)].map((s) => clip(s, 300));
        const where = op.function ? `function ${op.function}` : 'the graph';
        out.push({
          title: `${op.op} (${op.capability.replace('-', ' ')}) in ${where}${strings.length ? ` on ${clip(strings[0], 80)}` : args.length ? ` on ${clip(args[0], 80)}` : ''}`,
          severity: g.severity,
          document: 'saved_model.pb',
          location: `/meta_graphs/${mg.index}${op.function ? `/library/${encodeURIComponent(op.function)}` : '/graph'}/${encodeURIComponent(op.node)}`,
          evidence: {
            op: op.op,
            node: op.node,
            function: op.function,
            capability: op.capability,
            effect: g.effect,
            pathArgs: args,
            pathAttrs: op.pathAttrs,
            strings,
            metaGraphTags: mg.tags,
          },
        });
      }
    }
    return out;
  },
};
