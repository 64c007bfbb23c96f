import type { Residual } from './types.js';

/**
 * The q-quantile (q in [0, 1]) of `values` by linear interpolation between order statistics
 * (Hyndman & Fan type 7, the numpy/R default). NaN for an empty list.
 */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Error summaries of predictions against measurements. */
export interface ErrorSummary {
  rmse_log: number;
  rmse: number;
  max_abs_rel_error: number;
  mean_abs_rel_error: number;
}

/** RMSE in log and raw space and relative errors; all NaN for an empty list. */
export function summariseErrors(residuals: readonly Residual[]): ErrorSummary {
  const n = residuals.length;
  let sl = 0;
  let sr = 0;
  let maxRel = 0;
  let sumRel = 0;
  for (const r of residuals) {
    const dl = Math.log(r.predicted) - Math.log(r.measured);
    const dr = r.predicted - r.measured;
    const rel = Math.abs(r.predicted / r.measured - 1);
    sl += dl * dl;
    sr += dr * dr;
    maxRel = Math.max(maxRel, rel);
    sumRel += rel;
  }
  if (n === 0)
    return {
      rmse_log: Number.NaN,
      rmse: Number.NaN,
      max_abs_rel_error: Number.NaN,
      mean_abs_rel_error: Number.NaN,
    };
  return {
    rmse_log: Math.sqrt(sl / n),
    rmse: Math.sqrt(sr / n),
    max_abs_rel_error: maxRel,
    mean_abs_rel_error: sumRel / n,
  };
}

/** `x` if finite, else null: LawFit stays plain JSON without NaN or Infinity. */
export function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
