import type { Rng } from '../util/rng.js';
import { type CoreFit, fitCore } from './fit-core.js';
import type { LawForm } from './forms/form.js';
import { quantile } from './stats.js';
import type { BootstrapReport, FitOptions, LawPoint } from './types.js';
import { checkPointCount } from './validate.js';

/** Two-sided coverage of the percentile intervals: the conventional 95%. */
export const INTERVAL_COVERAGE = 0.95;

/**
 * Default extra starts per replicate besides the warm start (the first starts of the full fit): 2 gives
 * a replicate whose optimum moved to another basin a chance to find it, at an eighth of the cost of 25
 * starts; raise it for multimodal fits.
 */
export const DEFAULT_BOOTSTRAP_STARTS = 2;

/** Bootstrap outcome: bookkeeping, percentile intervals and the converged replicates' coefficients. */
export interface BootstrapResult {
  report: BootstrapReport;
  intervals: Record<string, [number, number]>;
  replicates: Array<Record<string, number>>;
  /** For each replicate, the coefficients its fit left at their lower bound (the form's `atLowerBound`). */
  lowerBounds: string[][];
  /** For each replicate, the exponents that ran off upwards (the form's `runOff`). */
  runOffs: string[][];
}

/** Multinomial resample counts: n draws with replacement from n points. */
function resampleWeights(n: number, rng: Rng): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[rng.int(n)] += 1;
  return w;
}

/** Whether the resampled points still allow the form to be fitted (enough distinct points and levels). */
function usable(points: readonly LawPoint[], weights: Float64Array, form: LawForm): boolean {
  const kept = points.filter((_, i) => weights[i] > 0);
  try {
    checkPointCount(kept.length, form.paramNames.length, form.name);
    form.check(kept);
    return true;
  } catch {
    return false;
  }
}

/**
 * Nonparametric bootstrap (Efron & Tibshirani 1993) of the fit, as Besiroglu et al. 2024
 * (https://arxiv.org/abs/2404.10102) do for Chinchilla: K resamples of the points with replacement (as
 * integer weights on the full data, same normalisation), each refitted from the full-data optimum and the
 * first `bootstrapStarts` starts of the full fit, each checked for convergence. Failures (unusable
 * resample or no converged start) are counted; 95% percentile intervals come from converged replicates
 * only.
 */
export function bootstrapFit(
  points: readonly LawPoint[],
  full: CoreFit,
  form: LawForm,
  options: FitOptions,
  rng: Rng,
): BootstrapResult {
  const replicates: Array<Record<string, number>> = [];
  const lowerBounds: string[][] = [];
  const runOffs: string[][] = [];
  let failed = 0;
  const extraStarts = options.bootstrapStarts ?? DEFAULT_BOOTSTRAP_STARTS;
  for (let r = 0; r < options.bootstrap; r++) {
    const weights = resampleWeights(points.length, rng);
    if (!usable(points, weights, form)) {
      failed++;
      continue;
    }
    const fit = fitCore(points, {
      form,
      options,
      rng,
      randomStarts: 0,
      warmStarts: [full.best.theta, ...full.starts.slice(0, extraStarts)],
      scalesFrom: full.data.scales,
      weights,
    });
    const params = form.toPaper(fit.best.theta, full.data.scales);
    if (!fit.best.converged || !Object.values(params).every(Number.isFinite)) {
      failed++;
      continue;
    }
    replicates.push(params);
    lowerBounds.push(form.atLowerBound(fit.best.theta, fit.data));
    // a replicate whose exponent ran off implies no optimum either (optimumUnsupported takes both lists)
    runOffs.push(form.runOff?.(fit.best.theta, fit.data) ?? []);
  }
  const intervals: Record<string, [number, number]> = {};
  const tail = (1 - INTERVAL_COVERAGE) / 2;
  if (replicates.length > 0) {
    for (const name of form.paramNames) {
      const values = replicates.map((p) => p[name]);
      intervals[name] = [quantile(values, tail), quantile(values, 1 - tail)];
    }
  }
  return {
    report: { requested: options.bootstrap, converged: replicates.length, failed },
    intervals,
    replicates,
    lowerBounds,
    runOffs,
  };
}
