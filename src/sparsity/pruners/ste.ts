import { z } from 'zod';
import type { Algorithm } from '../types.js';
import { EVERY_STEP, steInit, steUpdate } from './ste-family.js';

/**
 * Straight-through magnitude pruning (the straight-through estimator of Bengio et al. 2013, arXiv:1308.3432,
 * as JaxPruner's SteMagnitudePruning): dense weights are kept and receive every gradient; the forward pass
 * uses them masked to the largest |w| under the pattern, the mask recomputed at every update (by default
 * every step, at the target from the start; a cubic schedule makes it gradual).
 */
export const ste: Algorithm<Record<string, never>> = {
  name: 'ste',
  summary: 'straight-through magnitude pruning: forward with masked weights, dense weights kept and updated',
  paper: 'https://arxiv.org/abs/1308.3432',
  options: z.strictObject({}),
  defaultSchedule: { ...EVERY_STEP },
  schedules: ['periodic', 'cubic', 'one-shot'],
  needsGradients: false,
  application: { mode: 'soft' },
  init: steInit,
  update: steUpdate,
};
