import { z } from 'zod';
import type { Distribution } from '../types.js';
import { fixedSparsity, type LayerFilterOptions, layerFilterShape } from './layer-filter.js';

/**
 * Every prunable layer at the global sparsity (Zhu & Gupta 2017, arXiv:1710.01878; the sparse scaling-law
 * paper's setting). Layers kept dense get 0 and do not shift the others: S is the sparsity of the pruned layers.
 */
export const uniform: Distribution<LayerFilterOptions> = {
  name: 'uniform',
  summary: 'every pruned layer at the global sparsity S',
  options: z.strictObject(layerFilterShape),
  allocate(layers, sparsity, o) {
    return layers.map((l) => fixedSparsity(l, sparsity, o) ?? sparsity);
  },
};
