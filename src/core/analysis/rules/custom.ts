import { BUILTIN_GADGETS, KERAS_BUILTIN_NAMES, PYTHON_BUILTINS, functionRef, str } from '../config-facts';
import type { Detection, Rule } from '../rule';

/** Keras layer / model classes of Keras 1–3 and tf.keras (enough to tell a custom class from a built-in one). */
const KNOWN = new Set(
  (
    'Sequential Functional Model Network InputLayer Input Dense Activation Dropout Flatten Reshape Permute RepeatVector Lambda TFOpLambda SlicingOpLambda ' +
    'ActivityRegularization Masking SpatialDropout1D SpatialDropout2D SpatialDropout3D GaussianNoise GaussianDropout AlphaDropout Identity ' +
    'Conv1D Conv2D Conv3D Conv1DTranspose Conv2DTranspose Conv3DTranspose SeparableConv1D SeparableConv2D DepthwiseConv1D DepthwiseConv2D ' +
    'Convolution1D Convolution2D Convolution3D Deconvolution2D AtrousConvolution1D AtrousConvolution2D ConvLSTM1D ConvLSTM2D ConvLSTM3D ' +
    'Cropping1D Cropping2D Cropping3D UpSampling1D UpSampling2D UpSampling3D ZeroPadding1D ZeroPadding2D ZeroPadding3D ' +
    'MaxPooling1D MaxPooling2D MaxPooling3D AveragePooling1D AveragePooling2D AveragePooling3D MaxPool1D MaxPool2D MaxPool3D AvgPool1D AvgPool2D AvgPool3D ' +
    'GlobalMaxPooling1D GlobalMaxPooling2D GlobalMaxPooling3D GlobalAveragePooling1D GlobalAveragePooling2D GlobalAveragePooling3D GlobalMaxPool1D GlobalMaxPool2D GlobalAvgPool1D GlobalAvgPool2D ' +
    'RNN SimpleRNN GRU LSTM SimpleRNNCell GRUCell LSTMCell StackedRNNCells CuDNNGRU CuDNNLSTM Bidirectional TimeDistributed Wrapper DropoutWrapper ResidualWrapper DeviceWrapper ' +
    'Embedding BatchNormalization LayerNormalization GroupNormalization UnitNormalization SyncBatchNormalization Normalization Discretization ' +
    'Add Subtract Multiply Average Maximum Minimum Concatenate Dot Merge add subtract multiply average maximum minimum concatenate dot ' +
    'LeakyReLU PReLU ELU ThresholdedReLU Softmax ReLU ' +
    'Attention AdditiveAttention MultiHeadAttention GroupQueryAttention ' +
    'StringLookup IntegerLookup TextVectorization Hashing HashedCrossing CategoryEncoding Resizing Rescaling CenterCrop RandomCrop RandomFlip RandomRotation RandomZoom RandomContrast RandomTranslation RandomBrightness RandomHeight RandomWidth ' +
    'TFSMLayer TorchModuleWrapper Pipeline EinsumDense SpectralNormalization LocallyConnected1D LocallyConnected2D Highway MaxoutDense ' +
    'DTypePolicy Policy FloatDTypePolicy QuantizedDTypePolicy __tuple__ __lambda__ __typespec__ __tensor__ __numpy__ __bytes__ __ellipsis__ __slice__ function ' +
    'Adam SGD RMSprop Adagrad Adadelta Adamax Nadam Ftrl AdamW Lion LossScaleOptimizer ExponentialDecay PiecewiseConstantDecay CosineDecay InverseTimeDecay PolynomialDecay ' +
    'Mean Sum MeanMetricWrapper Accuracy BinaryAccuracy CategoricalAccuracy SparseCategoricalAccuracy AUC Precision Recall MeanSquaredError MeanAbsoluteError ' +
    'BinaryCrossentropy CategoricalCrossentropy SparseCategoricalCrossentropy Huber LossFunctionWrapper MeanIoU ' +
    'GlorotUniform GlorotNormal HeUniform HeNormal LecunUniform LecunNormal Orthogonal Zeros Ones Constant RandomNormal RandomUniform TruncatedNormal VarianceScaling Identity ' +
    'L1 L2 L1L2 MaxNorm NonNeg UnitNorm MinMaxNorm TensorShape'
  ).split(/\s+/),
);

/**
 * R-CUSTOM: registered custom objects (`registered_name` "package>Name") and layer classes Keras does not ship. They
 * need code on the loading side (a registered class or a custom_objects entry), so they are context, not a threat.
 */
export const custom: Rule = {
  id: 'R-CUSTOM',
  title: 'Custom class the loader must already have',
  kind: 'custom-object',
  severity: 'info',
  effect: 'context',
  references: ['Keras docs: custom_objects / register_keras_serializable'],
  loaders: [{ loader: 'all', versions: 'all', when: 'option', note: 'runs only code the loading side registered (custom_objects)' }],
  explanation:
    'The model uses a class that is not part of Keras. Loading it needs that class on the loading side (registered or passed in custom_objects); the file itself cannot supply its code, so this is context: check where the class comes from before you register it.',
  detect({ walked }) {
    const out: Detection[] = [];
    const seen = new Set<string>();
    for (const o of walked.objects) {
      const className = str(o.value.class_name);
      if (!className) continue;
      const registered = str(o.value.registered_name);
      const customRegistered = registered !== undefined && registered.includes('>') && !/^(keras|keras_hub|keras_cv|keras_nlp|tf_keras)\b/i.test(registered);
      const unknownLayer = o.isLayer && !KNOWN.has(className) && !/^(tf\.|keras\.)/.test(className);
      const ref = functionRef(o.value);
      // A named user function (Keras 3 stores it as builtins.<name> / __main__.<name>): needs custom_objects.
      const userFunction =
        ref !== undefined &&
        (ref.module === undefined || /^(builtins|__builtin__|__main__)$/.test(ref.module)) &&
        !KERAS_BUILTIN_NAMES.has(ref.name) &&
        !PYTHON_BUILTINS.has(ref.name) &&
        !BUILTIN_GADGETS.has(ref.name);
      if (!customRegistered && !unknownLayer && !userFunction) continue;
      const key = userFunction ? `${ref!.module ?? ''}${ref!.module ? '.' : ''}${ref!.name}` : registered ?? className;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({
        title: `${userFunction ? 'Named user function' : 'Custom class'} ${key}${o.layer ? ` (layer ${o.layer})` : ''}`,
        document: o.document,
        location: o.pointer,
        layer: o.layer,
        evidence: { className, registeredName: registered, module: str(o.value.module) },
      });
    }
    return out;
  },
};
