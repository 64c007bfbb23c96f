import type { Rng } from '../util/rng.js';
import { exactFitLoss } from './convergence.js';
import type { FormData, LawForm } from './forms/form.js';
import { pickBest, runStarts, type StartResult } from './multistart.js';
import { makeObjective, type Objective } from './objective.js';
import type { FitOptions, LawPoint } from './types.js';

/**
 * BFGS iteration cap per start. Converged starts on the reference data need a few hundred iterations;
 * 2,000 leaves room for ill-conditioned data while bounding a pathological start.
 */
export const DEFAULT_MAX_ITERATIONS = 2000;

/** A multi-start fit in the internal parameterisation. */
export interface CoreFit {
  data: FormData;
  objective: Objective;
  /** The starting points, in order (results[i] ran from starts[i]). */
  starts: Float64Array[];
  results: StartResult[];
  best: StartResult;
}

/** What a core fit needs besides the points. */
export interface CoreSpec {
  form: LawForm;
  options: FitOptions;
  rng: Rng;
  /** Number of fresh starts from the form's start generator. */
  randomStarts: number;
  /** Starts tried first (e.g. the full-data optimum for a bootstrap replicate). */
  warmStarts?: Float64Array[];
  /** Reuse a normalisation, so θ is comparable with another fit's. */
  scalesFrom?: Record<string, number>;
  /** Per-point multiplicities (bootstrap). */
  weights?: Float64Array | null;
}

/** Prepares the data, builds the objective and runs every start. Pure given the rng state. */
export function fitCore(points: readonly LawPoint[], spec: CoreSpec): CoreFit {
  const { form, options } = spec;
  const data = form.prepare(points, spec.scalesFrom);
  const measured = Float64Array.from(points, (p) => p.loss);
  const objective = makeObjective({
    form,
    data,
    measured,
    loss: options.loss,
    delta: options.delta,
    weights: spec.weights ?? null,
  });
  const score = (theta: Float64Array) => objective(theta, null);
  const fresh = spec.randomStarts > 0 ? form.starts(spec.randomStarts, spec.rng, data, score) : [];
  const starts = [...(spec.warmStarts ?? []), ...fresh];
  const results = runStarts(objective, starts, {
    maxIterations: options.maxIterations ?? DEFAULT_MAX_ITERATIONS,
    exactLoss: exactFitLoss(options.delta),
    atBound: (theta) => boundIndices(form, theta, data),
  });
  return { data, objective, starts, results, best: pickBest(results) };
}

/** Indices of θ whose coefficient the form finds at its lower bound 0 on `data`. */
export function boundIndices(form: LawForm, theta: Float64Array, data: FormData): number[] {
  const names = form.atLowerBound(theta, data);
  return form.paramNames.flatMap((name, i) => (names.includes(name) ? [i] : []));
}
