/**
 * The format registry (after Netron's one register table): every container module in detection order, and for
 * every report format id its family and the loaders that read it. The family picks the loader tables the rules
 * use; no rule decides on the format id itself (a label must never turn a payload into "clean").
 */
import type { FormatId } from '../report';
import { base64Text } from './base64-text';
import type { FormatModule } from './format';
import { kerasH5 } from './keras-h5';
import { kerasJson } from './keras-json';
import { kerasZip } from './keras-zip';
import { pickleFile } from './pickle-file';
import { savedModelPb } from './savedmodel-folder';
import { kerasYaml } from './yaml';

/** Which loaders read a file: legacy HDF5, the Keras v3 zip, model JSON, SavedModel, pickles, YAML, anything else. */
export type Family = 'h5' | 'keras-zip' | 'json' | 'savedmodel' | 'pickle' | 'yaml' | 'other';

export interface FormatInfo {
  family: Family;
  /** Short label for lists. */
  label: string;
}

export const FORMAT_INFO: Record<FormatId, FormatInfo> = {
  'keras-h5': { family: 'h5', label: 'Keras HDF5 model' },
  'keras-h5-weights': { family: 'h5', label: 'Keras HDF5 weights' },
  hdf5: { family: 'h5', label: 'HDF5 file' },
  'keras-v3': { family: 'keras-zip', label: 'Keras v3 .keras' },
  'keras-json': { family: 'json', label: 'Keras model JSON' },
  'tfjs-json': { family: 'json', label: 'TensorFlow.js model.json' },
  savedmodel: { family: 'savedmodel', label: 'TensorFlow SavedModel' },
  zip: { family: 'other', label: 'zip archive' },
  pickle: { family: 'pickle', label: 'pickle / PyTorch / NumPy' },
  yaml: { family: 'yaml', label: 'Keras YAML config' },
  unknown: { family: 'other', label: 'unknown' },
};

/** The loaders that read each family's files (for the coverage ledger: whom an uninspected part concerns). */
export const READERS: Record<Family, readonly string[]> = {
  h5: ['Keras 3 load_model / load_weights', 'tf_keras / tf.keras load_model', 'multi-backend Keras load_model'],
  'keras-zip': ['Keras 3 load_model', 'tf.keras / tf_keras (≥ 2.13) load_model'],
  json: ['keras.models.model_from_json', 'TensorFlow.js loadLayersModel'],
  savedmodel: ['tf.keras / tf_keras load_model', 'tf.saved_model.load'],
  pickle: ['pickle.load', 'torch.load', 'joblib.load', 'numpy.load(allow_pickle=True)'],
  yaml: ['tf.keras model_from_yaml (TF < 2.6)'],
  other: ['any loader of this container'],
};

/**
 * Detection order: binary signatures first, then formats confirmed by parsing (pickle opcodes, protobuf), text
 * last (base64 text is the fallback of fallbacks). Each module's `detect` hands what it parsed to its `open`.
 */
export const FORMAT_MODULES: readonly FormatModule[] = [kerasH5, kerasZip, pickleFile, savedModelPb, kerasJson, kerasYaml, base64Text] as FormatModule[];

export function familyOf(format: FormatId): Family {
  return FORMAT_INFO[format].family;
}
