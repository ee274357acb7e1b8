/**
 * Ordinary ML pickles are not "suspicious": real pickles of scikit-learn, XGBoost, joblib and PyTorch (written by
 * scripts/pickle-safe/make_ml_pickles.py with Debian's libraries), checked against CPython's pickletools (the
 * `*.globals.json` sidecars), and their malicious counterparts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyGlobal } from '../../src/core/pickle/globals';
import { KNOWN_SAFE } from '../../src/core/pickle/known-safe';
import { scanPickle } from '../../src/core/pickle/scan';
import { scanLegacyTorchStream } from '../../src/core/pickle/torch-pickles';
import { MemorySource } from '../../src/core/io/byte-source';
import { openZip } from '../../src/core/formats/zip';
import { analyseTorchScript } from '../../src/core/formats/torchscript';
import { scanPath } from '../../src/node/scan-path';
import { byRule, makeZip, scanBytes } from './rules/helpers';

const DIR = path.join(__dirname, '../fixtures/pickle/ml');
const files = readdirSync(DIR).filter((f) => !f.endsWith('.json'));
const MALICIOUS: Record<string, string> = { 'sklearn_pipeline_with_system.pkl': 'dangerous', 'sklearn_fetch_openml.pkl': 'suspicious' };

/** Every pickle stream of a fixture: the file itself, or each `.pkl` member of a zip. */
async function streams(file: string): Promise<Map<string, Uint8Array>> {
  const bytes = new Uint8Array(readFileSync(path.join(DIR, file)));
  if (bytes[0] !== 0x50 || bytes[1] !== 0x4b) return new Map([['', bytes]]);
  const zip = await openZip(new MemorySource(bytes));
  const out = new Map<string, Uint8Array>();
  for (const m of zip.members) if (m.name.endsWith('.pkl')) out.set(m.name, await zip.read(m.name));
  return out;
}

describe('real ML pickles', () => {
  it('has the fixtures', () => expect(files.length).toBeGreaterThanOrEqual(12));

  it.each(files)('%s: the globals read equal pickletools', async (file) => {
    const oracle = JSON.parse(readFileSync(path.join(DIR, `${file}.globals.json`), 'utf8')) as { members: Record<string, string[]> };
    const got = await streams(file);
    expect([...got.keys()].sort()).toEqual(Object.keys(oracle.members).sort());
    for (const [member, bytes] of got) {
      // Legacy torch.save streams: five pickles, then raw storage bytes.
      const scan = file.endsWith('_legacy.pt') ? scanLegacyTorchStream(bytes) : scanPickle(bytes);
      expect([...new Set(scan.globals.map((g) => `${g.module}.${g.name}`))].sort(), member).toEqual(oracle.members[member]);
    }
  });

  it.each(files)('%s: verdict', async (file) => {
    const r = await scanPath(path.join(DIR, file), { hash: false });
    expect(r.verdict).toBe(MALICIOUS[file] ?? 'clean');
    expect(r.skipped).toEqual([]);
  });

  it('every global of the benign fixtures is known-safe, by a group that gives its reason', async () => {
    for (const file of files.filter((f) => !MALICIOUS[f])) {
      for (const bytes of (await streams(file)).values()) {
        for (const g of scanPickle(bytes).globals) {
          if (g.module.startsWith('__torch__')) continue; // TorchScript classes: resolved from the archive's code (below)
          const v = classifyGlobal(g.module, g.name);
          expect(v.class, `${file}: ${g.module}.${g.name}`).toBe('safe');
          expect(KNOWN_SAFE.find((x) => x.id === v.rule)?.reason.length).toBeGreaterThan(20);
        }
      }
    }
  });
});

describe('the known-safe list', () => {
  const all = KNOWN_SAFE.flatMap((g) => g.names.map((n) => ({ n, g })));
  it('no name is in two groups, none is on a dangerous list, and loaders are never listed', () => {
    expect(new Set(all.map((x) => x.n)).size).toBe(all.length);
    for (const { n } of all) {
      const dot = n.lastIndexOf('.');
      expect(classifyGlobal(n.slice(0, dot), n.slice(dot + 1)).class, n).toBe('safe');
      expect(n).not.toMatch(/\.(load|loads|fetch_\w+|load_\w+|read_\w+|open)$/);
    }
  });

  it('a Booster is safe only the way pickle builds it: called with arguments (model_file=…) it is unknown', () => {
    const enc = new TextEncoder();
    // GLOBAL xgboost.core Booster; EMPTY_TUPLE-free call: (None, None, '/etc/passwd') REDUCE
    const called = Uint8Array.from([0x80, 2, ...enc.encode('cxgboost.core\nBooster\n'), 0x4e, 0x4e, 0x58, 11, 0, 0, 0, ...enc.encode('/etc/passwd'), 0x87, 0x52, 0x2e]);
    const g = scanPickle(called).globals[0];
    expect([g.class, g.rule]).toEqual(['unknown', 'xgboost-booster (called with arguments)']);
    const rebuilt = Uint8Array.from([0x80, 2, ...enc.encode('cxgboost.core\nBooster\n'), 0x29, 0x81, 0x7d, 0x62, 0x2e]); // () NEWOBJ {} BUILD
    expect(scanPickle(rebuilt).globals[0].class).toBe('safe');
  });
});

describe('TorchScript', () => {
  const archive = () => readFileSync(path.join(DIR, 'torchscript_module.pt'));
  async function rebuilt(edit: (name: string, data: Uint8Array) => Uint8Array | null): Promise<Uint8Array> {
    const zip = await openZip(new MemorySource(new Uint8Array(archive())));
    const entries = [];
    for (const m of zip.members) {
      const data = edit(m.name, await zip.read(m.name));
      if (data) entries.push({ name: m.name, data });
    }
    return makeZip(entries);
  }

  it('the __torch__ classes resolve to the archive’s code/ members; the source is carried as evidence', async () => {
    const r = await scanPath(path.join(DIR, 'torchscript_module.pt'), { hash: false });
    const [ctx] = byRule(r, 'R-TORCHSCRIPT');
    const modules = ctx.evidence.torchscript as { member: string; classes: string[]; source: string }[];
    expect(modules.map((m) => m.member.split('/code/')[1]).sort()).toEqual([
      '__torch__/torch/nn/functional.py',
      '__torch__/torch/nn/modules/activation.py',
      '__torch__/torch/nn/modules/container.py',
      '__torch__/torch/nn/modules/linear.py',
      '__torch__/torch/nn/modules/linear/___torch_mangle_0.py',
    ]);
    expect(modules.find((m) => m.classes.includes('Sequential'))!.source).toMatch(/def forward\(self: __torch__\.torch\.nn\.modules\.container\.Sequential/);
  });

  it('a call to an operator of a library the file cannot bring is a finding, at its line', async () => {
    const bytes = await rebuilt((name, data) =>
      name.endsWith('/linear.py') ? new TextEncoder().encode(new TextDecoder().decode(data).replace('return torch.linear(input, weight, bias)', '_x = ops.evil_lib.run_shell("id")\n    return torch.linear(input, weight, bias)')) : data,
    );
    const r = await scanBytes(bytes, 'script.pt');
    const f = byRule(r, 'R-TORCHSCRIPT').filter((x) => x.severity !== 'info');
    expect(f.map((x) => [x.evidence.callee, x.severity])).toEqual([['ops.evil_lib.run_shell', 'medium']]);
    expect(r.verdict).toBe('suspicious');
  });

  it('a __torch__ class whose code member is missing is not "safe": the ledger says so', async () => {
    const bytes = await rebuilt((name, data) => (name.endsWith('/container.py') ? null : data));
    const r = await scanBytes(bytes, 'script.pt');
    expect(r.skipped.map((s) => s.part)).toContain('__torch__.torch.nn.modules.container.Sequential');
    expect(r.verdict).toBe('suspicious');
  });

  it('calls are read from code, not from strings or comments', () => {
    const { calls, classes } = analyseTorchScript('class A(Module):\n  def f(self):\n    x = "open(1)"  # os.system(2)\n    return torch.add(x, 1)\n');
    expect(classes).toEqual(['A']);
    expect(calls.map((c) => c.callee)).toEqual(['torch.add']);
  });
});
