import { at } from '../config-facts';
import type { Detection, Rule } from '../rule';

/** TF symbols (as TFOpLambda stores them, without the `tf.` prefix) that touch files, the network or Python. */
const RISKY = /^(compat\.v1\.)?(io\.(write_file|read_file|matching_files|gfile\.\w+)|raw_ops\.(WriteFile|ReadFile|MatchingFiles|PrintV2|PyFunc\w*|EagerPyFunc|DebugIdentity\w*|Rpc\w+|\w*Dataset\w*|Save\w*|Restore\w*|ImmutableConst)|print|data\.\S+|debugging\.\S+|py_function|numpy_function|py_func|saved_model\.\S+|train\.(Checkpoint|Saver|write_graph)\S*|summary\.\S+|keras\.\S+|lookup\.TextFileInitializer|distribute\.\S+)$/;

/**
 * R-TFOPLAMBDA: tf.keras `TFOpLambda` whose `function` is a TF symbol that reads or writes files, prints to a
 * stream, builds datasets or calls Python. Ordinary TF ops (the usual case: any `tf.*` call on a KerasTensor) are
 * not findings — a frequent false positive of other scanners (ModelScan and ModelAudit flag every TFOpLambda).
 */
export const tfOpLambda: Rule = {
  id: 'R-TFOPLAMBDA',
  title: 'TFOpLambda calls a TensorFlow file or network function',
  kind: 'tf-op',
  severity: 'medium',
  effect: 'file-read',
  references: ['tf_keras/layers/core/tf_op_layer.py'],
  loaders: [
    { loader: 'tf.keras (TF 2.x)', versions: '2.4 – 2.15', when: 'default', note: 'runs when the layer is called / traced' },
    { loader: 'tf_keras', versions: 'all', when: 'default' },
  ],
  explanation:
    'TFOpLambda layers call a TensorFlow function looked up by its exported name. Most are plain math, but this one reads or writes files, lists directories, prints to a stream, builds a dataset or calls Python, and it runs when the model is called (and while a Functional model is rebuilt on load).',
  detect({ walked }) {
    const out: Detection[] = [];
    for (const o of walked.objects) {
      if (o.layerClass !== 'TFOpLambda' || o.key !== 'config' || typeof o.value.function !== 'string') continue;
      const fn = o.value.function.replace(/^tf\./, '');
      if (!RISKY.test(fn)) continue;
      const write = /write|Save|print|Print|summary|py_func|PyFunc|numpy_function|py_function/.test(fn);
      out.push({
        title: `TFOpLambda ${o.layer ?? ''} calls tf.${fn}`.replace('  ', ' '),
        ...at(o, `${o.pointer}/function`),
        slot: 'function',
        evidence: { function: `tf.${fn}`, effect: write ? 'file-write' : 'file-read' },
      });
    }
    return out;
  },
};
