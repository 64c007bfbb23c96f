import { count } from '../util/format.js';
import type { TrialPlan } from './plan.js';

/**
 * A plan warning when a warmup given in steps (`train.lr_schedule.warmup` ≥ 1) is as long as a trial's whole
 * training: the learning rate then ramps over every step and ends at its peak, never decaying, unlike the
 * sweep's longer trials. Names the shortest such trial; null when every trial has steps left to decay.
 */
export function warmupWarning(trials: readonly TrialPlan[]): string | null {
  const long = trials.filter((t) => {
    const o = t.spec.lr_schedule;
    return o.warmup >= 1 && Math.round(o.warmup) >= t.spec.steps;
  });
  if (long.length === 0) return null;
  const shortest = long.reduce((a, b) => (b.spec.steps < a.spec.steps ? b : a));
  const w = Math.round(shortest.spec.lr_schedule.warmup);
  return (
    `train.lr_schedule.warmup: ${count(w, 'step')} is as long as training in ${long.length} of ${trials.length} ` +
    `trials (the shortest, ${shortest.id.slice(0, 8)}, trains ${count(shortest.spec.steps, 'step')}): their ` +
    'learning rate ramps up over all of it and never decays; give the warmup as a fraction of training (e.g. 0.05) or fewer steps'
  );
}
