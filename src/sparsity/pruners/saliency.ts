import { z } from 'zod';
import type { LayerState } from '../types.js';
import { scorePruner } from './score-pruning.js';

/** |w·g|: first-order Taylor saliency. w = [0.1, 0.9, −0.2, 0.5], g = [1, −0.1, 2, 0] → [0.1, 0.09, 0.4, 0]. */
export function saliencyScores(layer: LayerState): Float32Array {
  const g = layer.grads;
  if (!g) throw new Error(`saliency needs the gradient of ${layer.ref.name}`);
  const out = new Float32Array(layer.weights.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.abs(layer.weights[i] * g[i]);
  return out;
}

/**
 * Saliency pruning with the first-order Taylor score |w·g| (Molchanov et al. 2017, arXiv:1611.06440; the
 * per-weight form of SNIP, Lee et al. 2019, arXiv:1810.02340): the estimated change of the loss when a weight
 * is removed. Gradual like gmp; the gradient is that of the update step's batch. Before the first step there
 * is no gradient, so a schedule that prunes at step 0 falls back to |w|.
 */
export const saliency = scorePruner<Record<string, never>>({
  name: 'saliency',
  summary: 'gradual pruning by first-order saliency |w·g| (cubic schedule)',
  paper: 'https://arxiv.org/abs/1611.06440',
  options: z.strictObject({}),
  // gmp's schedule, so saliency and magnitude differ only in the score
  defaultSchedule: { name: 'cubic', start: 0.25, end: 0.75, interval: 100 },
  score: saliencyScores,
  needsGradients: true,
});
