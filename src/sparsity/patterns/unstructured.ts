import { z } from 'zod';
import { topKMask } from '../top-k.js';
import type { Pattern } from '../types.js';

/** Any weight may be pruned: keep the highest scores of the whole matrix. */
export const unstructured: Pattern<Record<string, never>> = {
  name: 'unstructured',
  summary:
    'any weight may be pruned; exactly round(s·size) weights per layer (per part of a packed one) are zeroed',
  options: z.strictObject({}),
  select(scores, _shape, sparsity) {
    const pruned = Math.round(sparsity * scores.length);
    return topKMask(scores, scores.length - pruned);
  },
};
