import { z } from 'zod';
import type { Distribution } from '../types.js';

/** Every prunable layer gets the global sparsity (Zhu & Gupta 2017; the paper's setting). */
export const uniform: Distribution<Record<string, never>> = {
  name: 'uniform',
  summary: 'every prunable layer at the global sparsity',
  options: z.strictObject({}),
  allocate(layers, sparsity) {
    return layers.map(() => sparsity);
  },
};
