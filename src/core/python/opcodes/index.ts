/** Opcode tables by version ("2.7", "3.0" … "3.14"). */
import { OpcodeTable, type OpcodeTableData } from './table';
import py27 from './py27';
import { py30, py31, py32, py33, py34, py35 } from './py30to35';
import py36 from './py36';
import py37 from './py37';
import py38 from './py38';
import py39 from './py39';
import py310 from './py310';
import py311 from './py311';
import py312 from './py312';
import py313 from './py313';
import py314 from './py314';

export { OpcodeTable } from './table';
export type { OpcodeTableData } from './table';

const DATA: OpcodeTableData[] = [py27, py30, py31, py32, py33, py34, py35, py36, py37, py38, py39, py310, py311, py312, py313, py314];

/** Every version with a table, oldest first. */
export const OPCODE_TABLE_VERSIONS: readonly string[] = DATA.map((d) => d.version);

const cache = new Map<string, OpcodeTable>();

/** The table for a "X.Y" version; undefined when we have none (e.g. 3.15). */
export function getOpcodeTable(version: string): OpcodeTable | undefined {
  // Asked per code object and per candidate version: the version string as given is the fast key.
  const hit = cache.get(version);
  if (hit) return hit;
  const key = version.split('.').slice(0, 2).join('.');
  let t = cache.get(key);
  if (!t) {
    const d = DATA.find((x) => x.version === key);
    if (!d) return undefined;
    t = new OpcodeTable(d);
    cache.set(key, t);
  }
  if (cache.size < 64) cache.set(version, t);
  return t;
}
