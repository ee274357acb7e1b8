/**
 * Post-parse analysis of one MetaGraph: op counts, standard-saver marking, and for every
 * file/network/process op (THREATS.md §C) the constant path/URL arguments, found by following
 * the op's inputs inside the same graph or function (and, for function arguments, one step out
 * to the PartitionedCall nodes that call the function).
 */
import type { TfFunction, TfMetaGraph, TfNode, TfResolvedArg, TfSensitiveOp, TfValueSource } from './graph-types';
import {
  DT_STRING,
  SAVER_FUNCTION_PATTERN,
  SAVER_PREFIX_CONSTANT,
  SAVER_SCOPE_PATTERN,
  SAVER_SUBGRAPH_OPS,
  TF_SENSITIVE_OPS,
} from './tf-ops';

const GRAPH_SCOPE = '\u0000graph';
const MAX_RESOLVE_DEPTH = 16;
const MAX_RESOLVE_VISITS = 256;
const MAX_CALLERS = 8;
const MAX_TEXT = 1000;

const PASS_THROUGH = new Set(['Identity', 'Snapshot', 'StopGradient', 'PreventGradient', 'CheckNumerics', 'EnsureShape']);
const CALL_OPS = new Set(['PartitionedCall', 'StatefulPartitionedCall']);

interface Scope {
  nodes: Map<string, TfNode>;
  fn?: TfFunction;
}

interface GraphIndex {
  scopes: Map<string, Scope>;
  callers: Map<string, TfNode[]>;
}

/** Fills `ops`, `sensitiveOps` and the `saver` flags of `mg`. */
export function analyseMetaGraph(mg: TfMetaGraph): void {
  const index = buildIndex(mg);
  mg.ops = countOps(mg.nodes);
  markSaver(mg, index);
  mg.sensitiveOps = findSensitiveOps(mg, index);
}

function scopeKey(node: TfNode): string {
  return node.function ?? GRAPH_SCOPE;
}

function buildIndex(mg: TfMetaGraph): GraphIndex {
  const scopes = new Map<string, Scope>();
  scopes.set(GRAPH_SCOPE, { nodes: new Map() });
  for (const fn of mg.functions) if (!scopes.has(fn.name)) scopes.set(fn.name, { nodes: new Map(), fn });
  for (const node of mg.nodes) {
    const scope = scopes.get(scopeKey(node));
    if (scope && !scope.nodes.has(node.name)) scope.nodes.set(node.name, node);
  }
  const callers = new Map<string, TfNode[]>();
  for (const node of mg.nodes) {
    const target = calledFunction(node, scopes);
    if (target === undefined) continue;
    const list = callers.get(target) ?? [];
    list.push(node);
    callers.set(target, list);
  }
  return { scopes, callers };
}

/** The library function a node calls: `f` attr of (Stateful)PartitionedCall, or an op named after a function. */
function calledFunction(node: TfNode, scopes: Map<string, Scope>): string | undefined {
  const f = node.attrs.f;
  if (CALL_OPS.has(node.op) && f?.kind === 'func') return f.name;
  if (node.op !== '' && scopes.has(node.op) && node.op !== GRAPH_SCOPE) return node.op;
  return undefined;
}

function countOps(nodes: TfNode[]): { op: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const n of nodes) counts.set(n.op, (counts.get(n.op) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([op, count]) => ({ op, count }));
}

// ---------------------------------------------------------------- input resolution

interface ResolveState {
  visits: number;
}

function dataInputs(node: TfNode): string[] {
  return node.inputs.filter((i) => !i.startsWith('^'));
}

/** "name", "name:1" (graph) or "node:output:1" (function) → node name and output position. */
function parseRef(ref: string, inFunction: boolean): { name: string; output: number } {
  const parts = ref.split(':');
  const last = parts.length > 1 ? Number(parts[parts.length - 1]) : 0;
  const output = Number.isInteger(last) && last >= 0 ? last : 0;
  // Function form "node:out_arg:idx": the index counts within the named output arg; good enough for IdentityN.
  return { name: parts[0], output: inFunction && parts.length === 2 ? 0 : output };
}

function resolveRef(index: GraphIndex, scopeName: string, ref: string, depth: number, st: ResolveState): TfValueSource {
  if (depth > MAX_RESOLVE_DEPTH || ++st.visits > MAX_RESOLVE_VISITS) return { kind: 'limit', ref };
  const scope = index.scopes.get(scopeName);
  if (!scope) return { kind: 'missing', ref };
  const { name, output } = parseRef(ref, scopeName !== GRAPH_SCOPE);
  const node = scope.nodes.get(name);
  if (!node) {
    const fn = scope.fn;
    const argIndex = fn ? fn.inputArgs.indexOf(name) : -1;
    if (fn && argIndex >= 0) return resolveFunctionArg(index, fn, argIndex, depth, st);
    return { kind: 'missing', ref };
  }
  return resolveNode(index, scopeName, node, output, depth, st);
}

function resolveFunctionArg(index: GraphIndex, fn: TfFunction, argIndex: number, depth: number, st: ResolveState): TfValueSource {
  const src: TfValueSource = { kind: 'function-arg', function: fn.name, name: fn.inputArgs[argIndex] };
  const callers = (index.callers.get(fn.name) ?? []).slice(0, MAX_CALLERS);
  const resolved: TfValueSource[] = [];
  for (const caller of callers) {
    const input = dataInputs(caller)[argIndex];
    if (input !== undefined) resolved.push(resolveRef(index, scopeKey(caller), input, depth + 1, st));
  }
  if (resolved.length > 0) src.callers = resolved;
  return src;
}

function resolveNode(index: GraphIndex, scopeName: string, node: TfNode, output: number, depth: number, st: ResolveState): TfValueSource {
  const inputs = dataInputs(node);
  const sub = (ref: string | undefined): TfValueSource =>
    ref === undefined ? { kind: 'missing', ref: `${node.name}:input` } : resolveRef(index, scopeName, ref, depth + 1, st);
  switch (node.op) {
    case 'Const': {
      const v = node.attrs.value;
      if (v?.kind === 'tensor') {
        return { kind: 'const', node: node.name, dtype: v.tensor.dtype, values: v.tensor.dtype === DT_STRING ? v.tensor.stringVal : [] };
      }
      return { kind: 'const', node: node.name, dtype: 0, values: [] };
    }
    case 'Placeholder':
      return { kind: 'placeholder', node: node.name };
    case 'PlaceholderWithDefault':
      return { kind: 'placeholder', node: node.name, default: sub(inputs[0]) };
    case 'IdentityN':
      return sub(inputs[output]);
    case 'StringJoin': {
      const sep = node.attrs.separator;
      return { kind: 'join', node: node.name, separator: sep?.kind === 's' ? sep.value : '', parts: inputs.map((i) => sub(i)) };
    }
    case 'Select':
    case 'SelectV2':
      return { kind: 'select', node: node.name, options: [sub(inputs[1]), sub(inputs[2])] };
    case 'Pack':
      return { kind: 'pack', node: node.name, items: inputs.map((i) => sub(i)) };
    case 'ShardedFilename':
      return { kind: 'sharded', node: node.name, base: sub(inputs[0]) };
    default:
      if (PASS_THROUGH.has(node.op)) return sub(inputs[0]);
      return { kind: 'computed', node: node.name, op: node.op };
  }
}

/** Every constant string reachable through a source. */
export function sourceStrings(src: TfValueSource, out: string[] = []): string[] {
  switch (src.kind) {
    case 'const':
      out.push(...src.values);
      break;
    case 'placeholder':
      if (src.default) sourceStrings(src.default, out);
      break;
    case 'function-arg':
      for (const c of src.callers ?? []) sourceStrings(c, out);
      break;
    case 'join':
      for (const p of src.parts) sourceStrings(p, out);
      break;
    case 'select':
      for (const p of src.options) sourceStrings(p, out);
      break;
    case 'pack':
      for (const p of src.items) sourceStrings(p, out);
      break;
    case 'sharded':
      sourceStrings(src.base, out);
      break;
  }
  return out;
}

/** A short rendering of a source for messages. */
export function describeSource(src: TfValueSource): string {
  const text = render(src);
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}

function render(src: TfValueSource): string {
  switch (src.kind) {
    case 'const':
      if (src.dtype !== DT_STRING) return `<const ${src.node}>`;
      return src.values.length === 1 ? JSON.stringify(src.values[0]) : JSON.stringify(src.values);
    case 'placeholder':
      return src.default ? `<placeholder ${src.node} default ${render(src.default)}>` : `<placeholder ${src.node}>`;
    case 'function-arg':
      return src.callers?.length ? `<arg ${src.name} = ${src.callers.map(render).join(' | ')}>` : `<arg ${src.name}>`;
    case 'join':
      return src.parts.map(render).join(src.separator ? ` + ${JSON.stringify(src.separator)} + ` : ' + ');
    case 'select':
      return `(${src.options.map(render).join(' | ')})`;
    case 'pack':
      return `[${src.items.map(render).join(', ')}]`;
    case 'sharded':
      return `sharded(${render(src.base)})`;
    case 'computed':
      return `<${src.op} ${src.node}>`;
    case 'missing':
      return `<missing ${src.ref}>`;
    case 'limit':
      return `<… ${src.ref}>`;
  }
}

function resolveArg(index: GraphIndex, node: TfNode, position: number): TfResolvedArg | undefined {
  const ref = dataInputs(node)[position];
  if (ref === undefined) return undefined;
  const source = resolveRef(index, scopeKey(node), ref, 0, { visits: 0 });
  return { index: position, ref, source, strings: sourceStrings(source), text: describeSource(source) };
}

// ---------------------------------------------------------------- saver sub-graph

/**
 * A checkpoint op's prefix is "standard" when it derives from the saver's filename placeholder or the
 * saver function's argument, joined only with the saver's own constant suffixes. A constant path
 * (or anything we cannot follow) makes it non-standard, so it is reported.
 */
function isStandardPrefix(src: TfValueSource): boolean {
  let variable = false;
  let ok = true;
  const visit = (s: TfValueSource): void => {
    if (!ok) return;
    switch (s.kind) {
      case 'const':
        if (s.dtype !== DT_STRING) return;
        for (const v of s.values) if (!SAVER_PREFIX_CONSTANT.test(v)) ok = false;
        return;
      case 'placeholder':
        variable = true;
        if (s.default) visit(s.default);
        return;
      case 'function-arg':
        if (s.callers?.length) s.callers.forEach(visit);
        else variable = true;
        return;
      case 'join':
        s.parts.forEach(visit);
        return;
      case 'select':
        s.options.forEach(visit);
        return;
      case 'pack':
        s.items.forEach(visit);
        return;
      case 'sharded':
        visit(s.base);
        return;
      default:
        ok = false;
    }
  };
  visit(src);
  return ok && variable;
}

function saverContext(node: TfNode, mg: TfMetaGraph, tf1Scopes: string[], index: GraphIndex): boolean {
  if (node.function !== undefined) return SAVER_FUNCTION_PATTERN.test(node.function);
  if (node.name === 'saver_filename') return true;
  if (SAVER_SCOPE_PATTERN.test(node.name) || tf1Scopes.some((p) => node.name.startsWith(p))) return true;
  const target = calledFunction(node, index.scopes);
  if (target !== undefined && SAVER_FUNCTION_PATTERN.test(target)) return true;
  const sd = mg.saverDef;
  const base = (s: string | undefined) => (s ?? '').split(':')[0];
  return node.name === base(sd?.filenameTensorName) || node.name === base(sd?.saveTensorName) || node.name === base(sd?.restoreOpName);
}

function markSaver(mg: TfMetaGraph, index: GraphIndex): void {
  // TF1 Saver scopes named by saver_def ("save/Const:0" → "save/").
  const tf1Scopes: string[] = [];
  for (const name of [mg.saverDef?.filenameTensorName, mg.saverDef?.saveTensorName, mg.saverDef?.restoreOpName]) {
    const slash = name?.indexOf('/') ?? -1;
    if (name && slash > 0) tf1Scopes.push(name.slice(0, slash + 1));
  }
  for (const node of mg.nodes) {
    if (!SAVER_SUBGRAPH_OPS.has(node.op) || !saverContext(node, mg, tf1Scopes, index)) continue;
    const spec = TF_SENSITIVE_OPS.get(node.op);
    if (spec?.checkpoint) {
      const standard = spec.pathInputs.every((pos) => {
        const arg = resolveArg(index, node, pos);
        return arg !== undefined && isStandardPrefix(arg.source);
      });
      if (!standard) continue;
    }
    node.saver = true;
  }
}

// ---------------------------------------------------------------- sensitive ops

function attrStrings(node: TfNode, name: string): string[] | undefined {
  const a = node.attrs[name];
  if (!a) return undefined;
  if (a.kind === 's') return [a.value];
  if (a.kind === 'list') return a.list.s ?? [];
  if (a.kind === 'placeholder') return [`<attr placeholder ${a.name}>`];
  return undefined;
}

function findSensitiveOps(mg: TfMetaGraph, index: GraphIndex): TfSensitiveOp[] {
  const out: TfSensitiveOp[] = [];
  mg.nodes.forEach((node, nodeIndex) => {
    const spec = TF_SENSITIVE_OPS.get(node.op);
    if (!spec) return;
    const pathArgs: TfResolvedArg[] = [];
    for (const pos of spec.pathInputs) {
      const arg = resolveArg(index, node, pos);
      if (arg) pathArgs.push(arg);
    }
    const pathAttrs: { name: string; values: string[] }[] = [];
    for (const name of spec.pathAttrs) {
      const values = attrStrings(node, name);
      if (values) pathAttrs.push({ name, values });
    }
    const rec: TfSensitiveOp = { op: node.op, capability: spec.capability, node: node.name, nodeIndex, saver: node.saver, pathArgs, pathAttrs };
    if (node.function !== undefined) rec.function = node.function;
    out.push(rec);
  });
  return out;
}
