/**
 * The executor's one dispatch table: normalised op name → handler, gathered from the modules of this
 * folder (one per kind of operation). An op name claimed by two modules is a programming error.
 */
import type { Handler, HandlerTable } from '../exec';
import { CALL_OPS } from './calls';
import { DISPLAY_OPS } from './displays';
import { FLOW_OPS } from './flow';
import { IMPORT_OPS } from './imports';
import { NAME_OPS } from './names';
import { OPERATOR_OPS } from './operators';
import { PY2_OPS } from './py2';
import { STACK_OPS } from './stack';
import { STRING_OPS } from './strings';

function gather(tables: HandlerTable[]): ReadonlyMap<string, Handler> {
  const out = new Map<string, Handler>();
  for (const t of tables) {
    for (const [name, handler] of Object.entries(t)) {
      if (out.has(name)) throw new Error(`decompiler: op ${name} has two handlers`);
      out.set(name, handler);
    }
  }
  return out;
}

export const HANDLERS = gather([NAME_OPS, OPERATOR_OPS, DISPLAY_OPS, FLOW_OPS, STACK_OPS, IMPORT_OPS, CALL_OPS, STRING_OPS, PY2_OPS]);
