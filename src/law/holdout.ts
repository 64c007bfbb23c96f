import { fmt } from '../util/format.js';
import { Rng } from '../util/rng.js';
import { LawInputError } from './errors.js';
import { fitCore } from './fit-core.js';
import type { LawForm } from './forms/form.js';
import { finiteOrNull, summariseErrors } from './stats.js';
import type { FitOptions, HoldoutReport, LawPoint } from './types.js';
import { checkPointCount, SAME_SIZE_TOLERANCE } from './validate.js';

/**
 * How many points a `holdout` option asks for: a fraction in (0, 1) of n (rounded up), or a count.
 * Throws LawInputError for anything else.
 */
export function holdoutCount(holdout: number, n: number): number {
  if (!Number.isFinite(holdout) || holdout < 0) {
    throw new LawInputError(`holdout must be 0, a fraction in (0, 1) or a whole count ≥ 1; got ${holdout}`);
  }
  if (holdout === 0) return 0;
  if (holdout < 1) return Math.ceil(holdout * n);
  if (!Number.isInteger(holdout)) {
    throw new LawInputError(`holdout ≥ 1 must be a whole number of points; got ${holdout}`);
  }
  return holdout;
}

/**
 * Indices of the points held out: the `count` largest-N points, extended to every point of the same model
 * size as the smallest of them, so a model size is never split between training and held-out sets. A size
 * is a point's `sizeGroup` (a sweep's N target) when the points have one, else N within
 * {@link SAME_SIZE_TOLERANCE} below the smallest held-out N.
 */
export function heldOutIndices(points: readonly LawPoint[], count: number): number[] {
  if (count <= 0) return [];
  const grouped = points.every((p) => p.sizeGroup !== undefined);
  const size = (p: LawPoint) => (grouped ? (p.sizeGroup as number) : p.nonzeroParams);
  const order = points.map((_, i) => i).sort((a, b) => size(points[b]) - size(points[a]));
  const smallest = size(points[order[Math.min(count, order.length) - 1]]);
  const cutoff = grouped ? smallest : smallest * (1 - SAME_SIZE_TOLERANCE);
  return order.filter((i) => size(points[i]) >= cutoff).sort((a, b) => a - b);
}

/** The points a `holdout` option holds out (`test`: see {@link heldOutIndices}) and those left to refit on. */
export function holdoutSplit(
  points: readonly LawPoint[],
  holdout: number,
): { test: LawPoint[]; train: LawPoint[] } {
  const held = new Set(heldOutIndices(points, holdoutCount(holdout, points.length)));
  return { test: points.filter((_, i) => held.has(i)), train: points.filter((_, i) => !held.has(i)) };
}

/**
 * Why a fit of `form` cannot run on `train` (too few points for it, or points it rejects), in words, or null
 * when it can.
 */
export function refitProblem(train: readonly LawPoint[], form: LawForm): string | null {
  try {
    checkPointCount(train.length, form.paramNames.length, form.name);
    form.check(train);
    return null;
  } catch (e) {
    return e instanceof LawInputError ? e.message : String(e);
  }
}

function failed(nHeld: number, nTrain: number, minN: number, error: string): HoldoutReport {
  return {
    n_heldout: nHeld,
    n_train: nTrain,
    heldout_min_nonzero_params: minN,
    converged: false,
    rmse_log: null,
    max_abs_rel_error: null,
    mean_abs_rel_error: null,
    params: {},
    residuals: [],
    error,
  };
}

/**
 * The extrapolation check of Frantar et al. 2023 (https://arxiv.org/abs/2309.08520, §3: fit on smaller
 * models, predict a larger one) and Hoffmann et al. 2022: refit without the largest-N points (same
 * options and seed, no bootstrap) and report the error predicting them. Never throws for data reasons;
 * a refit that cannot run is reported with `error`.
 */
export function holdoutCheck(points: readonly LawPoint[], form: LawForm, options: FitOptions): HoldoutReport {
  const { test, train } = holdoutSplit(points, options.holdout ?? 0);
  const minN = Math.min(...test.map((p) => p.nonzeroParams));
  const problem = refitProblem(train, form);
  if (problem !== null)
    return failed(
      test.length,
      train.length,
      minN,
      `cannot refit without the ${test.length} largest-N points: of the ${train.length} left (N < ${fmt(minN)}), ${problem}`,
    );
  const fit = fitCore(train, { form, options, rng: Rng.seeded(options.seed), randomStarts: options.starts });
  const params = form.toPaper(fit.best.theta, fit.data.scales);
  const residuals = test.map((p) => ({
    ...(p.id === undefined ? {} : { id: p.id }),
    predicted: form.predict(params, p),
    measured: p.loss,
  }));
  // a refit whose coefficient overflowed (a_D → ∞ with b_D → 0) predicts NaN: that is no check at all, and its
  // missing errors must not read as a passed one
  const offLimits = Object.entries(params)
    .filter(([, v]) => !Number.isFinite(v))
    .map(([k]) => k);
  if (offLimits.length > 0 || residuals.some((r) => !Number.isFinite(r.predicted)))
    return failed(
      test.length,
      train.length,
      minN,
      `the refit without the ${test.length} largest-N points predicts no finite loss for them` +
        (offLimits.length > 0
          ? `: ${offLimits.join(', ')} ${offLimits.length === 1 ? 'is' : 'are'} not finite, the refit ran off`
          : ''),
    );
  const errors = summariseErrors(residuals);
  return {
    n_heldout: test.length,
    n_train: train.length,
    heldout_min_nonzero_params: minN,
    converged: fit.best.converged,
    rmse_log: finiteOrNull(errors.rmse_log),
    max_abs_rel_error: finiteOrNull(errors.max_abs_rel_error),
    mean_abs_rel_error: finiteOrNull(errors.mean_abs_rel_error),
    params,
    residuals,
  };
}
