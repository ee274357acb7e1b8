/**
 * Classification of pickle globals: the union of picklescan's `_unsafe_globals` and ModelScan's `unsafe_globals`,
 * with ModelScan's CRITICAL/HIGH split, then the known-safe list built from the real classes of numpy, scipy,
 * scikit-learn, PyTorch, XGBoost and LightGBM (known-safe.ts, each group with its reason). A module listed with
 * '*' also covers its sub-modules (picklescan's rule). Anything not listed is "unknown" and reported as suspicious
 * (fickling's allow-list stance). `__torch__.*` classes are compiled from the archive's own TorchScript source
 * (torchscript.ts), which is read and judged instead.
 */
import type { Severity } from '../report';
import { KNOWN_SAFE, type SafeLevel } from './known-safe';

export type GlobalClass = 'dangerous' | 'unknown' | 'safe';

export interface GlobalVerdict {
  class: GlobalClass;
  severity: Severity;
  /** The list entry that matched (`os.*`, `builtins.eval`, the known-safe group id …). */
  rule?: string;
  /** Safe globals: whether any call is safe, or only pickle's own argument-less reconstruction. */
  level?: SafeLevel;
}

type Names = '*' | readonly string[];
interface Entry {
  names: Names;
  severity: Severity;
}

const CODE_EXEC_BUILTINS = ['eval', 'compile', 'getattr', 'apply', 'exec', 'open', 'breakpoint', '__import__'];

const DANGEROUS: ReadonlyMap<string, Entry> = new Map<string, Entry>([
  // ModelScan CRITICAL (+ picklescan): code execution, shell, file system, interpreter state.
  ['__builtin__', { names: CODE_EXEC_BUILTINS, severity: 'critical' }],
  ['builtins', { names: CODE_EXEC_BUILTINS, severity: 'critical' }],
  ['runpy', { names: '*', severity: 'critical' }],
  ['os', { names: '*', severity: 'critical' }],
  ['nt', { names: '*', severity: 'critical' }],
  ['posix', { names: '*', severity: 'critical' }],
  ['socket', { names: '*', severity: 'critical' }],
  ['subprocess', { names: '*', severity: 'critical' }],
  ['sys', { names: '*', severity: 'critical' }],
  ['operator', { names: ['attrgetter', 'itemgetter', 'methodcaller'], severity: 'critical' }],
  ['_operator', { names: ['attrgetter', 'itemgetter', 'methodcaller'], severity: 'critical' }],
  ['pty', { names: '*', severity: 'critical' }],
  ['pickle', { names: '*', severity: 'critical' }],
  ['_pickle', { names: '*', severity: 'critical' }],
  ['bdb', { names: '*', severity: 'critical' }],
  ['pdb', { names: '*', severity: 'critical' }],
  ['shutil', { names: '*', severity: 'critical' }],
  ['asyncio', { names: '*', severity: 'critical' }],
  // picklescan-only entries that run code or commands.
  ['types', { names: ['CodeType', 'FunctionType'], severity: 'critical' }],
  [
    'cloudpickle.cloudpickle',
    { names: ['_builtin_type', '_make_function', '_function_setstate', '_make_cell', '_make_empty_cell', 'subimport'], severity: 'critical' },
  ],
  ['commands', { names: '*', severity: 'critical' }],
  ['ctypes', { names: '*', severity: 'critical' }],
  ['numpy.f2py', { names: '*', severity: 'critical' }],
  ['numpy.testing._private.utils', { names: '*', severity: 'critical' }],
  ['code', { names: ['InteractiveInterpreter.runcode'], severity: 'critical' }],
  ['cProfile', { names: '*', severity: 'critical' }],
  ['profile', { names: '*', severity: 'critical' }],
  ['timeit', { names: '*', severity: 'critical' }],
  ['doctest', { names: ['debug_script'], severity: 'critical' }],
  ['ensurepip', { names: ['_run_pip'], severity: 'critical' }],
  ['idlelib', { names: '*', severity: 'critical' }],
  ['lib2to3.pgen2.grammar', { names: ['Grammar.loads'], severity: 'critical' }],
  ['lib2to3.pgen2.pgen', { names: ['ParserGenerator.make_label'], severity: 'critical' }],
  ['imaplib', { names: ['IMAP4_stream'], severity: 'critical' }],
  ['pip', { names: '*', severity: 'critical' }],
  ['pkgutil', { names: ['resolve_name'], severity: 'critical' }],
  ['pydoc', { names: '*', severity: 'critical' }],
  ['trace', { names: ['Trace.run', 'Trace.runctx'], severity: 'critical' }],
  ['venv', { names: '*', severity: 'critical' }],
  ['uuid', { names: '*', severity: 'critical' }],
  ['_osx_support', { names: '*', severity: 'critical' }],
  ['_aix_support', { names: '*', severity: 'critical' }],
  ['_pyrepl', { names: '*', severity: 'critical' }],
  ['torch._dynamo.guards', { names: ['GuardBuilder.get'], severity: 'critical' }],
  ['torch._inductor.codecache', { names: ['compile_file'], severity: 'critical' }],
  ['torch.fx.experimental.symbolic_shapes', { names: ['ShapeEnv.evaluate_guards_expression'], severity: 'critical' }],
  ['torch.jit.unsupported_tensor_ops', { names: ['execWrapper'], severity: 'critical' }],
  ['torch.serialization', { names: ['load'], severity: 'critical' }],
  ['torch.utils._config_module', { names: ['ConfigModule.load_config'], severity: 'critical' }],
  ['torch.utils.bottleneck.__main__', { names: ['run_cprofile', 'run_autograd_prof'], severity: 'critical' }],
  ['torch.utils.collect_env', { names: ['run'], severity: 'critical' }],
  ['torch.utils.data.datapipes.utils.decoder', { names: ['basichandlers'], severity: 'critical' }],
  // Gadgets, file writes and network (ModelScan HIGH + picklescan).
  ['functools', { names: ['partial'], severity: 'high' }],
  ['distutils.file_util', { names: '*', severity: 'high' }],
  ['test', { names: '*', severity: 'high' }],
  ['webbrowser', { names: '*', severity: 'high' }],
  ['httplib', { names: '*', severity: 'high' }],
  ['http.client', { names: '*', severity: 'high' }],
  ['requests.api', { names: '*', severity: 'high' }],
  ['aiohttp', { names: '*', severity: 'high' }],
  ['ssl', { names: '*', severity: 'high' }],
  ['urllib.request', { names: '*', severity: 'high' }],
  ['logging', { names: ['FileHandler'], severity: 'high' }],
  ['_io', { names: ['FileIO'], severity: 'high' }],
]);

/** `module.name` → the known-safe group that lists it. */
const SAFE = new Map<string, { id: string; level: SafeLevel }>();
for (const group of KNOWN_SAFE) for (const name of group.names) SAFE.set(name, { id: group.id, level: group.level });

function namesMatch(names: Names, name: string): boolean {
  if (names === '*') return true;
  // "Class.method" entries also catch deeper attribute paths below them.
  return names.some((n) => name === n || name.startsWith(`${n}.`));
}

/** Classifies `module.name`. Pure; never throws. */
export function classifyGlobal(module: string, name: string): GlobalVerdict {
  const parts = module.split('.');
  for (let i = parts.length; i >= 1; i--) {
    const prefix = parts.slice(0, i).join('.');
    const entry = DANGEROUS.get(prefix);
    if (!entry) continue;
    // Sub-modules are covered only by whole-module ('*') entries.
    if (i < parts.length && entry.names !== '*') continue;
    if (namesMatch(entry.names, name)) {
      return { class: 'dangerous', severity: entry.severity, rule: `${prefix}.${entry.names === '*' ? '*' : name}` };
    }
  }
  const safe = SAFE.get(`${module}.${name}`);
  if (safe) return { class: 'safe', severity: 'info', rule: safe.id, level: safe.level };
  return { class: 'unknown', severity: 'medium' };
}
