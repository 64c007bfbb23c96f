import { fmt, sig } from '../util/format.js';
import { SPARSITY_REACH_TOLERANCE } from './optimal-summary.js';
import type { LawPoint } from './types.js';

/** A query this far beyond the fitted range (or below it) is said to extrapolate. */
const BEYOND = 1.5;

/** Compute of a point as the law counts it: C = 6·N/(1−S)·D. */
const computeOf = (p: LawPoint) => (6 * p.nonzeroParams * p.tokens) / (1 - p.sparsity);

/** "6.1e3× the largest fitted (16k)", or below the smallest; null inside the range (within {@link BEYOND}). */
function reach(value: number, values: readonly number[], what: string): string | null {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  if (value > hi * BEYOND) return `${what} is ${sig(value / hi, 2)}× the largest fitted (${fmt(hi)})`;
  if (value < lo / BEYOND) return `${what} is 1/${sig(lo / value, 2)} of the smallest fitted (${fmt(lo)})`;
  return null;
}

/**
 * How far an `--optimal` query (non-zero parameters N, compute C = 6·N/(1−S)·D) and its answer `sOpt` lie outside
 * the points the law was fitted to, in words ("N is 6.1e3× the largest fitted (16k); C is ...; S_opt is above the
 * largest fitted sparsity (0.875)"), or null when all lie within them: a figure beyond them is an extrapolation of
 * the law's form, which no trial checked.
 */
export function queryExtrapolation(
  q: { N: number; C: number },
  points: readonly LawPoint[],
  sOpt?: number,
): string | null {
  if (points.length === 0) return null;
  const top = Math.max(...points.map((p) => p.sparsity));
  const parts = [
    reach(
      q.N,
      points.map((p) => p.nonzeroParams),
      'N',
    ),
    reach(q.C, points.map(computeOf), 'C'),
    sOpt !== undefined && sOpt > top + SPARSITY_REACH_TOLERANCE
      ? `S_opt is above the largest fitted sparsity (${sig(top, 3)})`
      : null,
  ].filter((x): x is string => x !== null);
  return parts.length > 0 ? parts.join('; ') : null;
}
