import { z } from 'zod';
import type { Algorithm } from '../types.js';
import { EVERY_STEP, steInit, steUpdate } from './ste-family.js';

/** SR-STE's options. */
export interface SrSteOptions {
  /** λ_W: weight of the sparse-refined term λ·(1 − m)⊙w added to the gradient of pruned weights. */
  lambda: number;
}

/**
 * Sparse-refined straight-through estimator for N:M (Zhou et al. 2021, arXiv:2102.04010): STE with N:M
 * masks recomputed every step from the dense weights, plus λ_W·(1 − m)⊙w added to the gradient so pruned
 * weights decay towards zero and the mask settles.
 */
export const srSte: Algorithm<SrSteOptions> = {
  name: 'sr-ste',
  summary: 'SR-STE for N:M: STE plus λ·(1-m)⊙w on the gradient of pruned weights',
  paper: 'https://arxiv.org/abs/2102.04010',
  options: z.strictObject({
    // the paper's λ_W = 2e-4
    lambda: z.number().min(0).default(2e-4).describe('λ_W of the sparse-refined gradient term'),
  }),
  defaultSchedule: { ...EVERY_STEP },
  patterns: ['nm'],
  schedules: ['periodic'],
  needsGradients: false,
  application: { mode: 'soft', prunedDecay: (o) => o.lambda },
  init: steInit,
  update: steUpdate,
};
