/**
 * Synthetic Keras 3 model configs of any size, shaped like real ones: a ResNet-style Functional chain
 * (conv, bn, relu, conv, bn, add with a skip), a second model input joining late, a nested Sequential
 * sub-model every 40 blocks, a TimeDistributed wrapper, and one Lambda deep inside (its code string is a
 * placeholder: only the layer graph matters here). Walked by the real config walker, as a scan would.
 */
import { walkDocuments } from '../../../src/core/keras/walker';
import type { Json, JsonObject } from '../../../src/core/json/parse';
import type { LayerInfo } from '../../../src/core/report';

function tensor(name: string): JsonObject {
  return { class_name: '__keras_tensor__', config: { shape: [null, 16], dtype: 'float32', keras_history: [name, 0, 0] } };
}

function layer(className: string, name: string, inputs: string[], extra: JsonObject = {}): JsonObject {
  const args: Json = inputs.length === 1 ? [tensor(inputs[0])] : [inputs.map(tensor)];
  return {
    module: 'keras.layers',
    class_name: className,
    config: { name, trainable: true, ...extra },
    registered_name: null,
    name,
    inbound_nodes: inputs.length ? [{ args, kwargs: {} }] : [],
  };
}

function sequential(name: string, inner: number, input: string, lambdaInside: boolean): JsonObject {
  const layers: JsonObject[] = [{ module: 'keras.layers', class_name: 'InputLayer', config: { name: `${name}_in` }, registered_name: null }];
  for (let k = 0; k < inner; k++) {
    const className = lambdaInside && k === Math.floor(inner / 2) ? 'Lambda' : 'Dense';
    const extra: JsonObject = className === 'Lambda' ? { function: { class_name: '__lambda__', config: { code: 'x', defaults: null, closure: null } } } : { units: 16 };
    layers.push({ module: 'keras.layers', class_name: className, config: { name: `${name}_l${k}`, ...extra }, registered_name: null });
  }
  return { ...layer('Sequential', name, [input]), module: 'keras', config: { name, layers } };
}

/** A config with about `target` layers in all (counting nested ones). */
export function syntheticConfig(target: number): JsonObject {
  const layers: JsonObject[] = [layer('InputLayer', 'signal', []), layer('InputLayer', 'aux', [])];
  let count = 3; // the model itself and two inputs
  let last = 'signal';
  let block = 0;
  const lambdaBlock = Math.floor(target / 7 / 2);
  let lambdaPlaced = false;
  while (count < target - 4) {
    const p = `b${block}`;
    if (block % 40 === 39) {
      const inner = Math.min(20, target - count - 2);
      // The Lambda goes in the first sub-model after the middle block, unless the middle block took it.
      const inside: boolean = block >= lambdaBlock && !lambdaPlaced;
      layers.push(sequential(`${p}_sub`, inner, last, inside));
      lambdaPlaced ||= inside;
      last = `${p}_sub`;
      count += inner + 2;
    } else if (block % 40 === 19) {
      layers.push({
        ...layer('TimeDistributed', `${p}_td`, [last]),
        config: { name: `${p}_td`, layer: { module: 'keras.layers', class_name: 'Dense', config: { name: `${p}_td_dense`, units: 16 }, registered_name: null } },
      });
      last = `${p}_td`;
      count += 2;
    } else {
      layers.push(layer('Conv1D', `${p}_conv1`, [last]));
      layers.push(layer('BatchNormalization', `${p}_bn1`, [`${p}_conv1`]));
      const mid = block === lambdaBlock ? `${p}_scale` : `${p}_relu1`;
      lambdaPlaced ||= block === lambdaBlock;
      layers.push(
        block === lambdaBlock
          ? layer('Lambda', mid, [`${p}_bn1`], { function: { class_name: '__lambda__', config: { code: 'x', defaults: null, closure: null } } })
          : layer('Activation', mid, [`${p}_bn1`]),
      );
      layers.push(layer('Conv1D', `${p}_conv2`, [mid]));
      layers.push(layer('Add', `${p}_add`, [last, `${p}_conv2`]));
      last = `${p}_add`;
      count += 5;
    }
    block++;
  }
  layers.push(layer('Concatenate', 'join', [last, 'aux']));
  layers.push(layer('Dense', 'logits', ['join']));
  return {
    module: 'keras',
    class_name: 'Functional',
    config: { name: `synthetic_${target}`, layers, input_layers: [['signal', 0, 0], ['aux', 0, 0]], output_layers: [['logits', 0, 0]] },
    registered_name: null,
  };
}

/** The walked layers of a synthetic model, and the paths of its Lambda layers. */
export function syntheticLayers(target: number): { layers: LayerInfo[]; lambdas: string[] } {
  const walked = walkDocuments([{ name: 'config.json', value: syntheticConfig(target), role: 'model' }]);
  return { layers: walked.layers, lambdas: walked.layers.filter((l) => l.className === 'Lambda').map((l) => l.path) };
}
