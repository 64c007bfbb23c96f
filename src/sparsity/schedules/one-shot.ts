import { z } from 'zod';
import type { Schedule } from '../types.js';

/** Options of the one-shot schedule. */
export interface OneShotOptions {
  /** Fraction of training after which the whole target is pruned at once; 0 prunes before the first step. */
  at: number;
}

/** The step at which a one-shot schedule prunes. */
export function oneShotStep(totalSteps: number, o: OneShotOptions): number {
  return Math.round(o.at * totalSteps);
}

/**
 * One-shot pruning (Han et al. 2015, arXiv:1506.02626, without their iterations): dense until `at`, then the
 * full target in one mask update, kept for the rest of training (which fine-tunes the sparse model).
 */
export const oneShot: Schedule<OneShotOptions> = {
  name: 'one-shot',
  summary: 'dense until `at` (fraction of training), then the whole target at once; masks fixed afterwards',
  options: z.strictObject({
    // 0.25: where the paper's gradual pruning starts, so one-shot and gmp share the same dense phase
    at: z.number().min(0).max(1).default(0.25).describe('fraction of training at which to prune'),
  }),
  isUpdateStep(step, totalSteps, o) {
    return step > 0 && step === oneShotStep(totalSteps, o);
  },
  sparsityAt(step, totalSteps, target, o) {
    return step >= oneShotStep(totalSteps, o) ? target : 0;
  },
};
