/** Comparing two models (issue 16): records in types.ts, the comparison in diff.ts. */
export { diffModels } from './diff';
export { inspectForDiff } from './inspect';
export { readWeightRecords, type WeightRecords } from './weights';
export type { DiffSide } from './side';
export * from './types';
