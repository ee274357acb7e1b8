/** "What the code does" in one sentence, for every real fixture (.keras and .h5 give the same sentence). */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { whatItDoes, whatItDoesText } from '../../src/core/analysis/what-it-does';
import { scanPath } from '../../src/node/scan-path';

const FIXTURES = path.join(__dirname, '../fixtures');

const TABLE: [string, string[]][] = [
  ['mal_os_system', ['runs the shell command `echo inspector-test` with os.system']],
  ['mal_subprocess', ['runs the program `echo inspector-test` with subprocess.Popen']],
  ['mal_eval', ["eval's the code `__import__('os').system('echo inspector-test')`"]],
  ['mal_exec_b64', ["decodes a base64 string and exec's it"]],
  ['mal_exec_b64_inline', ["decodes a base64 string and exec's it"]],
  ['mal_open_passwd', ['opens `/etc/passwd` and reads it']],
  ['mal_urllib', ['connects to `http://127.0.0.1:9/` with urllib.request.urlopen']],
  // The command is in the stored defaults / closure, not in the bytecode.
  ['mal_payload_in_defaults_closure', ['runs the shell command `echo inspector-test` with os.system', 'runs the shell command `echo inspector-test` with os.system']],
  ['seq_lambda_benign', ['computes `lambda x: x * 2`; it calls no process, file or network function']],
  ['two_lambdas', ['computes `lambda x: x * 2`; it calls no process, file or network function', 'computes `lambda x: keras.ops.sum(x, axis=-1, keepdims=True)`; it calls no process, file or network function']],
];

describe('what the code does', () => {
  for (const [name, expected] of TABLE) {
    for (const ext of ['keras', 'h5']) {
      it(`${name}.${ext}`, async () => {
        const r = await scanPath(path.join(FIXTURES, `${name}.${ext}`), { hash: false });
        const sentences = r.findings.filter((f) => f.payload).map((f) => whatItDoesText(whatItDoes(f)));
        expect(sentences.sort()).toEqual([...expected].sort());
      });
    }
  }

  it('values are kept apart from our words and cut past 60 characters', async () => {
    const r = await scanPath(path.join(FIXTURES, 'mal_eval.keras'), { hash: false });
    const w = whatItDoes(r.findings.find((f) => f.payload)!);
    expect(w.parts.filter((p) => 'value' in p)).toEqual([{ value: "__import__('os').system('echo inspector-test')" }]);
    const long = { ...r.findings.find((f) => f.payload)! };
    long.payload = { ...long.payload!, decoded: { ...long.payload!.decoded, indicators: [{ category: 'dynamic-code' as const, title: 'runs code built at run time (eval)', evidence: ['eval', `'${'x'.repeat(100)}'`], where: '<lambda>', offsets: [] }] } };
    const parts = whatItDoes(long).parts.filter((p): p is { value: string } => 'value' in p);
    expect(parts[0].value).toHaveLength(60);
    expect(parts[0].value.endsWith('…')).toBe(true);
  });
});
