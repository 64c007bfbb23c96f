import { z } from 'zod';
import { human } from '../../util/human-schema.js';
import type { Schedule } from '../types.js';

/** Options of the cubic gradual schedule, as fractions of training so they scale with the budget. */
export interface CubicOptions {
  /** Fraction of training at which pruning starts (paper: 25%). */
  start: number;
  /** Fraction of training at which the target is reached (paper: 75%). */
  end: number;
  /** Steps between mask updates (paper: ~100). */
  interval: number;
}

const fraction = z.number().min(0).max(1);

/** Step at which pruning starts and ends, in completed training steps. */
export function cubicWindow(totalSteps: number, o: CubicOptions): [number, number] {
  const start = Math.round(o.start * totalSteps);
  const end = Math.max(start, Math.round(o.end * totalSteps));
  return [start, end];
}

/**
 * Cubic gradual schedule (Zhu & Gupta 2017, "To prune, or not to prune", arXiv:1710.01878):
 * s(t) = S · (1 − (1 − p)³), p = clip((t − t_start)/(t_end − t_start), 0, 1). Masks change every
 * `interval` steps from t_start, and always at t_end, so the target is reached exactly.
 */
export const cubic: Schedule<CubicOptions> = {
  name: 'cubic',
  gradual: true,
  summary:
    'gradual: s(t) = S·(1-(1-p)^3) from start to end (fractions of training), masks every interval steps',
  options: z
    .strictObject({
      start: fraction.default(0.25).describe('fraction of training at which pruning starts (paper: 25%)'),
      end: fraction
        .default(0.75)
        .describe('fraction of training at which the target is reached (paper: 75%)'),
      interval: human()
        .pipe(z.number().int().min(1))
        .default(100)
        .describe('steps between mask updates (paper: ~100)'),
    })
    .refine((o) => o.end >= o.start, { message: 'end must be at least start', path: ['end'] }),
  isUpdateStep(step, totalSteps, o) {
    const [start, end] = cubicWindow(totalSteps, o);
    if (step < start || step > end || step === 0) return false;
    return step === end || (step - start) % o.interval === 0;
  },
  *updateSteps(totalSteps, o) {
    const [start, end] = cubicWindow(totalSteps, o);
    let step = start === 0 ? o.interval : start;
    for (; step < end; step += o.interval) yield step;
    if (end > 0) yield end;
  },
  sparsityAt(step, totalSteps, target, o) {
    const [start, end] = cubicWindow(totalSteps, o);
    if (step <= start) return end === start && step >= end ? target : 0;
    if (step >= end) return target;
    const p = (step - start) / (end - start);
    return target * (1 - (1 - p) ** 3);
  },
};
