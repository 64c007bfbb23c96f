import * as tf from '@tensorflow/tfjs-core';
import type { Batch, ModelFamily } from '../models/types.js';

/**
 * Mean loss over the fixed held-out batches, each weighted by its examples, and the accuracy for
 * families that classify (null otherwise).
 */
export async function evaluate<S, B extends Batch>(
  family: ModelFamily<S, B>,
  shape: S,
  params: ReadonlyMap<string, tf.Tensor>,
  batches: readonly B[],
): Promise<{ loss: number; accuracy: number | null }> {
  let loss = 0;
  let correct = 0;
  let examples = 0;
  for (const b of batches) {
    const [l, a] = tf.tidy(() => [
      family.loss(shape, params, b),
      family.accuracy ? family.accuracy(shape, params, b) : tf.scalar(0),
    ]);
    // asynchronous reads: the webgpu backend has no synchronous one in Node
    const [lv, av] = await Promise.all([l.data(), a.data()]);
    loss += lv[0] * b.batchSize;
    correct += av[0] * b.batchSize;
    examples += b.batchSize;
    tf.dispose([l, a]);
  }
  return { loss: loss / examples, accuracy: family.accuracy ? correct / examples : null };
}
