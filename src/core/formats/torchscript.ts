/**
 * TorchScript archives (`torch.jit.save`): every `__torch__.*` class the pickles import is compiled by torch.jit.load
 * from the archive's own `code/__torch__/….py` member (a Python subset, stored as text). Instead of calling those
 * globals unknown, the source is read (bounded), shown, and its calls checked: TorchScript can only call tensor
 * operators, a few builtins, and operators of libraries already loaded in the process (`ops.<namespace>.<op>`), so
 * a call outside the standard namespaces, or a name that means files, processes, code or the network, is a finding.
 */
import type { SkippedPart } from '../coverage';
import { errorMessage, skipCategoryOf } from '../errors';
import type { EmbeddedPickle } from '../keras/model';
import { decodeUtf8, notInspected } from './format';
import type { ZipArchive } from './zip';

/** One TorchScript source member and what it calls. */
export interface TorchScriptModule {
  /** Zip member path (`archive/code/__torch__/torch/nn/modules/linear.py`). */
  member: string;
  /** The dotted module it defines (`__torch__.torch.nn.modules.linear`). */
  module: string;
  /** The source text (cut at MAX_SOURCE_CHARS; `truncated` then). */
  source: string;
  truncated: boolean;
  /** Classes it defines. */
  classes: string[];
  /** Every distinct call target, with the first line it appears on, and why it is risky when it is. */
  calls: { callee: string; line: number; risk?: string }[];
}

const MAX_SOURCE_CHARS = 256 * 1024;
const MAX_MEMBERS = 2000;
const TORCH_READERS = ['torch.jit.load'];

/** Operator namespaces PyTorch itself defines (a call elsewhere needs a library the file cannot bring). */
const STANDARD_OPS = new Set(['aten', 'prim', 'prims', 'quantized', '_quantized', 'quantized_decomposed', 'quantize', '_caffe2', 'profiler', 'torchvision', 'image', 'cuda', 'mkldnn', 'sparse', 'fbgemm']);
/** Last names of calls that mean files, processes, dynamic code or the network. */
const RISKY_NAME = /^(open|system|popen|spawn\w*|exec\w*|eval|compile|__import__|import_module|urlopen|urlretrieve|socket|connect|remove|unlink|rmdir|rmtree|rename|chmod|write_file|read_file|save|load|loads)$/;
/** `a.b.c(` — a dotted call; strings and comments are blanked first. */
const CALL = /([A-Za-z_][A-Za-z0-9_]*(?:\s*\.\s*[A-Za-z_][A-Za-z0-9_]*)*)\s*\(/g;

function blankStringsAndComments(line: string): string {
  return line.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, (s) => ' '.repeat(s.length)).replace(/#.*$/, '');
}

function riskOf(callee: string): string | undefined {
  const parts = callee.split('.');
  const opsAt = parts.indexOf('ops');
  if (opsAt >= 0 && parts.length > opsAt + 2 && !STANDARD_OPS.has(parts[opsAt + 1])) {
    return `operator of the library "${parts[opsAt + 1]}", whose code is not in this file (it must already be loaded where the model runs)`;
  }
  if (RISKY_NAME.test(parts[parts.length - 1]) && parts[0] !== 'self') return 'a call whose name means files, processes, dynamic code or the network';
  return undefined;
}

/** Calls and classes of one source text. */
export function analyseTorchScript(source: string): Pick<TorchScriptModule, 'classes' | 'calls'> {
  const classes: string[] = [];
  const calls = new Map<string, { callee: string; line: number; risk?: string }>();
  source.split('\n').forEach((raw, i) => {
    const line = blankStringsAndComments(raw);
    const cls = /^\s*class\s+([A-Za-z_][A-Za-z0-9_]*)\s*[(:]/.exec(line);
    if (cls) {
      classes.push(cls[1]);
      return;
    }
    if (/^\s*def\s/.test(line)) return; // a definition, not a call
    for (const m of line.matchAll(CALL)) {
      const callee = m[1].replace(/\s+/g, '');
      if (calls.has(callee)) continue;
      const risk = riskOf(callee);
      calls.set(callee, { callee, line: i + 1, ...(risk ? { risk } : {}) });
    }
  });
  return { classes, calls: [...calls.values()] };
}

/** Reads every `code/**.py` member of a TorchScript archive (bounded). */
export async function readTorchScript(zip: ZipArchive): Promise<{ modules: TorchScriptModule[]; skipped: SkippedPart[] }> {
  const modules: TorchScriptModule[] = [];
  const skipped: SkippedPart[] = [];
  const members = zip.members.filter((m) => !m.directory && /(^|\/)code\/__torch__\/.+\.py$/.test(m.name));
  for (const m of members.slice(0, MAX_MEMBERS)) {
    let text: string;
    try {
      text = decodeUtf8(await zip.readHead(m.name, MAX_SOURCE_CHARS + 1));
    } catch (e) {
      skipped.push(notInspected(m.name, 'member', skipCategoryOf(e), `the TorchScript source could not be read: ${errorMessage(e)}`, TORCH_READERS));
      continue;
    }
    const truncated = text.length > MAX_SOURCE_CHARS;
    const source = truncated ? text.slice(0, MAX_SOURCE_CHARS) : text;
    if (truncated) skipped.push(notInspected(m.name, 'member', 'too-large', `only the first ${MAX_SOURCE_CHARS} characters of this TorchScript source were read`, TORCH_READERS));
    const module = m.name.slice(m.name.indexOf('__torch__/')).replace(/\.py$/, '').split('/').join('.');
    modules.push({ member: m.name, module, source, truncated, ...analyseTorchScript(source) });
  }
  if (members.length > MAX_MEMBERS) {
    skipped.push(notInspected(`${members.length - MAX_MEMBERS} TorchScript sources`, 'member', 'limit', `only the first ${MAX_MEMBERS} code members were read`, TORCH_READERS));
  }
  return { modules, skipped };
}

/**
 * `__torch__.*` globals defined by the archive's own source become known (their code is what R-TORCHSCRIPT judges);
 * one whose class is in no source member stays unknown and is a ledger entry: its code is missing.
 */
export function resolveTorchScriptGlobals(pickles: readonly EmbeddedPickle[], modules: readonly TorchScriptModule[]): SkippedPart[] {
  const defined = new Map<string, string>();
  for (const m of modules) for (const c of m.classes) defined.set(`${m.module}.${c}`, m.member);
  const missing = new Set<string>();
  for (const p of pickles) {
    for (const g of p.scan.globals) {
      if (!g.module.startsWith('__torch__')) continue;
      const member = defined.get(`${g.module}.${g.name}`);
      if (member && g.class === 'unknown') {
        g.class = 'safe';
        g.severity = 'info';
        g.rule = `torchscript:${member}`;
      } else if (!member) missing.add(`${g.module}.${g.name}`);
    }
  }
  return [...missing].map((name) =>
    notInspected(name, 'pickle', 'unreadable', 'a TorchScript class the pickle uses, whose source is in no code/ member of the archive, so what it runs could not be read', TORCH_READERS),
  );
}
