/**
 * Key-by-key comparison of two normalised JSON values, one record per differing JSON pointer. Objects compare by
 * key; arrays of equal length by index, of different lengths as a whole (an inserted element would otherwise
 * shift every later index into a "change"). A key that only one side has and that only one save format writes
 * is not a difference (and is counted): `module` naming a Keras module, `registered_name` null or the class,
 * `build_config`, `shared_object_id`, an empty `compile_config`. `module` naming anything else always is.
 */
import { isObject, joinPointer, type Json } from '../json/parse';

export interface JsonChange {
  pointer: string;
  change: 'added' | 'removed' | 'changed';
  from?: Json;
  to?: Json;
}

function formOnlyKey(key: string, value: Json, parent: Record<string, Json>): boolean {
  switch (key) {
    case 'module':
      return typeof value === 'string' && (value === 'keras' || value.startsWith('keras.'));
    case 'registered_name':
      return value === null || value === parent.class_name;
    case 'build_config':
    case 'shared_object_id':
      return true;
    case 'compile_config': // a .keras writes `{}` for every uncompiled (nested) model; an .h5 writes nothing
      return isObject(value) && Object.keys(value).length === 0;
    default:
      return false;
  }
}

export function jsonEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && jsonEqual(a[k], b[k]));
  }
  return false;
}

export interface DiffCounters {
  /** Keys present on one side only that only one save format writes. */
  formOnly: number;
}

export function diffJson(a: Json | undefined, b: Json | undefined, pointer = '', counters?: DiffCounters): JsonChange[] {
  if (a === undefined && b === undefined) return [];
  if (a === undefined) return [{ pointer, change: 'added', to: b }];
  if (b === undefined) return [{ pointer, change: 'removed', from: a }];
  if (isObject(a) && isObject(b)) {
    const out: JsonChange[] = [];
    for (const k of Object.keys(a)) {
      if (!(k in b)) {
        if (formOnlyKey(k, a[k], a)) {
          if (counters) counters.formOnly++;
        } else out.push({ pointer: joinPointer(pointer, k), change: 'removed', from: a[k] });
      } else out.push(...diffJson(a[k], b[k], joinPointer(pointer, k), counters));
    }
    for (const k of Object.keys(b)) {
      if (k in a) continue;
      if (formOnlyKey(k, b[k], b)) {
        if (counters) counters.formOnly++;
      } else out.push({ pointer: joinPointer(pointer, k), change: 'added', to: b[k] });
    }
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    return a.flatMap((v, i) => diffJson(v, b[i], joinPointer(pointer, i), counters));
  }
  return jsonEqual(a, b) ? [] : [{ pointer, change: 'changed', from: a, to: b }];
}
