/**
 * How much bytecode each stage reads, counted over a code object and everything nested in it. Real Lambdas
 * are a few hundred bytes; a crafted megabyte-sized one must not cost a file's whole time budget or hundreds
 * of megabytes. Names and string constants are always listed in full and always screened.
 */

/** Above this, no decompiled source (the disassembly and every indicator still cover all of it). */
export const MAX_DECOMPILED_BYTECODE = 64 * 1024;

/** Above this, no disassembly either, and indicators come from the name tables and constants only. */
export const MAX_DISASSEMBLED_BYTECODE = 512 * 1024;
