/** The normalised model: what every format module produces and every rule reads. */
import type { Json, JsonObject } from '../json/parse';
import type { TfMetaGraph } from '../formats/savedmodel/graph-types';
import type { PickleScan } from '../pickle/scan';
import type { SkippedPart } from '../coverage';
import type { ContainerFact } from '../formats/facts';
import type { TorchScriptModule } from '../formats/torchscript';
import type { ArchiveMember, FormatId, LayerInfo } from '../report';

export type { ContainerFact };

/** A JSON config document found in the container, e.g. the `model_config` HDF5 attribute or `config.json`. */
export interface ConfigDocument {
  /** Stable name used in findings: `model_config`, `training_config`, `config.json`, `keras_metadata.pb#3` … */
  name: string;
  value: Json;
  /**
   * What this document is to the loader: the model, its training/compile config, metadata, a SavedModel node —
   * or `unread`: JSON no loader reads as a config (a renamed attribute), walked so that code in it is never silent.
   */
  role: 'model' | 'training' | 'metadata' | 'savedmodel-node' | 'unread';
}

/** Where the code bytes sit and how they are wrapped (THREATS.md §A.1). */
export type CarrierShape =
  | 'keras3-lambda' // {"class_name":"__lambda__","config":{"code","defaults","closure"}}
  | 'keras3-lambda-value' // {"class_name":"__lambda__","config":{"value":[code, defaults, closure]}}
  | 'value-list' // {"value":[code, defaults, closure]} (Keras 3 activations quirk)
  | 'tuple' // {"class_name":"__tuple__","items":[code, defaults, closure]} (keras_metadata.pb)
  | 'list' // [code, defaults, closure] (Keras 1.1 – tf_keras)
  | 'bare-string'; // "code" (Keras 1.0.x)

/** One piece of marshal bytecode found in a config document. */
export interface CodeCarrier {
  document: string;
  /** JSON pointer of the string holding the code. */
  pointer: string;
  shape: CarrierShape;
  encoding: 'base64' | 'raw_unicode_escape';
  bytes: Uint8Array;
  /** sha256 of `bytes`: the payload's identity (report, de-duplication, decode cache). */
  sha256: string;
  defaults: Json | undefined;
  closure: Json | undefined;
  /** Name path of the enclosing layer, if any. */
  layer?: string;
  layerClass?: string;
  /** The key under the layer's config that holds it (`function`, `output_shape`, `mask`, `activation` …). */
  slot?: string;
  /** The sibling `<slot>_type` value when present (`lambda`, `function`, `raw`). */
  declaredType?: string;
  /** The sibling `module` / `<slot>_module` (tf.keras merges that module's globals into the Lambda's). */
  module?: string;
  /** The enclosing layer's `arguments` (kwargs the function is called with), when not empty. */
  arguments?: Json;
}

export interface ModelMeta {
  kerasVersion?: string;
  backend?: string;
  writer: Record<string, string>;
}

/** What a format module hands to the walker and the rules. */
export interface OpenedModel {
  format: FormatId;
  formatDetail: string;
  documents: ConfigDocument[];
  meta: ModelMeta;
  members?: ArchiveMember[];
  /** Facts found by the container reader itself (HDF5 links, zip member names, declared sizes …), for the rules. */
  containerFacts: ContainerFact[];
  /** The coverage ledger: what a loader reads that this reader could not inspect (empty when it read everything). */
  skipped: SkippedPart[];
  /** Pickles found in or beside the model (pickle files, PyTorch members, object arrays, base64 blobs). */
  pickles?: EmbeddedPickle[];
  /** TorchScript source members (torch.jit.save archives), for R-TORCHSCRIPT and the payload view. */
  torchscript?: TorchScriptModule[];
  /** SavedModel graphs (saved_model.pb), for the TF op rule. */
  graphs?: TfMetaGraph[];
  /** Context about the reading itself, for the report's notes (never a substitute for `skipped`). */
  notes?: string[];
}

/** One pickle stream the scan read (statically) and where it sits. */
export interface EmbeddedPickle {
  /** Document or member it came from (`data.pkl`, `model.weights.npz/vars/0.npy`, `config.json`). */
  document: string;
  /** JSON pointer when the pickle came out of a config value (TorchModuleWrapper `config.module`). */
  location: string;
  /** How it was wrapped: `pickle`, `torch-zip`, `torch-legacy`, `npy-object`, `npz-object`, `torch-module-wrapper`. */
  container: string;
  /** Byte offset of the pickle inside its member / blob (scan offsets are relative to it). */
  offset: number;
  scan: PickleScan;
  /** Layer path when it sits in a layer config. */
  layer?: string;
}

/** Every JSON object of every document, with where it sits: what the config rules iterate over. */
export interface ConfigObject {
  document: string;
  role: ConfigDocument['role'];
  /** JSON pointer of the object. */
  pointer: string;
  value: JsonObject;
  /** The key (or index) under which it sits in its parent; undefined for a document root. */
  key?: string | number;
  /** The parent object or array. */
  parent?: JsonObject | Json[];
  /** Enclosing layer (the layer object itself counts as enclosing itself). */
  layer?: string;
  layerClass?: string;
  /** True when this object is a registered layer. */
  isLayer: boolean;
}

/** The normalised model after walking every document. */
export interface WalkedModel {
  layers: LayerInfo[];
  carriers: CodeCarrier[];
  /** Every object in every document, in document order (bounded by the JSON node budget). */
  objects: ConfigObject[];
  /** Root model class and name (from the `model` document). */
  rootClass?: string;
  rootName?: string;
}
