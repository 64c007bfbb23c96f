import { z } from 'zod';
import { magnitudeScores, scorePruner } from './score-pruning.js';

/**
 * Gradual magnitude pruning (Zhu & Gupta 2017, arXiv:1710.01878), the method of the sparse scaling-law
 * paper (Frantar et al. 2023, arXiv:2309.08520): start dense, and at each scheduled step zero the
 * smallest-magnitude weights of each layer until it reaches the schedule's sparsity. Magnitude scores +
 * the cubic schedule; the pattern and distribution are the trial's.
 */
export const gmp = scorePruner<Record<string, never>>({
  name: 'gmp',
  summary: 'gradual magnitude pruning: dense start, smallest |w| zeroed on the cubic schedule',
  paper: 'https://arxiv.org/abs/1710.01878',
  options: z.strictObject({}),
  // the paper: from 25% to 75% of training, masks every ~100 steps
  defaultSchedule: { name: 'cubic', start: 0.25, end: 0.75, interval: 100 },
  score: magnitudeScores,
});
