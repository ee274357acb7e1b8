/** Fuzz profile: "full" for scripts/fuzz/run.mjs, "light" (no multi-megabyte inputs) for the in-test smoke run. */
export const profile = { light: false };

/** Picks from `heavy` normally, from `light` under the light profile. */
export function sized<T>(heavy: readonly T[], light: readonly T[]): readonly T[] {
  return profile.light ? light : heavy;
}
