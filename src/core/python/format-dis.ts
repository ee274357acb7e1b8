/**
 * Text exactly as each CPython version's `dis.dis(code)` prints it (columns, argrepr, nested
 * "Disassembly of <code object …>" sections from 3.7, exception tables from 3.11, labels from 3.13).
 * Code-object addresses are written as `address` (default "0xADDR", as the goldens normalise them).
 */
import type { CodeObject } from './objects';
import type { CodeAnalysis } from './analysis';
import { tableFor, versionNumber, type DisassembledCode } from './disassemble';
import { reprCode } from './repr';

const OPNAME_WIDTH = 20;
const OPARG_WIDTH = 5;

/** The analysis' code tree as its version's `dis.dis(code)` prints it. Throws DisassemblyError. */
export function formatDis(analysis: CodeAnalysis): string {
  const { version, reprOptions: options } = analysis;
  const v = versionNumber(version);
  const lines: string[] = [];
  const recurse = v >= 307;
  const visit = (c: CodeObject): void => {
    const d = analysis.disassembled(c);
    if (v < 304) formatPrintStyle(d, lines);
    else if (v < 313) formatInstructionStyle(d, lines);
    else formatLabelStyle(d, lines);
    if (!recurse) return;
    for (const k of c.consts) {
      if (k.type !== 'code') continue;
      lines.push('');
      lines.push(`Disassembly of ${reprCode(k.code, options)}:`);
      visit(k.code);
    }
  };
  visit(analysis.code);
  return lines.map((l) => l + '\n').join('');
}

/** 2.7 (and 3.0–3.3): `print a,` items joined by single spaces, trailing padding kept. */
function formatPrintStyle(d: DisassembledCode, out: string[]): void {
  const py2 = versionNumber(d.version) < 300;
  const table = tableFor(d.version);
  d.instructions.forEach((ins, i) => {
    const raw = d.raw[i];
    const fields: string[] = [];
    if (d.lineStarts.has(ins.offset)) {
      if (ins.offset > 0) out.push('');
      fields.push(String(d.lineStarts.get(ins.offset)).padStart(3));
    } else fields.push('   ');
    fields.push('   ');
    fields.push(ins.isJumpTarget ? '>>' : '  ');
    fields.push(String(ins.offset).padStart(4));
    fields.push(ins.opname.padEnd(OPNAME_WIDTH));
    if (ins.arg !== null) {
      const L = py2 && raw.py2Long ? 'L' : '';
      fields.push((String(ins.arg) + L).padStart(OPARG_WIDTH));
      if (table.isJrel(ins.opcode)) fields.push(`(to ${ins.jumpTarget}${L})`);
      else if (ins.argrepr && !table.isJabs(ins.opcode)) fields.push(`(${ins.argrepr})`);
    }
    out.push(fields.join(' '));
  });
}

/** 3.4–3.12: `Instruction._disassemble` columns, offsets shown. */
function formatInstructionStyle(d: DisassembledCode, out: string[]): void {
  const v = versionNumber(d.version);
  const starts = [...d.lineStarts.values()].filter((x): x is number => x !== null);
  const showLineno = v >= 311 ? starts.length > 0 : true;
  let linenoWidth = 0;
  if (showLineno) {
    const maxLine = starts.length ? Math.max(...starts) : 0;
    linenoWidth = maxLine >= 1000 ? String(maxLine).length : 3;
  }
  const maxOffset = d.code.code.length - 2;
  const offsetWidth = maxOffset >= 10000 ? String(maxOffset).length : 4;
  const noLine = ' '.repeat(linenoWidth);
  // Columns joined by single spaces (lineno, 3 spaces, ">>", offset, opname, arg, argrepr), as dis prints them.
  for (const ins of d.instructions) {
    if (showLineno && ins.startsLine !== null && ins.offset > 0) out.push('');
    let line = linenoWidth ? (ins.startsLine !== null ? String(ins.startsLine).padStart(linenoWidth) : noLine) + ' ' : '';
    line += (d.marked.has(ins.offset) ? '    >> ' : '       ') + String(ins.offset).padStart(offsetWidth) + ' ' + ins.opname.padEnd(OPNAME_WIDTH);
    if (ins.arg !== null) {
      line += ' ' + String(ins.arg).padStart(OPARG_WIDTH);
      if (ins.argrepr) line += ` (${ins.argrepr})`;
    }
    out.push(line.trimEnd());
  }
  if (v >= 311 && d.exceptionTable.length) {
    out.push('ExceptionTable:');
    for (const e of d.exceptionTable) {
      out.push(`  ${e.start} to ${e.end - 2} -> ${e.target} [${e.depth}]${e.lasti ? ' lasti' : ''}`);
    }
  }
}

/** 3.13+: the `Formatter` layout: labels instead of offsets, "--" for instructions without a line. */
function formatLabelStyle(d: DisassembledCode, out: string[], showOffsets = false): void {
  const values = [...d.lineStarts.values()];
  const real = values.filter((x): x is number => !!x);
  let linenoWidth = 0;
  if (real.length) {
    linenoWidth = Math.max(3, String(Math.max(...real)).length);
    if (linenoWidth < 4 && values.includes(null)) linenoWidth = 4;
  }
  const labelWidth = 4 + String(d.labels.size).length;
  const offsetWidth = showOffsets ? String(Math.max(d.code.code.length - 2, 9999)).length : 0;
  const noLine = ' '.repeat(linenoWidth);
  const noLabel = ' '.repeat(labelWidth);
  // Columns joined by single spaces (lineno, label, offset, 3 spaces, opname, arg, argrepr), as dis prints them.
  for (const ins of d.instructions) {
    const starts = d.lineStarts.has(ins.offset);
    if (linenoWidth > 0 && starts && ins.offset > 0) out.push('');
    let text = '';
    if (linenoWidth) {
      if (starts) {
        const line = d.lineStarts.get(ins.offset);
        text = (line === null || line === undefined ? '  --'.padStart(linenoWidth) : String(line).padStart(linenoWidth)) + ' ';
      } else text = noLine + ' ';
    }
    const label = d.labels.get(ins.offset);
    text += (label !== undefined ? `L${label}:`.padStart(labelWidth) : noLabel) + ' ';
    if (offsetWidth > 0) text += String(ins.offset).padStart(offsetWidth) + '   ';
    text += '    ' + ins.opname.padEnd(OPNAME_WIDTH);
    if (ins.arg !== null) {
      const excess = Math.max(0, ins.opname.length - OPNAME_WIDTH);
      text += ' ' + String(ins.arg).padStart(OPARG_WIDTH - excess);
      if (ins.argrepr) text += ` (${ins.argrepr})`;
    }
    out.push(text.trimEnd());
  }
  if (d.exceptionTable.length) {
    out.push('ExceptionTable:');
    for (const e of d.exceptionTable) {
      const l = (o: number): number | undefined => d.labels.get(o);
      out.push(`  L${l(e.start)} to L${l(e.end)} -> L${l(e.target)} [${e.depth}]${e.lasti ? ' lasti' : ''}`);
    }
  }
}

/** 3.13+ `dis.dis(code, show_offsets=True)` (the goldens' `dis_offsets`). */
export function formatDisWithOffsets(analysis: CodeAnalysis): string {
  const { version, reprOptions: options } = analysis;
  const v = versionNumber(version);
  if (v < 313) return formatDis(analysis);
  const lines: string[] = [];
  const visit = (c: CodeObject): void => {
    formatLabelStyle(analysis.disassembled(c), lines, true);
    for (const k of c.consts) {
      if (k.type !== 'code') continue;
      lines.push('');
      lines.push(`Disassembly of ${reprCode(k.code, options)}:`);
      visit(k.code);
    }
  };
  visit(analysis.code);
  return lines.map((l) => l + '\n').join('');
}
