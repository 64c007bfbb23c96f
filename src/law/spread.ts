import type { LawForm } from './forms/form.js';
import type { StartResult } from './multistart.js';

/**
 * Starts whose converged loss is within 1e-4 (relative) of the best count as reaching it. Distinct
 * coefficient sets that close in loss are equally supported by the data, which is what the spread is
 * meant to show (SCIENCE.md: the T5 fit is weakly determined); converged starts in the same basin agree
 * to ~1e-9, so the tolerance does not admit mere non-convergence.
 */
export const START_SPREAD_TOLERANCE = 1e-4;

/**
 * Min/max of each paper-unit coefficient across converged starts within {@link START_SPREAD_TOLERANCE}
 * of the best loss, how many starts that is, and their coefficients. Empty when no start converged.
 */
export function startSpread(
  results: readonly StartResult[],
  form: LawForm,
  scales: Record<string, number>,
  bestLoss: number,
): { ranges: Record<string, [number, number]>; count: number; sets: Array<Record<string, number>> } {
  const limit = bestLoss + START_SPREAD_TOLERANCE * Math.abs(bestLoss);
  const atBest = results.filter((r) => r.converged && r.f <= limit).map((r) => form.toPaper(r.theta, scales));
  const ranges: Record<string, [number, number]> = {};
  if (atBest.length === 0) return { ranges, count: 0, sets: [] };
  for (const name of form.paramNames) {
    const values = atBest.map((p) => p[name]);
    ranges[name] = [Math.min(...values), Math.max(...values)];
  }
  return { ranges, count: atBest.length, sets: atBest };
}
