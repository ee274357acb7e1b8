/**
 * What in a payload's bytecode (or in the defaults/closure stored beside it) points at behaviour beyond
 * tensor maths: running processes, dynamic code, files, network, obfuscation, environment access.
 * Each indicator cites the code object, the instruction offsets and the names/constants behind it.
 *
 * Two sources of references, merged: the decompiler's expression trees (they resolve
 * `__import__('os').system`, `getattr(x, 'exec')`, `globals()['__builtins__']`) and a flat scan of the
 * instructions (always run, so bytecode the decompiler does not model is still covered).
 * Keras runs a Lambda with `os` (Keras 3) or `sys`/`np`/`tf` (tf.keras) already in its globals, so a
 * bare global `os` is the os module: no import is needed for `os.system`.
 */
import type { CodeObject, PyValue } from './objects';
import type { Indicator } from './types';
import type { CodeAnalysis, DecompiledTree } from './analysis';
import type { Op } from './decompile/normalize';
import type { ExprOrigin } from './decompile/exec';
import type { Expr, FunctionDef, Stmt } from './decompile/ast';
import { reprPyValue } from './repr';
import { MAX_DISASSEMBLED_BYTECODE } from './limits';

type Category = Indicator['category'];

interface Rule {
  category: Category;
  title: string;
  /** Dotted paths: exact (`os.system`), prefix (`subprocess.*`), or last-part (`*.__subclasses__`). */
  paths: string[];
}

/** A resolved reference: a dotted name used by the code, with where it happened. */
interface Ref {
  path: string;
  where: string;
  offsets: number[];
  /** Extra evidence (constants passed, the source text of the call). */
  extra: string[];
}

const RULES: Rule[] = [
  {
    category: 'process',
    title: 'runs a shell command or another program',
    paths: [
      'os.system', 'os.popen', 'os.popen2', 'os.popen3', 'os.popen4', 'os.spawn*', 'os.exec*', 'os.posix_spawn', 'os.posix_spawnp',
      'os.fork', 'os.forkpty', 'os.startfile', 'os.kill', 'posix.system', 'nt.system', 'subprocess.*', 'pty.spawn', 'commands.*', 'platform.popen',
      'popen2.*', 'multiprocessing.Process', 'ctypes.*', '*.Popen', '*.check_output', '*.getoutput',
    ],
  },
  {
    category: 'dynamic-code',
    title: 'runs code built at run time',
    paths: ['exec', 'eval', 'compile', 'execfile', 'builtins.exec', 'builtins.eval', 'builtins.compile', '*.__builtins__.exec', '*.__builtins__.eval', '__builtins__.*', 'types.FunctionType', 'types.CodeType', 'runpy.*', 'code.interact', 'code.InteractiveInterpreter'],
  },
  {
    category: 'dynamic-code',
    title: 'imports a module at run time',
    paths: ['__import__', 'importlib.*', 'imp.*', 'builtins.__import__', '*.__import__'],
  },
  {
    category: 'dynamic-code',
    title: 'loads serialized code or objects (marshal/pickle)',
    paths: ['marshal.loads', 'marshal.load', 'pickle.loads', 'pickle.load', 'pickle.Unpickler', 'cPickle.*', '_pickle.*', 'dill.*', 'cloudpickle.*', 'shelve.*', 'joblib.load', 'numpy.load', 'np.load', 'torch.load'],
  },
  {
    category: 'dynamic-code',
    title: 'reaches interpreter internals (builtins, subclasses, globals of functions)',
    paths: ['builtins', '__builtins__', '__builtin__', 'builtins.*', '__builtin__.*', '*.__subclasses__', '*.__globals__', '*.__builtins__', '*.__code__', '*.__bases__', '*.__base__', '*.__mro__', '*.__getattribute__', 'sys._getframe', 'inspect.*', 'gc.get_objects', 'gc.get_referrers'],
  },
  {
    category: 'file',
    title: 'reads, writes or deletes files',
    paths: [
      'open', 'file', 'io.*', 'codecs.open', 'os.remove', 'os.unlink', 'os.rmdir', 'os.removedirs', 'os.rename', 'os.renames', 'os.replace', 'os.chmod',
      'os.chown', 'os.mkdir', 'os.makedirs', 'os.listdir', 'os.scandir', 'os.walk', 'os.open', 'os.write', 'os.truncate', 'os.symlink', 'os.link', 'os.chdir',
      'shutil.*', 'pathlib.*', 'tempfile.*', 'glob.*', 'fileinput.*', 'os.path.expanduser',
      // TensorFlow / NumPy file I/O reachable from a Lambda's globals (`tf`, `np`).
      'tensorflow.io.read_file', 'tensorflow.io.write_file', 'tensorflow.io.gfile.*', 'tensorflow.gfile.*', 'tensorflow.compat.v1.gfile.*',
      'tensorflow.io.matching_files', 'tensorflow.summary.create_file_writer', 'numpy.save', 'numpy.savez', 'numpy.savetxt', 'numpy.fromfile',
      'numpy.loadtxt', 'numpy.genfromtxt', '*.tofile',
    ],
  },
  {
    category: 'network',
    title: 'opens network connections',
    paths: [
      'socket.*', 'urllib.*', 'urllib2.*', 'urllib3.*', 'requests.*', 'http.*', 'httplib.*', 'ftplib.*', 'smtplib.*', 'telnetlib.*', 'paramiko.*',
      'ssl.*', 'asyncio.open_connection', 'xmlrpc.*', 'xmlrpclib.*', 'aiohttp.*', 'httpx.*', 'websocket.*', '*.urlopen', '*.urlretrieve',
      'keras.utils.get_file', 'tensorflow.keras.utils.get_file', 'keras.src.utils.get_file', 'tensorflow.io.gfile.GFile',
    ],
  },
  {
    category: 'obfuscation',
    title: 'decodes hidden data (base64, hex, rot13, compression)',
    paths: [
      'base64.*', 'binascii.unhexlify', 'binascii.a2b_*', 'codecs.decode', 'codecs.encode', 'bytes.fromhex', 'bytearray.fromhex', '*.fromhex',
      'zlib.decompress', 'gzip.decompress', 'bz2.decompress', 'lzma.decompress', '*.b64decode', '*.decodebytes', '*.decodestring',
    ],
  },
  {
    category: 'environment',
    title: 'reads or changes the environment (environment variables, loaded modules, globals)',
    paths: ['os.environ', 'os.environb', 'os.getenv', 'os.putenv', 'os.unsetenv', 'sys.modules', 'sys.path', 'globals', 'locals', 'vars', 'os.getlogin', 'getpass.*', 'pwd.*', 'platform.node', 'socket.gethostname'],
  },
];

/** Globals a Keras Lambda sees without importing (Keras 3 module globals; tf.keras `sys`, `np`, `tf`). */
const MODULE_GLOBALS: Record<string, string> = { os: 'os', sys: 'sys', np: 'numpy', numpy: 'numpy', tf: 'tensorflow' };

function matchPath(path: string, pattern: string): boolean {
  if (pattern.startsWith('*.')) {
    const rest = pattern.slice(2);
    return path === rest || path.endsWith('.' + rest) || (rest.endsWith('*') && lastPart(path).startsWith(rest.slice(0, -1)));
  }
  if (pattern.endsWith('.*')) return path.startsWith(pattern.slice(0, -1));
  if (pattern.endsWith('*')) return path.startsWith(pattern.slice(0, -1));
  return path === pattern;
}

function lastPart(path: string): string {
  const i = path.lastIndexOf('.');
  return i < 0 ? path : path.slice(i + 1);
}

// ------------------------------------------------------------------ public API

/** Indicators of the analysis' code tree, from its decompiled tree and its ops. */
export function findIndicators(analysis: CodeAnalysis): Indicator[] {
  const code = analysis.code;
  const names = qualifiedNames(code);
  const refs: Ref[] = [];
  const flags: Indicator[] = [];

  // 1. Expression trees (precise; resolves run-time imports and getattr with constant names).
  // Null when too large to decompile (limits.ts): the flat scan below alone covers every name.
  let tree: DecompiledTree | null;
  try {
    tree = analysis.decompiled();
  } catch {
    tree = null;
  }
  if (tree) {
    try {
      new TreeScan(tree.origins, names, refs, flags, names.get(code) ?? code.name).fn(tree.fn);
    } catch (e) {
      // Absurdly deep expressions: the flat scan below still covers every name.
      if (!(e instanceof RangeError)) throw e;
    }
  }

  // 2. Flat instruction scan over every code object (covers what the decompiler does not model).
  // Too large to disassemble: every name the code can use is still in its name tables.
  const size = analysis.bytecode;
  for (const [c, where] of names) {
    if (size <= MAX_DISASSEMBLED_BYTECODE) flatScan(analysis, c, where, refs);
    else nameTableScan(c, where, refs);
  }

  // 3. String and bytes constants anywhere.
  for (const [c, where] of names) {
    for (const k of c.consts) for (const s of constStrings(k)) flags.push(...classifyString(s.text, where, [], s.repr));
  }

  return mergeIndicators([...refsToIndicators(refs), ...flags]);
}

/** Indicators for the JSON `defaults` / `closure` Keras stores beside the bytecode. */
export function findValueIndicators(value: unknown, where: 'defaults' | 'closure'): Indicator[] {
  const out: Indicator[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (depth > 32) return;
    if (typeof v === 'string') out.push(...classifyString(v, where, [], JSON.stringify(v)));
    else if (Array.isArray(v)) for (const x of v) walk(x, depth + 1);
    else if (v && typeof v === 'object') for (const x of Object.values(v as Record<string, unknown>)) walk(x, depth + 1);
  };
  walk(value, 0);
  return mergeIndicators(out);
}

// ------------------------------------------------------------------ code object naming

/** Every code object reachable through co_consts, with its qualified path (`<lambda>.<listcomp>`). */
function qualifiedNames(code: CodeObject): Map<CodeObject, string> {
  const out = new Map<CodeObject, string>();
  const visit = (c: CodeObject, prefix: string, depth: number): void => {
    if (out.has(c) || depth > 64) return;
    const name = prefix ? `${prefix}.${c.name}` : c.name;
    out.set(c, name);
    const walk = (v: PyValue): void => {
      if (v.type === 'code') visit(v.code, name, depth + 1);
      else if (v.type === 'tuple' || v.type === 'list' || v.type === 'set' || v.type === 'frozenset') v.items.forEach(walk);
    };
    c.consts.forEach(walk);
  };
  visit(code, '', 0);
  return out;
}

// ------------------------------------------------------------------ expression-tree scan

class TreeScan {
  private readonly aliases = new Map<string, string>();

  constructor(
    private readonly track: WeakMap<object, ExprOrigin>,
    private readonly names: Map<CodeObject, string>,
    private readonly refs: Ref[],
    private readonly flags: Indicator[],
    private readonly rootName: string,
  ) {}

  fn(f: FunctionDef): void {
    for (const d of f.defaults) this.expr(d);
    for (const d of f.kwdefaults) this.expr(d.value);
    for (const s of f.body) this.stmt(s);
  }

  private stmt(s: Stmt): void {
    switch (s.k) {
      case 'return':
      case 'expr':
        this.expr(s.value);
        return;
      case 'assign':
        this.expr(s.value);
        return;
      case 'augassign':
        this.expr(s.value);
        return;
      case 'import':
        for (const n of s.names) if (n.asname) this.aliases.set(n.asname, n.name);
        return;
      case 'from':
        for (const n of s.names) this.aliases.set(n.asname ?? n.name, `${s.module}.${n.name}`);
        return;
      case 'raise':
        if (s.exc) this.expr(s.exc);
        return;
      case 'def':
        this.fn(s.fn);
        return;
      default:
        return;
    }
  }

  private origin(e: Expr): ExprOrigin | undefined {
    return this.track.get(e);
  }

  /** Offsets of the nodes making up a dotted reference. */
  private chainOffsets(e: Expr, out: number[] = []): number[] {
    const o = this.origin(e);
    if (o) out.push(o.offset);
    if (e.k === 'attr' || e.k === 'sub') this.chainOffsets(e.obj, out);
    if (e.k === 'call') this.chainOffsets(e.func, out);
    return [...new Set(out)].sort((a, b) => a - b);
  }

  /** The dotted name an expression stands for, when it can be known without running anything. */
  resolve(e: Expr): string | null {
    switch (e.k) {
      case 'name':
        return this.aliases.get(e.id) ?? e.id;
      case 'attr': {
        const base = this.resolve(e.obj);
        return `${base ?? '?'}.${e.name}`;
      }
      case 'sub': {
        const base = this.resolve(e.obj);
        const key = strConst(e.index);
        if (key === null) return null;
        // sys.modules['os'] is the os module; __builtins__['eval'] (a dict outside __main__) is eval.
        if (base === 'sys.modules') return key;
        if (base === '__builtins__' || base === 'builtins') return `${base}.${key}`;
        if (base === 'globals' || base === 'globals()' || base?.endsWith('.__dict__')) {
          const owner = base === 'globals' || base === 'globals()' ? '' : base.slice(0, -'.__dict__'.length);
          return owner ? `${owner}.${key}` : key;
        }
        return null;
      }
      case 'call': {
        const f = this.resolve(e.func);
        const a0 = e.args[0];
        const s0 = a0 ? strConst(a0) : null;
        if (f === '__import__' && s0) return s0.split('.')[0];
        if ((f === 'importlib.import_module' || f === 'importlib.__import__') && s0) return s0;
        if (f === 'getattr' && e.args.length >= 2) {
          const a1 = e.args[1];
          const base = this.resolve(e.args[0]) ?? '?';
          const name = strConst(a1);
          return name === null ? null : `${base}.${name}`;
        }
        if (f === 'globals' && e.args.length === 0) return 'globals()';
        return null;
      }
      default:
        return null;
    }
  }

  private where(e: Expr): string {
    const o = this.origin(e);
    return (o && this.names.get(o.code)) ?? this.rootName;
  }

  private addRef(e: Expr, path: string, extra: string[] = []): void {
    this.refs.push({ path: normalizePath(path), where: this.where(e), offsets: this.chainOffsets(e), extra });
  }

  expr(e: Expr): void {
    switch (e.k) {
      case 'name': {
        const p = this.resolve(e);
        if (p) this.addRef(e, p);
        return;
      }
      case 'attr': {
        const p = this.resolve(e);
        if (p) this.addRef(e, p);
        this.expr(e.obj);
        return;
      }
      case 'sub': {
        const p = this.resolve(e);
        if (p) this.addRef(e, p);
        this.expr(e.obj);
        this.expr(e.index);
        return;
      }
      case 'call': {
        const f = this.resolve(e.func);
        const consts = e.args.filter((a) => a.k === 'const').map((a) => reprConst((a as { v: PyValue }).v));
        if (f === 'getattr' && e.args.length >= 2) {
          const a1 = e.args[1];
          if (strConst(a1) === null) {
            this.flag(e, 'obfuscation', 'looks up an attribute whose name is computed at run time (getattr)', ['getattr', ...this.describe(a1)]);
          }
        }
        if (f && /^(exec|eval|compile|__import__|getattr|.*\.import_module)$/.test(f)) {
          for (const a of e.args) if (this.builtAtRunTime(a)) this.flag(e, 'obfuscation', 'passes text assembled at run time to ' + f, [f, ...this.describe(a)]);
        }
        const r = this.resolve(e);
        if (r && f && r !== f) this.addRef(e, r, consts);
        if (f) this.addRef(e.func, f, consts);
        this.expr(e.func);
        for (const a of e.args) this.expr(a);
        for (const k of e.keywords) this.expr(k.value);
        return;
      }
      case 'bin':
        this.expr(e.l);
        this.expr(e.r);
        return;
      case 'unary':
        this.expr(e.e);
        return;
      case 'bool':
        e.values.forEach((v) => this.expr(v));
        return;
      case 'cmp':
        this.expr(e.left);
        e.comps.forEach((v) => this.expr(v));
        return;
      case 'ifexp':
        this.expr(e.test);
        this.expr(e.body);
        this.expr(e.orelse);
        return;
      case 'tuple':
      case 'list':
      case 'set':
        e.elts.forEach((v) => this.expr(v));
        return;
      case 'dict':
        for (const it of e.items) {
          if (it.key) this.expr(it.key);
          this.expr(it.value);
        }
        return;
      case 'starred':
        this.expr(e.e);
        return;
      case 'walrus':
        this.expr(e.value);
        return;
      case 'fstr':
        for (const p of e.parts) if ('e' in p) this.expr(p.e);
        return;
      case 'lambda':
        this.fn(e.fn);
        return;
      case 'comp':
        this.expr(e.elt);
        if (e.value) this.expr(e.value);
        for (const g of e.gens) {
          this.expr(g.iter);
          g.ifs.forEach((c) => this.expr(c));
        }
        return;
      case 'slice':
        for (const x of [e.lo, e.hi, e.step]) if (x) this.expr(x);
        return;
      case 'yield':
        if (e.value) this.expr(e.value);
        return;
      default:
        return;
    }
  }

  /** Text built from pieces at run time: concatenation, join, chr(), format. */
  private builtAtRunTime(e: Expr): boolean {
    if (e.k === 'bin' && (e.op === '+' || e.op === '%')) return true;
    if (e.k === 'fstr') return true;
    if (e.k === 'call') {
      const f = this.resolve(e.func);
      if (f && (lastPart(f) === 'join' || f === 'chr' || lastPart(f) === 'format' || lastPart(f) === 'decode' || lastPart(f) === 'replace')) return true;
    }
    return false;
  }

  private describe(e: Expr): string[] {
    const p = this.resolve(e);
    if (p) return [p];
    if (e.k === 'const') return [reprConst(e.v)];
    if (e.k === 'call') {
      const f = this.resolve(e.func);
      return f ? [`${f}(…)`] : [];
    }
    return [];
  }

  private flag(e: Expr, category: Category, title: string, evidence: string[]): void {
    this.flags.push({ category, title, evidence, where: this.where(e), offsets: this.chainOffsets(e) });
  }
}

/** A str constant (or a Python 2 str, stored as bytes) as text. */
function strConst(e: Expr): string | null {
  if (e.k !== 'const') return null;
  if (e.v.type === 'str') return e.v.value;
  if (e.v.type === 'bytes') return latin1(e.v.value);
  return null;
}

function normalizePath(p: string): string {
  const first = p.split('.')[0];
  if (MODULE_GLOBALS[first] && MODULE_GLOBALS[first] !== first) return MODULE_GLOBALS[first] + p.slice(first.length);
  return p;
}

function reprConst(v: PyValue): string {
  const s = reprPyValue(v, '3.11');
  return s.length > 120 ? s.slice(0, 117) + '…' : s;
}

// ------------------------------------------------------------------ flat instruction scan

/** Every global / attribute / import name of a code object, without reading its bytecode. */
function nameTableScan(code: CodeObject, where: string, refs: Ref[]): void {
  for (const n of code.names) refs.push({ path: n, where, offsets: [], extra: [] });
}

function flatScan(analysis: CodeAnalysis, code: CodeObject, where: string, refs: Ref[]): void {
  let ops: Op[];
  try {
    ops = analysis.ops(code);
  } catch {
    // Undisassemblable bytes: fall back to the raw name table.
    nameTableScan(code, where, refs);
    return;
  }
  const aliases = new Map<string, string>();
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    if (op.op === 'IMPORT_NAME') {
      refs.push({ path: op.s, where, offsets: [op.off], extra: ['import ' + op.s] });
      const nxt = ops[i + 1];
      if (nxt && /^STORE_/.test(nxt.op)) aliases.set(nxt.s, nxt.s === op.s.split('.')[0] ? nxt.s : op.s);
      let j = i + 1;
      while (ops[j]?.op === 'IMPORT_FROM') {
        const st = ops[j + 1];
        if (st && /^STORE_/.test(st.op)) aliases.set(st.s, `${op.s}.${ops[j].s}`);
        refs.push({ path: `${op.s}.${ops[j].s}`, where, offsets: [op.off, ops[j].off], extra: [] });
        j += 2;
      }
      continue;
    }
    if (op.op === 'LOAD_GLOBAL' || op.op === 'LOAD_FAST' || op.op === 'LOAD_DEREF') {
      let path = aliases.get(op.s) ?? (op.op === 'LOAD_GLOBAL' ? op.s : null);
      const offsets = [op.off];
      let j = i + 1;
      // `__import__('os')` / `importlib.import_module('os')` followed by attributes.
      if (path === '__import__') {
        let k = j;
        while (ops[k]?.op === 'PUSH_NULL') k++;
        const c = ops[k];
        const call = ops[k + 1];
        if (c?.op === 'CONST' && c.v?.type === 'str' && call && /^CALL/.test(call.op)) {
          refs.push({ path: '__import__', where, offsets: [op.off], extra: [reprConst(c.v)] });
          path = c.v.value.split('.')[0];
          offsets.push(c.off, call.off);
          j = k + 2;
        }
      }
      if (path === null) continue;
      refs.push({ path: normalizePath(path), where, offsets: [...offsets], extra: [] });
      while (ops[j] && (ops[j].op === 'LOAD_ATTR' || ops[j].op === 'LOAD_METHOD')) {
        path += '.' + ops[j].s;
        offsets.push(ops[j].off);
        refs.push({ path: normalizePath(path), where, offsets: [...offsets], extra: [] });
        j++;
      }
      continue;
    }
    if (op.op === 'EXEC_STMT') {
      // Python 2 `exec code in ns` statement.
      refs.push({ path: 'exec', where, offsets: [op.off], extra: ['exec statement'] });
      continue;
    }
    if (op.op === 'LOAD_ATTR' || op.op === 'LOAD_METHOD') {
      // Attribute of something unknown: the attribute name alone can still matter (`__subclasses__`).
      const prev = ops[i - 1];
      if (!prev || !(prev.op === 'LOAD_GLOBAL' || prev.op === 'LOAD_ATTR' || prev.op === 'LOAD_METHOD' || prev.op === 'LOAD_FAST' || prev.op === 'LOAD_DEREF')) {
        refs.push({ path: '?.' + op.s, where, offsets: [op.off], extra: [] });
      }
    }
  }
}

// ------------------------------------------------------------------ strings

interface ConstString {
  text: string;
  repr: string;
}

function constStrings(v: PyValue, depth = 0): ConstString[] {
  if (depth > 16) return [];
  switch (v.type) {
    case 'str':
      return [{ text: v.value, repr: reprConst(v) }];
    case 'bytes':
      return [{ text: latin1(v.value), repr: reprConst(v) }];
    case 'tuple':
    case 'list':
    case 'set':
    case 'frozenset':
      return v.items.flatMap((x) => constStrings(x, depth + 1));
    case 'dict':
      return v.entries.flatMap(([a, b]) => [...constStrings(a, depth + 1), ...constStrings(b, depth + 1)]);
    default:
      return [];
  }
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (const c of b) s += String.fromCharCode(c);
  return s;
}

const STRING_PATTERNS: { category: Category; title: string; re: RegExp }[] = [
  { category: 'dynamic-code', title: 'a string holds Python code', re: /__import__\s*\(|\b(?:exec|eval|compile)\s*\(|\bos\.(?:system|popen)\b|\bsubprocess\.|\bimport\s+(?:os|sys|subprocess|socket|base64)\b/ },
  { category: 'dynamic-code', title: 'bytes look like a pickle that calls a function', re: /^\(?c(?:os|posix|nt|subprocess|builtins|__builtin__)\n\w+\n/ },
  { category: 'process', title: 'a string looks like a shell command', re: /(?:^|[;&|`]\s*)(?:echo|sh|bash|zsh|cmd(?:\.exe)?|powershell|curl|wget|nc|ncat|rm|chmod|python[0-9.]*|perl|ruby|whoami|id|uname|cat)\s+\S|(?:^|\s)(?:sh|bash)\s+-c\b|\/bin\/(?:sh|bash)|\|\s*(?:sh|bash)\b/ },
  { category: 'network', title: 'a string holds a URL or network address', re: /\b(?:https?|ftp|wss?|tcp|udp):\/\/\S+|\b(?:\d{1,3}\.){3}\d{1,3}:\d{1,5}\b/ },
  { category: 'file', title: 'a string names a sensitive file or directory', re: /(?:^|[\s'"=])(?:\/etc\/(?:passwd|shadow|hosts|sudoers)|~?\/\.ssh\b|\/root\b|\/tmp\/|\/dev\/(?:tcp|udp)\/|[A-Za-z]:\\\\(?:Windows|Users))|\.bashrc\b|\.ssh\/|id_rsa\b|\.aws\/credentials/ },
];

/** Suspicious content in one string (and in its base64/hex decoding). */
function classifyString(text: string, where: string, offsets: number[], shown: string): Indicator[] {
  const out: Indicator[] = [];
  const short = shown.length > 160 ? shown.slice(0, 157) + '…' : shown;
  for (const p of STRING_PATTERNS) {
    if (p.re.test(text)) out.push({ category: p.category, title: p.title, evidence: [short], where, offsets });
  }
  const decoded = decodeHidden(text);
  if (decoded) {
    const inner = STRING_PATTERNS.filter((p) => p.re.test(decoded.text));
    if (inner.length) {
      const d = decoded.text.length > 120 ? decoded.text.slice(0, 117) + '…' : decoded.text;
      out.push({ category: 'obfuscation', title: `a ${decoded.how} string hides more code or commands`, evidence: [short, `decodes to ${JSON.stringify(d)}`], where, offsets });
      for (const p of inner) out.push({ category: p.category, title: `${p.title} (after ${decoded.how} decoding)`, evidence: [short, `decodes to ${JSON.stringify(d)}`], where, offsets });
    }
  }
  return out;
}

function decodeHidden(text: string): { text: string; how: string } | null {
  const t = text.trim();
  if (t.length >= 12 && t.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(t)) {
    const bin = typeof atob === 'function' ? safe(() => atob(t)) : null;
    if (bin && /^[\x09\x0a\x0d\x20-\x7e]+$/.test(bin)) return { text: bin, how: 'base64' };
  }
  if (t.length >= 12 && t.length % 2 === 0 && /^[0-9a-fA-F]+$/.test(t)) {
    let s = '';
    for (let i = 0; i < t.length; i += 2) s += String.fromCharCode(parseInt(t.slice(i, i + 2), 16));
    if (/^[\x09\x0a\x0d\x20-\x7e]+$/.test(s)) return { text: s, how: 'hex' };
  }
  return null;
}

function safe<T>(f: () => T): T | null {
  try {
    return f();
  } catch {
    return null;
  }
}

// ------------------------------------------------------------------ refs → indicators, merging

/** The rules each dotted path matches. Payloads use the same few hundred names over and over (`x`, `os.system`,
 *  `tf.keras…`): each is matched once per process. Bounded: a crafted payload with endless fresh names only
 *  costs re-matching. */
const rulesByPath = new Map<string, Rule[]>();
const RULES_BY_PATH_MAX = 4096;

function rulesFor(path: string): Rule[] {
  let matched = rulesByPath.get(path);
  if (!matched) {
    matched = RULES.filter((rule) => rule.paths.some((p) => matchPath(path, p)));
    if (rulesByPath.size >= RULES_BY_PATH_MAX) rulesByPath.clear();
    rulesByPath.set(path, matched);
  }
  return matched;
}

function refsToIndicators(refs: Ref[]): Indicator[] {
  const out: Indicator[] = [];
  for (const r of refs) {
    for (const rule of rulesFor(r.path)) {
      out.push({
        category: rule.category,
        title: `${rule.title} (${displayPath(r.path)})`,
        evidence: [...r.path.split('.').filter((x) => x !== '?'), ...r.extra],
        where: r.where,
        offsets: r.offsets,
      });
    }
  }
  // `chr` + `join` in one code object: text assembled from character codes.
  const byWhere = new Map<string, Ref[]>();
  for (const r of refs) {
    const list = byWhere.get(r.where);
    if (list) list.push(r);
    else byWhere.set(r.where, [r]);
  }
  for (const [where, rs] of byWhere) {
    const chr = rs.filter((r) => r.path === 'chr');
    const join = rs.filter((r) => lastPart(r.path) === 'join');
    if (chr.length && join.length) {
      out.push({
        category: 'obfuscation',
        title: 'builds text from character codes (chr + join)',
        evidence: ['chr', 'join'],
        where,
        offsets: [...new Set([...chr, ...join].flatMap((r) => r.offsets))].sort((a, b) => a - b),
      });
    }
  }
  return out;
}

function displayPath(p: string): string {
  return p.replace(/^\?\./, '….');
}

/**
 * One indicator per (category, title, where); a reference found by both scans, or a dotted name and
 * its prefix (`os.system` vs `os`), collapses into the most specific one with all offsets.
 */
function mergeIndicators(list: Indicator[]): Indicator[] {
  const out = new Map<string, Indicator>();
  for (const ind of list) {
    const key = `${ind.category}\u0000${ind.title}\u0000${ind.where}`;
    const prev = out.get(key);
    if (!prev) {
      out.set(key, { ...ind, evidence: [...new Set(ind.evidence)], offsets: [...new Set(ind.offsets)].sort((a, b) => a - b) });
    } else {
      prev.evidence = [...new Set([...prev.evidence, ...ind.evidence])];
      prev.offsets = [...new Set([...prev.offsets, ...ind.offsets])].sort((a, b) => a - b);
    }
  }
  // Drop a generic indicator when a more specific one of the same category covers the same offsets.
  const all = [...out.values()];
  return all.filter(
    (a) =>
      !all.some(
        (b) =>
          b !== a &&
          b.category === a.category &&
          b.where === a.where &&
          a.offsets.length > 0 &&
          b.title.length > a.title.length &&
          sameRule(a.title, b.title) &&
          a.offsets.every((o) => b.offsets.includes(o)),
      ),
  );
}

function sameRule(a: string, b: string): boolean {
  const ra = a.replace(/ \(.*\)$/, '');
  const rb = b.replace(/ \(.*\)$/, '');
  return ra === rb;
}
