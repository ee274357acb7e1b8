/**
 * Which CPython versions could have written a marshalled code object. The code-object layout gives the
 * family; then each version must pass every check: all opcodes exist in its table, instructions and inline
 * caches fit, jumps land on instruction starts, every argument resolves (consts/names/locals in range), the
 * line table has that version's format, and the marshal features used existed. Hints only reorder.
 */
import type { CodeLayout, CodeObject } from './objects';
import type { DecodeHints, PythonVersionCandidate } from './types';
import type { MarshalFeatures } from './marshal';
import { walkCodeObjects } from './collect';
import { getOpcodeTable } from './opcodes/index';
import { argumentProblem, jumpTarget, unpackOpargs, versionNumber } from './disassemble';
import { MAX_DISASSEMBLED_BYTECODE } from './limits';

const FAMILY: Record<CodeLayout, { versions: string[]; text: string }> = {
  py2: { versions: ['2.7'], text: 'Python 2 code-object layout (no kwonlyargcount): 2.x; only 2.7 has an opcode table here' },
  py30: { versions: ['3.0', '3.1', '3.2', '3.3', '3.4', '3.5', '3.6', '3.7'], text: 'code-object layout with kwonlyargcount, no posonlyargcount: 3.0–3.7' },
  py38: { versions: ['3.8', '3.9', '3.10'], text: 'code-object layout with posonlyargcount (PEP 570): 3.8–3.10' },
  py311: { versions: ['3.11', '3.12', '3.13', '3.14'], text: 'code-object layout with localsplus names/kinds, qualname, exception table: 3.11+' },
};

export interface VersionCheck {
  version: string;
  ok: boolean;
  /** Why it was excluded (first failing fact). */
  reason?: string;
  evidence: string[];
}

/** Checks one version against the whole code tree (nested code objects included). */
export function checkVersion(code: CodeObject, version: string, features?: MarshalFeatures): VersionCheck {
  const table = getOpcodeTable(version);
  const v = versionNumber(version);
  const evidence: string[] = [];
  const fail = (reason: string): VersionCheck => ({ version, ok: false, reason, evidence });
  if (!table) return fail(`no opcode table for ${version}`);

  if (features) {
    const tc = features.typeCodes;
    if (tc.has(':') && v < 314) return fail("marshal slice ':' needs marshal v5 (3.14+)");
    if (tc.has('}') && v < 315) return fail("marshal frozendict '}' needs marshal v6 (3.15+)");
    if (features.flagRef && v < 304) return fail('FLAG_REF needs marshal v3 (3.4+)');
    if (tc.has('r') && v < 304) return fail("marshal ref 'r' needs marshal v3 (3.4+)");
    for (const t of ['a', 'A', 'z', 'Z', ')']) {
      if (tc.has(t) && v < 304) return fail(`marshal type '${t}' needs marshal v4 (3.4+)`);
    }
    if (tc.has(':')) evidence.push("constant slice written as marshal ':' (3.14+)");
    if (features.flagRef) evidence.push('FLAG_REF back-references (marshal v3+, 3.4+)');
    if (['a', 'A', 'z', 'Z', ')'].some((t) => tc.has(t))) evidence.push("ASCII/short-tuple marshal types 'a' 'z' ')' (marshal v4, 3.4+)");
  }

  let ops = 0;
  let objects = 0;
  let truncated = false;
  let error: string | null = null;
  walkCodeObjects(code, (c, path) => {
    if (error) return;
    objects++;
    const where = path.join('.');
    const bytes = c.code;
    if (table.wordcode && bytes.length % 2 !== 0) {
      error = `co_code of ${where} has odd length ${bytes.length} (wordcode since 3.6)`;
      return;
    }
    // Line-table format.
    const lt = c.linetable;
    if (v === 310 || v < 310) {
      let sum = 0;
      for (let i = 0; i < lt.length; i += 2) sum += lt[i];
      if (lt.length % 2 !== 0) {
        error = `${v === 310 ? 'linetable' : 'lnotab'} of ${where} has odd length`;
        return;
      }
      if (v === 310 && bytes.length > 0 && sum !== bytes.length) {
        error = `linetable of ${where} covers ${sum} of ${bytes.length} bytes (3.10 tables cover all code)`;
        return;
      }
      if (v >= 308 && v < 310 && bytes.length > 0 && lt.length > 0 && sum === bytes.length) {
        error = `line table of ${where} covers exactly all ${bytes.length} bytes: a 3.10 linetable, not an lnotab`;
        return;
      }
      if (table.wordcode && v < 310) {
        for (let i = 0; i < lt.length; i += 2) {
          if (lt[i] % 2 !== 0) {
            error = `lnotab of ${where} has an odd address step (wordcode since 3.6)`;
            return;
          }
        }
      }
    } else if (lt.length > 0 && !(lt[0] & 0x80)) {
      error = `location table of ${where} does not start with an entry byte`;
      return;
    }
    if (v >= 311 && c.localspluskinds) {
      for (const k of c.localspluskinds) {
        if (k & 0x10 && v < 312) {
          error = `hidden local kind 0x10 in ${where} (3.12+)`;
          return;
        }
        if (k & 0x0e && v < 314) {
          error = `argument kind bits 0x${(k & 0x0e).toString(16)} in ${where} (3.14+)`;
          return;
        }
      }
    }
    // A crafted giant body: the first MAX_DISASSEMBLED_BYTECODE bytes decide (the rest is never shown either).
    const cut = bytes.length > MAX_DISASSEMBLED_BYTECODE;
    if (cut) truncated = true;
    const raw = unpackOpargs(cut ? bytes.subarray(0, MAX_DISASSEMBLED_BYTECODE) : bytes, table);
    const starts = new Set<number>();
    for (const ins of raw) starts.add(ins.offset);
    for (const ins of raw) {
      if (cut && ins.offset + 3 >= MAX_DISASSEMBLED_BYTECODE) break; // may be cut by the window
      ops++;
      if (!table.exists(ins.opcode)) {
        error = `opcode ${ins.opcode} at offset ${ins.offset} of ${where} does not exist in ${version}`;
        return;
      }
      const expected = table.wordcode ? 2 + 2 * table.cacheEntries(ins.opcode) : table.hasArg(ins.opcode) ? 3 : 1;
      if (ins.size !== expected) {
        error = `instruction at offset ${ins.offset} of ${where} is cut short (needs ${expected} bytes)`;
        return;
      }
      const t = jumpTarget(table, ins);
      if (t !== null && !starts.has(t) && !(cut && t >= MAX_DISASSEMBLED_BYTECODE - 3)) {
        error = `jump at offset ${ins.offset} of ${where} lands at ${t}, not an instruction start in ${version}`;
        return;
      }
      const problem = argumentProblem(c, table, ins);
      if (problem !== null) {
        error = `argument of ${table.name(ins.opcode)} at offset ${ins.offset} of ${where}: ${problem} in ${version}`;
        return;
      }
    }
  });
  if (error) return fail(error);
  evidence.push(
    truncated
      ? `the first ${ops} instructions (of the first ${MAX_DISASSEMBLED_BYTECODE} bytes of each code object) decode with the ${version} opcode table`
      : `all ${ops} instructions in ${objects} code object${objects === 1 ? '' : 's'} decode with the ${version} opcode table`,
  );
  evidence.push(
    v >= 311
      ? 'location table (3.11+ format)'
      : v === 310
        ? 'PEP 626 linetable covering all code (3.10)'
        : v >= 306
          ? 'lnotab with wordcode (3.6–3.9)'
          : 'lnotab with 1/3-byte bytecode (≤3.5)',
  );
  return { version, ok: true, evidence };
}

/** Candidate versions, most likely first. Never narrowed to one unless only one passes every check. */
export function inferPythonVersions(
  code: CodeObject,
  hints?: DecodeHints,
  features?: MarshalFeatures,
): PythonVersionCandidate[] {
  const fam = FAMILY[code.layout];
  const checks = fam.versions.map((ver) => checkVersion(code, ver, features));
  let passed = checks.filter((c) => c.ok);
  if (passed.length === 0 && code.layout === 'py311') {
    // Newer than our newest table (e.g. 3.15): say so rather than claim a version that failed its checks.
    const why = checks.map((c) => `${c.version}: ${c.reason}`);
    passed = [{ version: '3.15', ok: true, evidence: ['no 3.11–3.14 opcode table fits; assumed a newer 3.x', ...why] }];
  }
  if (code.layout === 'py311' && passed.some((c) => c.version === '3.14') && !passed.some((c) => c.version === '3.15')) {
    // 3.15 (release candidates exist) has no opcode table here, so nothing can exclude it where 3.14 fits.
    passed.push({ version: '3.15', ok: true, evidence: ['3.15 has no opcode table here; it cannot be excluded where 3.14 fits'] });
  }
  const out: PythonVersionCandidate[] = passed.map((c) => ({
    version: c.version,
    evidence: [fam.text, ...(code.layout === 'py2' ? ['2.x before 2.7 shares this layout'] : []), ...c.evidence],
  }));
  // Newest released first by default (recent Keras/TF are far more common); 3.15 (unverified) last.
  const rank = (v: string): number => (v === '3.15' ? -1 : versionNumber(v));
  out.sort((a, b) => rank(b.version) - rank(a.version));
  return reorderByHints(out, hints);
}

/** Keras/TF hints move the versions those releases supported to the front; they never remove any. */
function reorderByHints(list: PythonVersionCandidate[], hints?: DecodeHints): PythonVersionCandidate[] {
  const kv = hints?.kerasVersion ?? hints?.tensorflowVersion;
  if (!kv) return list;
  const major = Number(kv.split('.')[0]);
  const minor = Number(kv.split('.')[1] ?? 0);
  let lo = 0;
  let hi = 9999;
  if (hints?.kerasVersion) {
    if (major >= 3) lo = 309; // Keras 3 requires Python 3.9+
    else if (major === 2 && minor >= 4) lo = 306;
    else if (major <= 2) hi = 307; // Keras 1.x / early 2.x ran on 2.7 and 3.x up to 3.7
  } else if (hints?.tensorflowVersion) {
    if (major >= 2 && minor >= 16) lo = 309;
    else if (major >= 2) lo = 305;
    else hi = 307;
  }
  const fits = (c: PythonVersionCandidate): boolean => {
    const n = versionNumber(c.version);
    return n >= lo && n <= hi;
  };
  const front = list.filter(fits).map((c) => ({ ...c, evidence: [...c.evidence, `fits the hint (${hints?.kerasVersion ? 'Keras' : 'TensorFlow'} ${kv})`] }));
  return [...front, ...list.filter((c) => !fits(c))];
}
