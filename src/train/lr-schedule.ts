/** Options of the learning-rate schedule (config `train.lr_schedule`). */
export interface LrScheduleOptions {
  name: 'cosine';
  /** Fraction of training if below 1, else steps. */
  warmup: number;
  min_lr_ratio: number;
}

/** Warmup length in steps. */
export function warmupSteps(totalSteps: number, o: LrScheduleOptions): number {
  const w = o.warmup < 1 ? Math.round(o.warmup * totalSteps) : Math.round(o.warmup);
  return Math.min(w, totalSteps);
}

/**
 * Learning rate for update number `t` (0-based) of `totalSteps`: linear warmup to `peak` over the warmup
 * steps, then cosine decay to min_lr_ratio · peak at the last update (Loshchilov & Hutter 2017,
 * arXiv:1608.03983, without restarts).
 */
export function lrAt(t: number, totalSteps: number, peak: number, o: LrScheduleOptions): number {
  const w = warmupSteps(totalSteps, o);
  if (t < w) return (peak * (t + 1)) / w;
  const decaySteps = totalSteps - w - 1;
  const p = decaySteps <= 0 ? 1 : Math.min(1, (t - w) / decaySteps);
  const min = peak * o.min_lr_ratio;
  return min + (peak - min) * 0.5 * (1 + Math.cos(Math.PI * p));
}
