/**
 * The disassembly as records: one per line, with the instruction offset when the line shows one and the
 * indicators that cite it. Formatting (marks, colours) is the view's job.
 */
import type { Indicator } from '../../core/python/types';

export interface DisLine {
  text: string;
  /** The instruction offset printed on the line (absent for headers, blank lines, 3.13+ label style). */
  offset?: number;
  /** Qualified name of the code object the line belongs to (`<lambda>`, `<lambda>.<listcomp>`). */
  where: string;
  /** Indices into the indicator list of the indicators that cite this line. */
  cited: number[];
}

/** `  1           0 LOAD_FAST   0 (x)`, `        >>   43 ROT_TWO`, `  -->  12 CALL` (line number, markers, offset, opname). */
const INSTRUCTION = /^\s*(?:\d+\s+)?(?:-->\s+)?(?:>>\s+)?(\d+)\s+[A-Z][A-Z0-9_]+/;
/** 3.13+ prints labels, not offsets: `      L1:     LOAD_FAST   0 (x)`. */
const LABEL_STYLE = /^\s*(?:\d+\s+)?(?:L\d+:\s+)?[A-Z][A-Z0-9_]+(?:\s+\S+\s+\((.*)\))?\s*$/;
const SECTION = /^Disassembly of <code object (.+?) at /;

export function disassemblyLines(disassembly: string, indicators: Indicator[], topName: string): DisLine[] {
  const lines = disassembly.replace(/\n$/, '').split('\n');
  const out: DisLine[] = [];
  const path: string[] = [topName];
  for (const text of lines) {
    const section = SECTION.exec(text);
    if (section) {
      // dis prints nested code objects depth-first; their header only names the object.
      path.splice(1, path.length - 1, section[1]);
      out.push({ text, where: path.join('.'), cited: [] });
      continue;
    }
    const where = path.join('.');
    const name = path[path.length - 1];
    const m = INSTRUCTION.exec(text);
    const offset = m ? Number(m[1]) : undefined;
    const cited: number[] = [];
    indicators.forEach((indicator, index) => {
      if (!sameCode(indicator.where, name, path.length === 1)) return;
      if (offset !== undefined) {
        if (indicator.offsets.includes(offset)) cited.push(index);
        return;
      }
      // Label style: no offsets printed, so a line is cited when its argument is one of the evidence names.
      const label = LABEL_STYLE.exec(text);
      const arg = label?.[1]?.replace(/^NULL \+ /, '').replace(/ \+ NULL$/, '');
      if (arg && indicator.offsets.length > 0 && indicator.evidence.includes(arg)) cited.push(index);
    });
    out.push({ text, offset, where, cited });
  }
  return out;
}

function sameCode(where: string, name: string, top: boolean): boolean {
  const parts = where.split('.');
  return top ? parts.length === 1 && (parts[0] === name || where === name) : parts.length > 1 && parts[parts.length - 1] === name;
}
