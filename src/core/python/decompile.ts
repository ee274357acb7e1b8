/**
 * Decompiler for what Keras Lambda payloads are: expressions, lambdas and small functions.
 * Pure data in, text out; nothing is executed. Where the bytecode has a shape the decompiler does not
 * model, the result is marked incomplete and carries `# decompiler: …` comments instead of guessed code.
 */
import type { CodeAnalysis } from './analysis';
import { MAX_DECOMPILED_BYTECODE } from './limits';
import type { FunctionDef } from './decompile/ast';
import { SourcePrinter } from './decompile/print';

export interface DecompileResult {
  source: string;
  /** True only when every instruction was accounted for by the rebuilt source. */
  complete: boolean;
}

/** The source of the analysis' code tree (its one decompiled tree, printed). */
export function decompile(analysis: CodeAnalysis): DecompileResult {
  try {
    const tree = analysis.decompiled();
    if (!tree) {
      const size = analysis.bytecode;
      return {
        source: `# decompiler: ${size} bytes of bytecode, more than the ${MAX_DECOMPILED_BYTECODE} it decompiles\n`,
        complete: false,
      };
    }
    return render(tree.fn, analysis.version);
  } catch (e) {
    // Hostile input (absurd nesting, self-referencing code objects) must not take the caller down.
    const why = e instanceof RangeError ? 'code too deeply nested to show' : e instanceof Error ? e.message : String(e);
    return { source: `# decompiler: ${why}\n`, complete: false };
  }
}

function render(fn: FunctionDef, version: string): DecompileResult {
  const printer = new SourcePrinter(version);
  const lines: string[] = [];
  for (const n of fn.notes) lines.push(`# decompiler: ${n}`);
  // Free variables come from an enclosing function (their values may be in the Keras `closure` field).
  if (fn.freevars.length) lines.push(`# free variables: ${fn.freevars.join(', ')}`);
  if (fn.moduleGlobals.length) lines.push(`# imported modules (the compiler knew these globals were imports): ${fn.moduleGlobals.join(', ')}`);
  if (fn.isLambda && fn.complete) lines.push(printer.lambdaText(fn));
  else if (fn.isLambda) {
    lines.push(`def __lambda__(${printer.params(fn)}):  # a lambda whose body was not fully understood`);
    lines.push(...printer.stmts(fn.body, '    '));
  } else lines.push(...printer.defLines(fn, ''));
  return { source: lines.join('\n') + '\n', complete: fn.complete };
}
