/** Bundle entry for scripts/fuzz/run.mjs: the parent uses the generator, the workers serve scans. */
export { FORMATS, generateInput, type FuzzFormat, type FuzzInput } from './campaign';
export { loadCorpus } from './corpus';
export { serveChild, serveThread } from './child';
export { scanBytes } from './target';
