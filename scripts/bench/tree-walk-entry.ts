// What scripts/bench/tree-walk.mjs times, bundled from the current sources.
export { walkHdf5Tree } from '../../src/core/formats/hdf5/tree';
export { findSuperblock } from '../../src/core/formats/keras-h5';
export { NodeFileSource } from '../../src/node/file-source';
