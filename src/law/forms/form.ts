import type { Rng } from '../../util/rng.js';
import type { LawInput, LawPoint } from '../types.js';

/**
 * The data as a form sees it while fitting: inputs turned into normalised features once, so the
 * objective's inner loop is a few exps and multiplies per point.
 */
export interface FormData {
  n: number;
  /** Form-specific feature columns (e.g. log(1 − S), log N', log D'). */
  features: Float64Array[];
  /** The normalisation used, in a form that {@link LawForm.toPaper} needs and a report can print. */
  scales: Record<string, number>;
}

/** Scores a start: the objective value at an internal parameter vector (Infinity if undefined). */
export type StartScorer = (theta: Float64Array) => number;

/**
 * A scaling-law form. Fitting happens in an internal, unconstrained parameterisation θ (logs of the
 * positive coefficients, normalised inputs) where the optimiser is well conditioned; results are
 * reported in paper units through {@link LawForm.toPaper}.
 */
export interface LawForm {
  /** Registry name, equal to the CLI/YAML value. */
  readonly name: string;
  /** One line for `--help` and reports. */
  readonly description: string;
  /** Coefficient names in paper units, in report order. */
  readonly paramNames: readonly string[];
  /** Names of the internal parameters θ (for diagnostics). */
  readonly internalNames: readonly string[];
  /** Default number of optimiser starts. */
  readonly defaultStarts: number;
  /** Predicted loss in paper units. */
  predict(params: Record<string, number>, p: LawInput): number;
  /** Normalises the inputs; `scalesFrom` reuses another fit's normalisation (for holdout/bootstrap). */
  prepare(points: readonly LawPoint[], scalesFrom?: Record<string, number>): FormData;
  /**
   * Predictions at θ into `pred`, and when `jac` is given the Jacobian ∂pred_i/∂θ_j into
   * jac[i·dim + j] (analytic).
   */
  evaluate(theta: Float64Array, data: FormData, pred: Float64Array, jac: Float64Array | null): void;
  /** θ → coefficients in paper units. */
  toPaper(theta: Float64Array, scales: Record<string, number>): Record<string, number>;
  /** Coefficients in paper units → θ (inverse of toPaper). */
  fromPaper(params: Record<string, number>, scales: Record<string, number>): Float64Array;
  /** `count` starting points, deterministic given `rng`; `score` may be used to rank candidates. */
  starts(count: number, rng: Rng, data: FormData, score: StartScorer): Float64Array[];
  /**
   * Paper names of the coefficients that ended at their lower bound 0 (the data do not support that
   * term: it changes no prediction of `data` measurably); used for warnings.
   */
  atLowerBound(theta: Float64Array, data: FormData): string[];
  /**
   * Paper names of exponents that ran off upwards: no prediction of `data` moves measurably when they grow or
   * shrink (e.g. b_S so large that (1 − S)^b_S is 0 at every swept S > 0), so the data do not pin them; empty
   * where the form has no such case.
   */
  runOff?(theta: Float64Array, data: FormData): string[];
  /** Form-specific input checks: throws LawInputError for unusable data, returns warnings. */
  check(points: readonly LawPoint[]): string[];
}
