import * as tf from '@tensorflow/tfjs-core';
import type { ModelFamily, TokenBatch } from '../models/types.js';

/**
 * Mean loss (nats per token) over the fixed held-out batches, weighting each batch by its windows.
 */
export function evaluate<S>(
  family: ModelFamily<S>,
  shape: S,
  params: ReadonlyMap<string, tf.Tensor>,
  batches: readonly TokenBatch[],
): number {
  let sum = 0;
  let windows = 0;
  for (const b of batches) {
    const loss = tf.tidy(() => family.loss(shape, params, b));
    sum += loss.dataSync()[0] * b.batchSize;
    windows += b.batchSize;
    loss.dispose();
  }
  return sum / windows;
}
