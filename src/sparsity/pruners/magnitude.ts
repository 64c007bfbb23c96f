import { z } from 'zod';
import { magnitudeScores, scorePruner } from './score-pruning.js';

/**
 * One-shot magnitude pruning (Han et al. 2015, "Learning both weights and connections", arXiv:1506.02626):
 * train dense, zero the smallest |w| of each layer down to the target in one step, train on sparse.
 * The same score as gmp; only the schedule differs.
 */
export const magnitude = scorePruner<Record<string, never>>({
  name: 'magnitude',
  summary: 'one-shot magnitude pruning: dense until `at`, then the smallest |w| zeroed at once',
  paper: 'https://arxiv.org/abs/1506.02626',
  options: z.strictObject({}),
  // at 25%: where gmp starts pruning, so the two differ only in all-at-once versus gradual
  defaultSchedule: { name: 'one-shot', at: 0.25 },
  score: magnitudeScores,
});
