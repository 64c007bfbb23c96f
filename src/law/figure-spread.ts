import { LawInputError } from './errors.js';
import { sparseParams } from './optimal.js';
import { quantile } from './stats.js';
import type { SparseLawParams } from './types.js';

/**
 * Coefficient sets the data support about as well as the fit's own, in paper units: the converged bootstrap
 * replicates (Efron & Tibshirani 1993), and the converged starts whose loss tied with the best one. A figure
 * derived from the coefficients (where sparsity pays, S_opt at a data multiple) is as uncertain as its spread
 * over them, which is often far wider than the coefficients' own intervals suggest, since it combines several
 * weakly determined ones (b_D, a_D, c).
 */
export interface CoefficientSamples {
  bootstrap: Array<Record<string, number>>;
  starts: Array<Record<string, number>>;
  /**
   * Converged replicates already left out of `bootstrap` because their fits imply no optimum (a term the
   * optimum needs at its lower bound): counted in each figure's {@link FigureSpread.replicatesWithout}.
   */
  bootstrapWithout?: number;
  /**
   * Converged replicates whose law is flat in S (`flatInSparsity`): not in `bootstrap`, they count at each figure's
   * limit (`figureSpread`'s `flatLimit`) and in {@link FigureSpread.replicatesFlat}.
   */
  bootstrapFlat?: number;
}

/** A derived figure's spread over {@link CoefficientSamples}. */
export interface FigureSpread {
  /** 95% percentile interval over the bootstrap replicates that imply the figure. */
  interval?: [number, number];
  /** Min and max over the starts tied at the best loss that imply it (present with two or more). */
  starts?: [number, number];
  /**
   * Bootstrap replicates whose coefficients imply no such figure (a coefficient the optimum needs at 0): left
   * out of `interval`, and counted here so a reader knows the interval is of the others.
   */
  replicatesWithout?: number;
  /** Bootstrap replicates whose law is flat in S, counted in `interval` at the figure's limit. */
  replicatesFlat?: number;
}

/** Two-sided coverage of the figures' percentile intervals, as for the coefficients'. */
const COVERAGE = 0.95;

/**
 * The spread of `figure` (computed from sparse-law coefficients) over the samples. `flatLimit` is the figure's
 * value where the law is flat in S (S_opt 0, where sparsity pays ∞, dense-equivalent 1): the samples'
 * `bootstrapFlat` replicates count there; without it they are left out, as `bootstrapWithout` are.
 */
export function figureSpread(
  samples: CoefficientSamples,
  figure: (p: SparseLawParams) => number,
  flatLimit?: number,
): FigureSpread {
  const evaluate = (sets: ReadonlyArray<Record<string, number>>) => {
    const values: number[] = [];
    let without = 0;
    for (const set of sets) {
      let v: number;
      try {
        v = figure(sparseParams(set));
      } catch (e) {
        if (!(e instanceof LawInputError)) throw e;
        v = Number.NaN;
      }
      if (Number.isNaN(v)) without++;
      else values.push(v);
    }
    return { values, without };
  };
  const out: FigureSpread = {};
  const boot = evaluate(samples.bootstrap);
  const flat = samples.bootstrapFlat ?? 0;
  if (flatLimit === undefined) boot.without += flat;
  else if (flat > 0) {
    for (let i = 0; i < flat; i++) boot.values.push(flatLimit);
    out.replicatesFlat = flat;
  }
  if (boot.values.length > 0) {
    const tail = (1 - COVERAGE) / 2;
    out.interval = [safeQuantile(boot.values, tail), safeQuantile(boot.values, 1 - tail)];
  }
  const without = boot.without + (samples.bootstrapWithout ?? 0);
  if (without > 0) out.replicatesWithout = without;
  const starts = evaluate(samples.starts).values;
  if (starts.length > 1) out.starts = [Math.min(...starts), Math.max(...starts)];
  return out;
}

/** {@link quantile} that keeps infinite values (a figure with no finite value in some replicates) exact. */
function safeQuantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  if (h === lo || sorted[lo] === sorted[lo + 1]) return sorted[lo];
  if (!Number.isFinite(sorted[lo]) || !Number.isFinite(sorted[lo + 1])) return sorted[lo + 1];
  return quantile(sorted, q);
}
