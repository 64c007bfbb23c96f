import { sig } from '../util/format.js';
import { MAX_SEED, Rng } from '../util/rng.js';
import { bootstrapFit, DEFAULT_BOOTSTRAP_STARTS } from './bootstrap.js';
import { CONVERGENCE_TOLERANCE, exactFitLoss, NEWTON_STEP_TOLERANCE, newtonStep } from './convergence.js';
import { LawInputError } from './errors.js';
import type { CoefficientSamples } from './figure-spread.js';
import { boundIndices, type CoreFit, DEFAULT_MAX_ITERATIONS, fitCore } from './fit-core.js';
import type { LawForm } from './forms/form.js';
import { getLawForm } from './forms/index.js';
import { holdoutCheck, holdoutCount } from './holdout.js';
import { flatInSparsity, optimumUndetermined, optimumUnsupported, sparseParams } from './optimal.js';
import {
  beyondSparsityWarning,
  extrapolatedOptimumWarning,
  summariseOptimalSparsity,
  weakOptimumWarning,
} from './optimal-summary.js';
import { START_SPREAD_TOLERANCE, startSpread } from './spread.js';
import { finiteOrNull, summariseErrors } from './stats.js';
import type { BootstrapReport, FitOptions, HuberKind, LawFit, LawPoint } from './types.js';
import { checkPointCount, validatePoints } from './validate.js';

/**
 * An RMS miss in log loss above this (10%: trained models of one study sit within a few percent of a law that
 * describes them; the quickstart's 27 tiny trials miss by 3%) says the law's form does not describe the points.
 */
export const POOR_FIT_RMSE_LOG = 0.1;

/** Seed offset of the bootstrap stream, so changing `bootstrap` never changes the main fit's starts. */
const BOOTSTRAP_SEED_OFFSET = 0x9e3779b9;

/**
 * The Huber δ each residual kind takes when none is given: 1e-3 on log loss (Hoffmann et al. 2022, the sparse-law
 * authors' T5 fit) and 0.01 on raw loss (the authors' ViT fit, Frantar et al. 2023, https://arxiv.org/abs/2309.08520).
 */
export function defaultDelta(loss: HuberKind): number {
  return loss === 'huber' ? 0.01 : 1e-3;
}

/**
 * Defaults for language data (SCIENCE.md §1), following Hoffmann et al. 2022
 * (https://arxiv.org/abs/2203.15556) as the sparse-law authors did for T5: Huber on log loss with
 * δ = 1e-3. For vision data the authors used raw loss with δ = 0.01.
 */
export function defaultFitOptions(form: string | LawForm = 'sparse'): FitOptions {
  const f = typeof form === 'string' ? getLawForm(form) : form;
  return {
    loss: 'huber-log', // Chinchilla's choice; robust to a few diverged runs, scale-free across tasks
    delta: defaultDelta('huber-log'), // Chinchilla's δ on log loss: residuals above 0.1% count linearly
    starts: f.defaultStarts, // 25, the authors' number of starts
    seed: 0, // any fixed seed: fits are deterministic given it
    bootstrap: 200, // enough replicates for stable 2.5/97.5 percentiles at a few seconds' cost
    holdout: 0.2, // refit without the largest-N fifth of the points: the paper's extrapolation check
    bootstrapStarts: DEFAULT_BOOTSTRAP_STARTS,
    maxIterations: DEFAULT_MAX_ITERATIONS,
  };
}

/**
 * Most starts and bootstrap replicates a fit takes: far past where more change a figure (the defaults are 50 and
 * 200), and short of what runs for hours or exhausts memory (every start's result is kept).
 */
export const MAX_STARTS = 10_000;
export const MAX_BOOTSTRAP = 10_000;

function requireInteger(value: unknown, name: string, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const bound = max === Number.MAX_SAFE_INTEGER ? ` ≥ ${min}` : ` from ${min} to ${max}`;
    throw new LawInputError(`${name} must be a whole number${bound}; got ${String(value)}`);
  }
}

/**
 * Throws LawInputError naming the first invalid option and what is valid. `names` says how the caller's user
 * writes each option (the CLI: `--starts`); others are named "option <key>".
 */
export function validateFitOptions(
  options: FitOptions,
  names: Partial<Record<keyof FitOptions, string>> = {},
): void {
  const name = (key: keyof FitOptions) => names[key] ?? `option ${key}`;
  if (options.loss !== 'huber-log' && options.loss !== 'huber') {
    throw new LawInputError(`${name('loss')} must be 'huber-log' or 'huber'; got ${String(options.loss)}`);
  }
  if (typeof options.delta !== 'number' || !(options.delta > 0) || !Number.isFinite(options.delta)) {
    throw new LawInputError(`${name('delta')} must be a finite number > 0; got ${String(options.delta)}`);
  }
  requireInteger(options.starts, name('starts'), 1, MAX_STARTS);
  requireInteger(options.seed, name('seed'), 0, MAX_SEED);
  requireInteger(options.bootstrap, name('bootstrap'), 0, MAX_BOOTSTRAP);
  if (options.bootstrapStarts !== undefined)
    requireInteger(options.bootstrapStarts, name('bootstrapStarts'), 0, MAX_STARTS);
  if (options.maxIterations !== undefined) requireInteger(options.maxIterations, name('maxIterations'), 1);
  if (options.holdout !== undefined) {
    try {
      holdoutCount(options.holdout, 1);
    } catch (e) {
      if (!(e instanceof LawInputError) || !names.holdout) throw e;
      throw new LawInputError(`${names.holdout}: ${e.message}`);
    }
  }
}

/** Relative width of the start spread above which starts at the best loss are said to disagree. */
const SPREAD_WARNING = 1e-3;

/** A start that did not converge but ended this far (relative) below the chosen optimum's loss is reported. */
const LOWER_UNCONVERGED = 1e-4;

/**
 * A warning naming the coefficients on which the starts tied at the best loss disagree by more than
 * {@link SPREAD_WARNING} of the fit's value: by a percentage, or as the range where that is many times the
 * value (a coefficient near 0); null when they agree.
 */
export function startDisagreement(
  ranges: Record<string, [number, number]>,
  params: Record<string, number>,
): string | null {
  const loose = Object.entries(ranges)
    .map(([name, [lo, hi]]) => ({ name, lo, hi, width: (hi - lo) / Math.abs(params[name]!) }))
    .filter((c) => c.width > SPREAD_WARNING);
  if (loose.length === 0) return null;
  const list = loose
    .map((c) =>
      c.width > 100
        ? `${c.name} from ${sig(c.lo, 3)} to ${sig(c.hi, 3)}`
        : `${c.name} by ${Number((100 * c.width).toPrecision(2))}%`,
    )
    .join(', ');
  return `starts reaching the best loss disagree on ${list}: weakly determined (see the "across best starts" column)`;
}

/** A coefficient the form finds at its lower bound, below which it reads as 0 in words. */
const READS_AS_ZERO = 1e-6;

/**
 * The warning for a coefficient the form finds at its lower bound 0: judged on the data (its term changes no
 * prediction measurably), not on its value, so a coefficient can be there at a large value when what multiplies
 * it is small at every point (c_S at 1.5e11 beside N^(−b_N) = 1e-14). That value is then not a measurement: the
 * warning gives it and says so, rather than call it 0.
 */
export function lowerBoundWarning(name: string, value: number | undefined): string {
  if (value === undefined || !(Math.abs(value) >= READS_AS_ZERO))
    return `${name} is at its lower bound 0: the data do not support that term`;
  return (
    `${name} is at its lower bound 0 in effect: its term changes no prediction by more than 0.1% on these points, ` +
    `so the data do not support that term, and the value it ended at (${value.toExponential(2)}) is not determined ` +
    'by them (0 fits them as well); figures derived from it are not either: read them with their bootstrap ranges'
  );
}

/** Warnings about the optimum: convergence, exact fit, coefficients at a bound, disagreeing starts. */
function optimumWarnings(
  core: CoreFit,
  form: LawForm,
  options: FitOptions,
  step: number | null,
  spread: { ranges: Record<string, [number, number]> },
  atLowerBound: readonly string[],
  runOff: readonly string[],
): string[] {
  const { best, results } = core;
  const out: string[] = [];
  const converged = results.filter((r) => r.converged).length;
  if (!best.converged) {
    const stepText = step === null ? 'Hessian not positive definite' : step.toExponential(2);
    out.push(
      `fit did not converge: none of ${results.length} starts reached scaled gradient ≤ ${CONVERGENCE_TOLERANCE} ` +
        `or Newton step ≤ ${NEWTON_STEP_TOLERANCE} (best: ${best.scaledGrad.toExponential(2)}, ${stepText}); ` +
        'the coefficients are not an optimum',
    );
  } else if (converged < results.length / 2) {
    out.push(`only ${converged} of ${results.length} starts converged`);
  }
  // the best is chosen among converged starts: say when one that did not converge got clearly lower
  const lower = results.filter((r) => !r.converged && r.f < best.f * (1 - LOWER_UNCONVERGED));
  if (best.converged && lower.length > 0) {
    const least = Math.min(...lower.map((r) => r.f));
    out.push(
      `${lower.length} ${lower.length === 1 ? 'start that did not converge' : 'starts that did not converge'} reached a lower loss (down to ${least.toExponential(3)}, against ${best.f.toExponential(3)}): a better optimum may exist that the fit could not confirm; try more --starts`,
    );
  }
  if (best.f <= exactFitLoss(options.delta)) {
    out.push('the data are fitted exactly (residuals at rounding level): noise-free or synthetic data?');
  }
  const paper = form.toPaper(best.theta, core.data.scales);
  for (const name of atLowerBound) out.push(lowerBoundWarning(name, paper[name]));
  for (const name of runOff) {
    out.push(
      `${name} ran off to ${paper[name].toExponential(2)}: no prediction moves when it changes, so the data do not pin it`,
    );
  }
  const disagreement = startDisagreement(spread.ranges, paper);
  if (disagreement) out.push(disagreement);
  return out;
}

/**
 * Below this many converged replicates, the 2.5% and 97.5% percentiles rest on the one or two most extreme of them:
 * rough ends, and on average too narrow.
 */
export const FEW_REPLICATES = 40;

/**
 * The bootstrap intervals worth reporting: none when fewer than half the replicates (or fewer than 2)
 * converged, since those few are a selection rather than a sample of the resampling distribution, with a
 * warning; otherwise the converged replicates' intervals, with a warning when more than 5% failed, and one when
 * fewer than {@link FEW_REPLICATES} converged.
 */
export function reportableIntervals(
  report: BootstrapReport,
  intervals: Record<string, [number, number]>,
): { intervals: Record<string, [number, number]>; warnings: string[] } {
  const { converged, requested, failed } = report;
  if (converged < Math.max(2, Math.ceil(requested / 2)))
    return {
      intervals: {},
      warnings: [
        `only ${converged} of ${requested} bootstrap replicates converged (the others: unusable resample or no converged start): too few for intervals (at least half are needed), so none are reported`,
      ],
    };
  const warnings: string[] = [];
  if (failed > 0.05 * requested)
    warnings.push(
      `${failed} of ${requested} bootstrap replicates failed (unusable resample or no converged start); intervals use the converged ones only`,
    );
  if (converged < FEW_REPLICATES)
    warnings.push(
      `the 95% intervals come from ${converged} bootstrap replicates: their ends rest on the one or two most extreme, so they are rough and tend to be too narrow; --bootstrap 200 (the default) gives stable ones`,
    );
  return { intervals, warnings };
}

/**
 * Adds bootstrap intervals and the held-out check to `fit` when the options ask for them. Returns the converged
 * replicates' coefficients, with the coefficients each left at its lower bound, when their intervals are
 * reported (else none).
 */
function addUncertainty(
  fit: LawFit,
  points: readonly LawPoint[],
  core: CoreFit,
  form: LawForm,
  options: FitOptions,
): { replicates: Array<Record<string, number>>; lowerBounds: string[][]; runOffs: string[][] } {
  let replicates: Array<Record<string, number>> = [];
  let lowerBounds: string[][] = [];
  let runOffs: string[][] = [];
  if (options.bootstrap > 0) {
    const boot = bootstrapFit(
      points,
      core,
      form,
      options,
      Rng.seeded((options.seed + BOOTSTRAP_SEED_OFFSET) % (MAX_SEED + 1)),
    );
    fit.bootstrap = boot.report;
    const { intervals, warnings } = reportableIntervals(boot.report, boot.intervals);
    fit.intervals = intervals;
    if (Object.keys(intervals).length > 0) ({ replicates, lowerBounds, runOffs } = boot);
    fit.warnings.push(...warnings);
  }
  if ((options.holdout ?? 0) > 0) {
    fit.holdout = holdoutCheck(points, form, options);
    if (fit.holdout.error !== undefined) fit.warnings.push(`held-out check skipped: ${fit.holdout.error}`);
    else if (!fit.holdout.converged) fit.warnings.push('the held-out refit did not converge');
    // a whole model size is held out at once: with few sizes that is far more than the fraction asked for
    const h = fit.holdout;
    if (h.error === undefined && h.n_heldout > points.length / 3)
      fit.warnings.push(
        `the held-out check held out ${h.n_heldout} of the ${points.length} points (a model size is held out whole, never split): the refit sees ${h.n_train} points of the smaller sizes only, so read its miss as a rough check; more model sizes make it a fairer one`,
      );
  }
  return { replicates, lowerBounds, runOffs };
}

/**
 * A warning when starts that tied at the best loss reach coefficient values outside their bootstrap intervals:
 * each replicate is refitted from near this fit's optimum, so on a flat ridge of equally good fits the intervals
 * stay near the point the full fit chose and understate the uncertainty. Names the coefficients and both ranges.
 */
export function spreadBeyondIntervals(
  fit: Pick<LawFit, 'startSpread' | 'intervals' | 'startsAtBest'>,
): string | null {
  if (fit.startsAtBest < 2) return null; // one start is a point, not a spread
  const beyond = Object.entries(fit.startSpread).filter(([name, [lo, hi]]) => {
    const interval = fit.intervals[name];
    if (interval === undefined) return false;
    // beyond by more than 0.1% of the values' scale: relative to each end alone, an interval whose lower end
    // is near 0 (1e-87) would count any start at 0 as outside it
    const tol = 1e-3 * Math.max(Math.abs(interval[0]), Math.abs(interval[1]), Math.abs(lo), Math.abs(hi));
    return lo < interval[0] - tol || hi > interval[1] + tol;
  });
  if (beyond.length === 0) return null;
  const r = ([lo, hi]: [number, number]) => `${lo.toPrecision(3)} to ${hi.toPrecision(3)}`;
  const named = beyond.map(([name, s]) => `${name} ${r(s)} (bootstrap ${r(fit.intervals[name])})`).join(', ');
  return `starts tied at the best loss reach values outside the bootstrap intervals: ${named}; the intervals are narrower than the uncertainty, so read those coefficients as the wider range`;
}

/**
 * The optimal-sparsity figures of a sparse fit with their spread over the bootstrap replicates and the starts
 * tied at the best loss, and a warning when that spread is wide; nothing for a fit that did not converge, or
 * when a term the optimum needs is at its lower bound (the fit implies no optimum: see {@link optimumUnsupported}),
 * or when the points cannot determine it ({@link optimumUndetermined}).
 */
function addOptimum(
  fit: LawFit,
  points: readonly LawPoint[],
  samples: CoefficientSamples,
  queries: readonly { N: number; C: number }[],
): void {
  // a fit that did not converge reports no figure: its coefficients are where the optimiser stopped
  if (
    fit.form !== 'sparse' ||
    !fit.converged ||
    fit.optimumUndetermined ||
    optimumUnsupported(fit.atLowerBound ?? [], fit.runOff ?? [])
  )
    return;
  const params = sparseParams(fit);
  fit.optimal = summariseOptimalSparsity(params, undefined, undefined, samples, queries);
  const beyond = extrapolatedOptimumWarning(params, points);
  if (beyond) fit.warnings.push(beyond);
  const aboveFitted = beyondSparsityWarning(fit.optimal, points);
  if (aboveFitted) fit.warnings.push(aboveFitted);
  const weak = weakOptimumWarning(fit.optimal);
  if (weak) fit.warnings.push(weak);
}

/**
 * Whether points can be fitted by a form, checked before any fitting: throws LawInputError for unusable
 * points (see validate.ts and the form's `check`), else returns the warnings the input gives.
 */
export function checkLawInput(points: readonly LawPoint[], formName: string): string[] {
  const form = getLawForm(formName);
  validatePoints(points);
  return [...checkPointCount(points.length, form.paramNames.length, form.name), ...form.check(points)];
}

/**
 * Fits a scaling law to measured runs: mean Huber loss, inputs normalised, analytic gradients, BFGS
 * (Nocedal & Wright Alg. 6.1) from `starts` starts, keeping the best converged one, as Frantar et al.
 * 2023 (https://arxiv.org/abs/2309.08520) did for the sparse law, with the checks Besiroglu et al.
 * 2024 (https://arxiv.org/abs/2404.10102) found necessary: convergence judged by the scaled gradient
 * (or the Newton step where rounding stops the line search; see convergence.ts), every bootstrap
 * replicate checked. Deterministic for a seed. When `converged` is false the coefficients are where
 * the optimiser stopped, not an optimum: show them only with the warning.
 *
 * `queries` (`fit-law --optimal`): S_opt at these non-zero parameters N and compute C, in `optimal.queries` with
 * their spread, for a fit that implies an optimum.
 *
 * @throws LawInputError for unusable input (see validate.ts and the form's `check`).
 */
export function fitLaw(
  points: readonly LawPoint[],
  formName: string,
  options: FitOptions,
  queries: readonly { N: number; C: number }[] = [],
): LawFit {
  const form = getLawForm(formName);
  validateFitOptions(options);
  const warnings = checkLawInput(points, formName);

  const core = fitCore(points, {
    form,
    options,
    rng: Rng.seeded(options.seed),
    randomStarts: options.starts,
  });
  const { best } = core;
  const params = form.toPaper(best.theta, core.data.scales);
  const residuals = points.map((p) => ({
    ...(p.id === undefined ? {} : { id: p.id }),
    predicted: form.predict(params, p),
    measured: p.loss,
  }));
  const errors = summariseErrors(residuals);
  const spread = startSpread(core.results, form, core.data.scales, best.f);
  const step =
    best.newtonStep === undefined
      ? newtonStep(core.objective, best.theta, boundIndices(form, best.theta, core.data))
      : best.newtonStep;

  if (errors.rmse_log > POOR_FIT_RMSE_LOG)
    warnings.push(
      `the law misses these points by ${errors.rmse_log.toPrecision(3)} RMS in log loss (a factor of ${Math.exp(errors.rmse_log).toPrecision(3)} on a typical point): its form does not describe them, so its coefficients and the figures derived from them mean little; check the points (units, a failed or diverged trial) before reading them`,
    );
  const atLowerBound = form.atLowerBound(best.theta, core.data);
  const runOff = form.runOff?.(best.theta, core.data) ?? [];
  warnings.push(...optimumWarnings(core, form, options, step, spread, atLowerBound, runOff));

  const fit: LawFit = {
    form: form.name,
    params,
    intervals: {},
    startSpread: spread.ranges,
    startSpreadTolerance: START_SPREAD_TOLERANCE,
    startsAtBest: spread.count,
    loss: best.f,
    rmse_log: errors.rmse_log,
    rmse: errors.rmse,
    n_points: points.length,
    converged: best.converged,
    gradNorm: finiteOrNull(best.scaledGrad),
    gradTolerance: CONVERGENCE_TOLERANCE,
    newtonStep: step === null ? null : finiteOrNull(step),
    newtonStepTolerance: NEWTON_STEP_TOLERANCE,
    startsConverged: core.results.filter((r) => r.converged).length,
    startsTotal: core.results.length,
    objective: { loss: options.loss, delta: options.delta },
    normalisation: core.data.scales,
    seed: options.seed,
    residuals,
    warnings,
    atLowerBound,
    runOff,
    optimumUndetermined: form.name === 'sparse' ? optimumUndetermined(points) : null,
  };

  // a pointer to the starts' column where it shows nothing (fewer than two starts tied at the best loss) says so
  if (Object.keys(fit.startSpread).length === 0)
    fit.warnings = fit.warnings.map((w) =>
      w.replace(
        '(see the "across best starts" column)',
        '(fewer than two starts reached the best loss, so the "across best starts" column cannot show it)',
      ),
    );
  const { replicates, lowerBounds, runOffs } = addUncertainty(fit, points, core, form, options);
  const outside = spreadBeyondIntervals(fit);
  if (outside) fit.warnings.push(outside);
  // replicates whose law is flat in S count at the figures' limits (sparsity never pays there); those that imply
  // no optimum otherwise (another term at its bound, an exponent run off) are left out of the intervals, and counted
  const implying = replicates.filter((_, i) => optimumUnsupported(lowerBounds[i], runOffs[i]) === null);
  const flat = replicates.filter((_, i) => flatInSparsity(lowerBounds[i], runOffs[i])).length;
  addOptimum(
    fit,
    points,
    {
      bootstrap: implying,
      starts: spread.sets,
      bootstrapFlat: flat,
      bootstrapWithout: replicates.length - implying.length - flat,
    },
    queries,
  );
  return fit;
}
