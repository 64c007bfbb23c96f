import { z } from 'zod';
import type { Algorithm } from '../types.js';
import { randomScores } from './score-pruning.js';

/**
 * Random static sparse training (Liu et al. 2022, "The Unreasonable Effectiveness of Random Pruning",
 * arXiv:2202.02643; the static baseline of Mocanu et al. 2018 and Evci et al. 2020): a random mask under the
 * trial's pattern and distribution before the first step, never changed.
 */
export const staticSparse: Algorithm<Record<string, never>> = {
  name: 'static',
  summary: 'random sparse mask at initialisation (pattern and distribution respected), fixed for training',
  paper: 'https://arxiv.org/abs/2202.02643',
  options: z.strictObject({}),
  // none: static by definition
  defaultSchedule: { name: 'none' },
  schedules: ['none'],
  needsGradients: false,
  init: ({ layers, select, rng }) => ({
    masks: layers.map((l) => select(randomScores(l.weights.length, rng), l.ref.shape, l.target)),
  }),
  update: ({ layers }) => ({ masks: layers.map((l) => l.mask) }),
};
