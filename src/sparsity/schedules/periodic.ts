import { z } from 'zod';
import { human } from '../../util/human-schema.js';
import type { Schedule } from '../types.js';

/** Options of the periodic schedule of drop/grow methods. */
export interface PeriodicOptions {
  /** ΔT: steps between mask updates. */
  interval: number;
  /** T_end as a fraction of training: no updates after it. */
  end: number;
  /** f0: fraction of the active weights replaced at the first update. */
  drop_fraction: number;
  /** How f decays to T_end: cosine f0/2·(1 + cos(π t/T_end)), or constant f0. */
  decay: 'cosine' | 'constant';
}

const endStep = (totalSteps: number, o: PeriodicOptions) => Math.round(o.end * totalSteps);

/**
 * Periodic mask updates at constant sparsity (Evci et al. 2020, RigL, arXiv:1911.11134; Mocanu et al. 2018,
 * SET, arXiv:1707.04780): the sparsity is at the target from the first step; every ΔT steps until T_end the
 * masks change, drop/grow methods replacing the fraction f(t) = f0/2·(1 + cos(π t/T_end)) of the active
 * weights, and none on the last step of training. STE methods use it with ΔT = 1 and f0 = 0 (masks recomputed
 * every step).
 */
export const periodic: Schedule<PeriodicOptions> = {
  name: 'periodic',
  summary:
    'sparsity at target throughout; masks change every interval steps until end; drop/grow fraction f(t)',
  options: z.strictObject({
    // RigL's ΔT = 100, f0 = 0.3, T_end = 75% of training, cosine decay
    interval: human().pipe(z.number().int().min(1)).default(100).describe('ΔT: steps between mask updates'),
    end: z
      .number()
      .min(0)
      .max(1)
      .default(0.75)
      .describe('T_end: fraction of training after which masks stay'),
    drop_fraction: z
      .number()
      .min(0)
      .max(1)
      .default(0.3)
      .describe('f0: fraction of active weights replaced at the first update (drop/grow methods)'),
    decay: z
      .enum(['cosine', 'constant'])
      .default('cosine')
      .describe('f(t): cosine f0/2·(1+cos(πt/T_end)) or f0'),
  }),
  isUpdateStep(step, totalSteps, o) {
    return step > 0 && step % o.interval === 0 && step <= endStep(totalSteps, o);
  },
  *updateSteps(totalSteps, o) {
    for (let step = o.interval; step <= endStep(totalSteps, o); step += o.interval) yield step;
  },
  sparsityAt: (_step, _total, target) => target,
  updateFraction(step, totalSteps, o) {
    const end = endStep(totalSteps, o);
    // none on the last step: weights grown there would end training at zero, never trained (RigL stops at
    // T_end, before the end of training; `end: 1` with constant decay would otherwise replace f0 there)
    if (step > end || end === 0 || step >= totalSteps) return 0;
    return o.decay === 'constant'
      ? o.drop_fraction
      : (o.drop_fraction / 2) * (1 + Math.cos((Math.PI * step) / end));
  },
};
