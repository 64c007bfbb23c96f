import { z } from 'zod';
import { topKMask } from '../top-k.js';
import type { Mask, Pattern } from '../types.js';

/**
 * Inputs kept per output neuron (column) of a [n_in, n_out] layer at sparsity s: round((1 − s)·n_in), at
 * least 1 (a neuron with no inputs is dead) and n_in when s = 0.
 */
export function fanIn(nIn: number, sparsity: number): number {
  if (sparsity <= 0) return nIn;
  return Math.min(nIn, Math.max(1, Math.round((1 - sparsity) * nIn)));
}

/**
 * Keeps the k[j] highest scores of each column j (k a number = the same for every column). Ties break
 * towards the lower row; NaN ranks last.
 */
export function topKPerColumn(
  scores: Float32Array,
  shape: [number, number],
  k: number | ArrayLike<number>,
): Mask {
  const [rows, cols] = shape;
  const mask = new Uint8Array(rows * cols);
  const column = new Float32Array(rows);
  for (let j = 0; j < cols; j++) {
    const kj = typeof k === 'number' ? k : k[j];
    if (kj <= 0) continue;
    for (let i = 0; i < rows; i++) {
      const v = scores[i * cols + j];
      column[i] = Number.isNaN(v) ? Number.NEGATIVE_INFINITY : v;
    }
    const keep = topKMask(column, kj);
    for (let i = 0; i < rows; i++) mask[i * cols + j] = keep[i];
  }
  return mask;
}

/**
 * Constant fan-in (Lasby et al. 2023, SRigL, arXiv:2305.02299): every output neuron keeps the same number k
 * of inputs, a fine-grained structure that can be stored condensed as [n_out, k] values + input indices.
 * Since k is whole, a layer holds sparsity (n_in − k)/n_in exactly: the per-layer target is rounded to it
 * (`achievable`), at most 1/(2·n_in) away from the distribution's, and the N accounting uses the rounded one.
 */
export const constantFanIn: Pattern<Record<string, never>> = {
  name: 'constant-fan-in',
  summary: 'k = round((1-s)·n_in) inputs kept per output neuron (column); per-layer sparsity rounded to k',
  options: z.strictObject({}),
  select(scores, shape, sparsity) {
    return topKPerColumn(scores, shape, fanIn(shape[0], sparsity));
  },
  achievable(shape, sparsity) {
    return sparsity <= 0 ? 0 : (shape[0] - fanIn(shape[0], sparsity)) / shape[0];
  },
};
