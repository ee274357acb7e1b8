/**
 * One line per difference, for the CLI text and the page alike. Each host passes its own way of making
 * file-derived text safe to show (the CLI escapes control characters for the terminal, the page shows hidden
 * characters as visible markers), so every name, pointer and value here goes through `text` or `value`.
 */
import type { Json } from '../json/parse';
import type { CodeChange, Difference, EdgeRef, PayloadSide } from './types';

export interface Shown {
  /** File-derived text on one line. */
  text(s: string): string;
  /** A JSON value on one line (clipped by the host). */
  value(v: Json | undefined): string;
}

export const KIND_LABEL: Record<Difference['kind'], string> = {
  'layer-added': 'layer added',
  'layer-removed': 'layer removed',
  'layer-renamed': 'layer renamed',
  'class-changed': 'class changed',
  'config-changed': 'config changed',
  'inbound-changed': 'inbound changed',
  'payload-added': 'payload added',
  'payload-removed': 'payload removed',
  'payload-changed': 'payload changed',
  'finding-added': 'finding only in b',
  'finding-removed': 'finding only in a',
  'finding-changed': 'finding changed',
  'metadata-changed': 'writer metadata',
  'container-changed': 'container record',
};

export function edgesText(nodes: EdgeRef[][], show: Shown): string {
  if (nodes.length === 0) return '(none)';
  return nodes.map((n) => `[${n.map((r) => `${show.text(r.layer)}[${r.node}][${r.tensor}]`).join(', ')}]`).join(' ');
}

export function codeChangeText(c: CodeChange, show: Shown): string {
  const index = c.index !== undefined ? `[${c.index}]` : '';
  return `${c.codeObject ? `${show.text(c.codeObject)} ` : ''}${c.field}${index}: ${show.text(c.from ?? '(absent)')} → ${show.text(c.to ?? '(absent)')}`;
}

export function payloadPlace(p: PayloadSide, show: Shown): string {
  return p.layer ? `${show.text(p.layer)}${p.slot ? ` (${show.text(p.slot)})` : ''}` : `${show.text(p.document)}${show.text(p.location)}`;
}

/** What the difference is about, after its label. */
export function differenceText(d: Difference, show: Shown): string {
  const t = show.text;
  const absent = (s: string | undefined) => t(s ?? '(absent)');
  switch (d.kind) {
    case 'layer-added':
    case 'layer-removed':
      return `${t(d.layer)} (${t(d.className)}) at ${t(d.document)}${t(d.location)}`;
    case 'layer-renamed':
      return `${t(d.a)} → ${t(d.b)} (${t(d.className)}, matched by ${d.by})`;
    case 'class-changed':
      return `${t(d.b)}: ${t(d.from)} → ${t(d.to)}`;
    case 'config-changed':
      return `${d.unit ? `${d.unit} config` : t(d.b || d.a)} ${t(d.pointer) || '/'}${d.change === 'changed' ? '' : ` (${d.change})`}: ${show.value(d.from)} → ${show.value(d.to)}`;
    case 'inbound-changed':
      return `${t(d.b)}: ${edgesText(d.from, show)} → ${edgesText(d.to, show)}`;
    case 'payload-added':
      return `${payloadPlace(d.b, show)}  sha256 ${d.b.sha256}`;
    case 'payload-removed':
      return `${payloadPlace(d.a, show)}  sha256 ${d.a.sha256}`;
    case 'payload-changed':
      return `${payloadPlace(d.b, show)}  sha256 ${d.a.sha256.slice(0, 12)}… → ${d.b.sha256.slice(0, 12)}…`;
    case 'finding-added':
    case 'finding-removed':
      return `[${d.severity.toUpperCase()}] ${d.rule} ${t(d.title)}`;
    case 'finding-changed':
      return `${d.layer ? `${t(d.layer)}: ` : ''}${d.a.rule} ${d.a.severity} → ${d.b.rule} ${d.b.severity}${d.a.title !== d.b.title ? `: ${t(d.a.title)} → ${t(d.b.title)}` : ''}`;
    case 'metadata-changed':
      return `${t(d.key)}: ${absent(d.from)} → ${absent(d.to)}`;
    case 'container-changed':
      return `${d.record.part} ${t(d.record.name)} ${d.record.change}: ${absent(d.record.from)} → ${absent(d.record.to)}`;
  }
}
