import { z } from 'zod';
import type { Algorithm } from '../types.js';
import { denseMasks } from './score-pruning.js';

/** No pruning: the dense baseline every study needs. Every trial at sparsity 0 resolves to this. */
export const dense: Algorithm<Record<string, never>> = {
  name: 'dense',
  summary: 'no pruning; the dense baseline (any pruner at sparsity 0 becomes this)',
  paper: 'https://arxiv.org/abs/2309.08520',
  options: z.strictObject({}),
  defaultSchedule: { name: 'none' },
  needsGradients: false,
  init: ({ layers }) => ({ masks: denseMasks(layers) }),
  update: ({ layers }) => ({ masks: layers.map((l) => l.mask) }),
};
