/**
 * TensorFlow ops that touch files, the network or the loading process (THREATS.md §C table),
 * as data: which inputs / attrs carry the path or URL. Input indexes follow each op's OpDef
 * (tensorflow/core/ops/*.cc); TensorAbuse's TensorDetect settings name the same arguments.
 */

export type TfOpCapability =
  | 'file-read'
  | 'file-write'
  | 'file-list'
  | 'checkpoint-read'
  | 'checkpoint-write'
  | 'memory-map'
  | 'network'
  | 'python-callback';

export interface TfOpSpec {
  capability: TfOpCapability;
  /** Data-input positions that carry a path, pattern, address or URL. */
  pathInputs: readonly number[];
  /** Attr names that carry a path, URL or callback token. */
  pathAttrs: readonly string[];
  /** Part of the standard checkpoint saver when used with the checkpoint prefix. */
  checkpoint?: boolean;
}

const spec = (capability: TfOpCapability, pathInputs: number[], pathAttrs: string[] = [], checkpoint = false): TfOpSpec => ({
  capability,
  pathInputs,
  pathAttrs,
  ...(checkpoint ? { checkpoint } : {}),
});

export const TF_SENSITIVE_OPS: ReadonlyMap<string, TfOpSpec> = new Map<string, TfOpSpec>([
  ['ReadFile', spec('file-read', [0])],
  ['WriteFile', spec('file-write', [0])],
  ['MatchingFiles', spec('file-list', [0])],
  ['MatchingFilesDataset', spec('file-list', [0])],
  ['ExperimentalMatchingFilesDataset', spec('file-list', [0])],
  ['FixedLengthRecordDataset', spec('file-read', [0])],
  ['FixedLengthRecordDatasetV2', spec('file-read', [0])],
  ['CSVDataset', spec('file-read', [0])],
  ['CSVDatasetV2', spec('file-read', [0])],
  ['ExperimentalCSVDataset', spec('file-read', [0])],
  ['TFRecordDataset', spec('file-read', [0])],
  ['TFRecordDatasetV2', spec('file-read', [0])],
  ['TextLineDataset', spec('file-read', [0])],
  ['InitializeTableFromTextFile', spec('file-read', [1])],
  ['InitializeTableFromTextFileV2', spec('file-read', [1])],
  ['ImmutableConst', spec('memory-map', [], ['memory_region_name'])],
  ['Save', spec('checkpoint-write', [0], [], true)],
  ['SaveSlices', spec('checkpoint-write', [0], [], true)],
  ['SaveV2', spec('checkpoint-write', [0], [], true)],
  ['MergeV2Checkpoints', spec('checkpoint-write', [0, 1], [], true)],
  ['Restore', spec('checkpoint-read', [0], [], true)],
  ['RestoreSlice', spec('checkpoint-read', [0], [], true)],
  ['RestoreV2', spec('checkpoint-read', [0], [], true)],
  ['LookupTableExport', spec('file-write', [])],
  ['LookupTableExportV2', spec('file-write', [])],
  ['PrintV2', spec('file-write', [], ['output_stream'])],
  ['DebugIdentity', spec('network', [], ['debug_urls'])],
  ['DebugIdentityV2', spec('network', [], ['debug_urls'])],
  ['DebugIdentityV3', spec('network', [], ['debug_urls'])],
  ['RpcClient', spec('network', [0])],
  ['RpcServer', spec('network', [0])],
  ['RpcCall', spec('network', [1])],
  ['RpcServerRegister', spec('network', [1])],
  ['RegisterDataset', spec('network', [1, 2])],
  ['RegisterDatasetV2', spec('network', [1, 2])],
  ['DataServiceDataset', spec('network', [2, 3])],
  ['DataServiceDatasetV2', spec('network', [2, 3])],
  ['DataServiceDatasetV3', spec('network', [2, 3])],
  ['DataServiceDatasetV4', spec('network', [2, 3])],
  ['DistributedSave', spec('network', [1, 2])],
  ['SqlDataset', spec('file-read', [0, 1, 2])],
  ['ExperimentalSqlDataset', spec('file-read', [0, 1, 2])],
  ['PyFunc', spec('python-callback', [], ['token'])],
  ['PyFuncStateless', spec('python-callback', [], ['token'])],
  ['EagerPyFunc', spec('python-callback', [], ['token'])],
]);

/**
 * Ops that make up the standard checkpoint saver (TF1 `save/…` scope, TF2 `__inference__traced_save_N`
 * / `__inference__traced_restore_N` functions). Anything else inside those scopes is NOT treated as saver.
 */
export const SAVER_SUBGRAPH_OPS: ReadonlySet<string> = new Set([
  'Const',
  'Identity',
  'IdentityN',
  'NoOp',
  'Placeholder',
  'PlaceholderWithDefault',
  'StringJoin',
  'StaticRegexFullMatch',
  'Select',
  'SelectV2',
  'ShardedFilename',
  'ShardedFilespec',
  'Pack',
  'ReadVariableOp',
  'AssignVariableOp',
  'Assign',
  'DisableCopyOnRead',
  'StatefulPartitionedCall',
  'PartitionedCall',
  'SaveV2',
  'RestoreV2',
  'MergeV2Checkpoints',
  'Save',
  'SaveSlices',
  'Restore',
  'RestoreSlice',
]);

/** TF2 object-based saver functions traced by `tf.saved_model.save`. */
export const SAVER_FUNCTION_PATTERN = /^__inference__traced_(save|restore)_\d+$/;

/** TF1 `tf.train.Saver` name scopes: `save/`, `save_1/` … */
export const SAVER_SCOPE_PATTERN = /^save(_\d+)?\//;

/**
 * Constant pieces the saver joins onto the checkpoint prefix: TF1 default filename "model",
 * sharded temp suffixes "_temp_<uuid hex>/part" / "_temp/part", TF2 ".part" (for s3 prefixes).
 */
export const SAVER_PREFIX_CONSTANT = /^(model|\.part|_temp(_[0-9a-f]{32})?\/part)?$/;

/** DataType enum value of DT_STRING (tensorflow/core/framework/types.proto). */
export const DT_STRING = 7;
