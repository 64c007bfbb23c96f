import { f32 } from '../arrays.js';
import type { Algorithm, LayerState } from '../types.js';
import { dropGrow } from './drop-grow.js';
import { set } from './set.js';

/** |g|: RigL's grow score. */
export function gradientMagnitude(layer: LayerState): Float32Array {
  const g = layer.grads;
  if (!g) throw new Error(`rigl needs the gradient of ${layer.ref.name}`);
  return f32(g.length, (i) => Math.abs(g[i]));
}

/**
 * Rigged Lottery (Evci et al. 2020, arXiv:1911.11134): SET with one change, growth where the dense gradient
 * |g| is largest (the gradient of the update step's batch, taken w.r.t. every weight, pruned ones included).
 */
export const rigl: Algorithm<Record<string, never>> = {
  ...set,
  name: 'rigl',
  summary: 'RigL: random sparse start; every ΔT drop smallest |w|, regrow where |gradient| is largest',
  paper: 'https://arxiv.org/abs/1911.11134',
  needsGradients: true,
  update: (ctx) => dropGrow(ctx, gradientMagnitude),
};
