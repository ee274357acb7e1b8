// What scripts/bench/precheck.mjs times, bundled from the current sources by bundle.mjs.
export { preflightRootAttributes } from '../../src/core/formats/hdf5/preflight';
export { findSuperblock } from '../../src/core/formats/keras-h5';
export { NodeFileSource } from '../../src/node/file-source';
export { decodePayload } from '../../src/core/python/decode';
