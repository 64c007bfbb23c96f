import { z } from 'zod';
import type { Algorithm } from '../types.js';
import { dropGrow } from './drop-grow.js';
import { randomScores } from './score-pruning.js';

/**
 * Sparse Evolutionary Training (Mocanu et al. 2018, arXiv:1707.04780) in the form RigL (Evci et al. 2020,
 * arXiv:1911.11134) and JaxPruner compare against: a random sparse mask from the start; every ΔT steps the
 * fraction f(t) of active weights with the smallest |w| (either sign) is dropped and as many are grown at random.
 * Grown weights start at zero with fresh optimiser moments, and an update step moves no weight by the optimiser
 * (the masks change instead). Any pattern: growth refills it. Mocanu's own rule
 * differs: once per epoch, a fixed fraction ζ of the smallest positive and of the largest negative weights.
 */
export const set: Algorithm<Record<string, never>> = {
  name: 'set',
  summary: 'SET: random sparse start; every ΔT drop smallest |w|, regrow as many at random (periodic)',
  paper: 'https://arxiv.org/abs/1707.04780',
  options: z.strictObject({}),
  // periodic's defaults are RigL's: ΔT 100, f0 0.3 with cosine decay, T_end 75%
  defaultSchedule: { name: 'periodic' },
  schedules: ['periodic'],
  needsGradients: false,
  // the drop/grow step replaces that step's weight update, as in RigL's and JaxPruner's code
  skipsOptimizerOnUpdate: true,
  init: ({ layers, select, rng }) => ({
    masks: layers.map((l) => select(randomScores(l.weights.length, rng), l.ref.shape, l.target)),
  }),
  update: (ctx) => dropGrow(ctx, (l) => randomScores(l.weights.length, ctx.rng)),
};
