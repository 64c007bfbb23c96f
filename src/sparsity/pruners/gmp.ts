import { z } from 'zod';
import type { Algorithm } from '../types.js';
import { magnitudeScores, pruneByScore } from './score-pruning.js';

const ones = (l: { ref: { shape: [number, number] } }) =>
  new Uint8Array(l.ref.shape[0] * l.ref.shape[1]).fill(1);

/**
 * Gradual magnitude pruning (Zhu & Gupta 2017, arXiv:1710.01878), the method of the sparse scaling-law
 * paper (Frantar et al. 2023, arXiv:2309.08520): start dense, and at each scheduled step zero the
 * smallest-magnitude weights of each layer until it reaches the schedule's sparsity. Magnitude scores +
 * the cubic schedule; the pattern and distribution are the trial's.
 */
export const gmp: Algorithm<Record<string, never>> = {
  name: 'gmp',
  summary: 'gradual magnitude pruning: dense start, smallest |w| zeroed on the cubic schedule',
  paper: 'https://arxiv.org/abs/1710.01878',
  options: z.strictObject({}),
  defaultSchedule: { name: 'cubic', start: 0.25, end: 0.75, interval: 100 },
  needsGradients: false,
  // Dense at the start, unless the schedule already asks for sparsity at step 0 (start = end = 0).
  init: ({ layers, select }) => ({
    masks: layers.map((l) =>
      l.target > 0
        ? select(magnitudeScores({ ...l, grads: null, mask: ones(l) }), l.ref.shape, l.target)
        : ones(l),
    ),
  }),
  update: (ctx) => pruneByScore(ctx, magnitudeScores),
};
