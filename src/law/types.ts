import type { FigureSpread } from './figure-spread.js';
/** One measured run. N = non-zero parameters excluding embeddings; D = tokens (or images); loss > 0. */
export interface LawPoint {
  /** Sparsity of the pruned layers, in [0, 1). */
  sparsity: number;
  /** N: non-zero parameters, embeddings excluded (the paper's convention). */
  nonzeroParams: number;
  /** D: training tokens (language) or images seen (vision). */
  tokens: number;
  /** Final validation loss, > 0. */
  loss: number;
  /** Optional label (trial id) carried into residuals. */
  id?: string;
  /**
   * The model size the point belongs to, when known (a sweep's N target): the held-out check keeps points of
   * one size together by it, where measured N differ slightly between dense and sparse models.
   */
  sizeGroup?: number;
}

/** The inputs a law predicts from. */
export type LawInput = Pick<LawPoint, 'sparsity' | 'nonzeroParams' | 'tokens'>;

/** Which residual the Huber loss sees: log(predicted) − log(measured), or predicted − measured. */
export type HuberKind = 'huber-log' | 'huber';

/** Options of {@link fitLaw}; {@link defaultFitOptions} gives the documented defaults. */
export interface FitOptions {
  /** Residual space of the Huber loss. */
  loss: HuberKind;
  /** Huber threshold δ, in the units of the residual (log loss or raw loss). */
  delta: number;
  /** Number of optimiser starts (random starts for 'sparse', best grid points for 'chinchilla'). */
  starts: number;
  /** Seed of every random choice (starts, bootstrap resamples). Same seed, same fit. */
  seed: number;
  /** Bootstrap replicates for percentile intervals; 0 disables. */
  bootstrap: number;
  /**
   * Largest-N points held out for the extrapolation check: a fraction in (0, 1) or a count ≥ 1;
   * 0 or absent disables.
   */
  holdout?: number;
  /** Extra random starts per bootstrap replicate, besides the warm start from the full-data fit. */
  bootstrapStarts?: number;
  /** Iteration cap of each BFGS run. */
  maxIterations?: number;
}

/** The sparse law's coefficients in paper units (N in parameters, D as given). */
export interface SparseLawParams {
  a_S: number;
  b_S: number;
  c_S: number;
  b_N: number;
  a_D: number;
  b_D: number;
  c: number;
}

/** The Chinchilla law's coefficients: L = E + A/N^alpha + B/D^beta. */
export interface ChinchillaParams {
  E: number;
  A: number;
  B: number;
  alpha: number;
  beta: number;
}

/** One point's fit: prediction and measurement in loss units. */
export interface Residual {
  id?: string;
  predicted: number;
  measured: number;
}

/** Result of refitting without the largest-N points and predicting them. */
export interface HoldoutReport {
  n_heldout: number;
  n_train: number;
  /** Smallest N among the held-out points: everything at or above it was held out. */
  heldout_min_nonzero_params: number;
  /** Whether the refit converged; when false the errors below are reported but not trustworthy. */
  converged: boolean;
  /** RMSE of log(predicted) − log(measured) over the held-out points; null when the refit failed. */
  rmse_log: number | null;
  /** Largest |predicted/measured − 1| over the held-out points; null when the refit failed. */
  max_abs_rel_error: number | null;
  /** Mean |predicted/measured − 1| over the held-out points; null when the refit failed. */
  mean_abs_rel_error: number | null;
  /** The refit's coefficients (paper units); empty when it failed. */
  params: Record<string, number>;
  residuals: Residual[];
  /** Why the check could not run (e.g. too few points left), when it could not. */
  error?: string;
}

/** Bootstrap bookkeeping: every replicate is checked for convergence and counted. */
export interface BootstrapReport {
  requested: number;
  converged: number;
  failed: number;
}

/** Optimal-sparsity summary of a sparse fit (see {@link summariseOptimalSparsity}). */
export interface OptimalSparsitySummary {
  /** Multiple of the dense compute-optimal data at which S_opt becomes > 0 (independent of N). */
  data_multiple_where_sparsity_pays: number;
  /** Its spread over the bootstrap replicates and tied starts (absent in fits stored before it was kept). */
  pays?: FigureSpread;
  /** S_opt at selected multiples of the dense compute-optimal data, each with its spread. */
  at_data_multiples: Array<{ data_multiple: number; sparsity: number } & FigureSpread>;
  /** Equivalent dense size factor at selected sparsities, each with its spread. */
  dense_equivalent: Array<{ sparsity: number; factor: number } & FigureSpread>;
  /** S_opt at the non-zero parameters N and compute C asked for (`fit-law --optimal`), each with its spread. */
  queries?: Array<{ nonzero_params: number; compute: number; sparsity: number } & FigureSpread>;
}

/** A fitted law: plain JSON (no functions; null instead of NaN/Infinity). */
export interface LawFit {
  form: string;
  /** Coefficients in paper units; sparse form: exactly a_S, b_S, c_S, b_N, a_D, b_D, c. */
  params: Record<string, number>;
  /** 95% bootstrap percentile intervals from converged replicates; {} when bootstrap = 0. */
  intervals: Record<string, [number, number]>;
  /** Min/max of each coefficient across converged starts whose loss is within startSpreadTolerance. */
  startSpread: Record<string, [number, number]>;
  /** Relative loss tolerance defining "reached the best loss" for startSpread. */
  startSpreadTolerance: number;
  /** Number of converged starts inside that tolerance. */
  startsAtBest: number;
  /** Mean Huber loss at the optimum (the objective minimised). */
  loss: number;
  rmse_log: number;
  rmse: number;
  n_points: number;
  /**
   * True when the best start's scaled gradient is ≤ gradTolerance, or its Hessian is positive definite
   * and its Newton step ≤ newtonStepTolerance (see convergence.ts).
   */
  converged: boolean;
  /** max |∂F/∂θ| / F at the optimum, θ the internal (log) parameters; null if not finite. */
  gradNorm: number | null;
  gradTolerance: number;
  /** max |H⁻¹∇F| in θ: relative distance of the coefficients from the local optimum; null if H is not PD. */
  newtonStep: number | null;
  newtonStepTolerance: number;
  startsConverged: number;
  startsTotal: number;
  /** The objective: residual space and δ. */
  objective: { loss: HuberKind; delta: number };
  /** Internal input normalisation (see the form's documentation). */
  normalisation: Record<string, number>;
  seed: number;
  bootstrap?: BootstrapReport;
  holdout?: HoldoutReport;
  residuals: Residual[];
  warnings: string[];
  /** Paper names of the coefficients that ended at their lower bound 0 (absent in fits stored before it was kept). */
  atLowerBound?: string[];
  /** Paper names of the exponents that ran off upwards, unpinned by the data (absent in fits stored before it was kept). */
  runOff?: string[];
  /**
   * Why the points cannot determine the optimal sparsity (too few sparsity levels or data sizes for the terms it
   * trades), or null; sparse form only (absent in fits stored before it was kept).
   */
  optimumUndetermined?: string | null;
  optimal?: OptimalSparsitySummary;
}
