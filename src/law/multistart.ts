import { bfgs, type StopReason } from './bfgs.js';
import {
  CONVERGENCE_TOLERANCE,
  NEWTON_STEP_TOLERANCE,
  newtonStep,
  OPTIMISER_TOLERANCE,
  scaledGradient,
  stalledAtBound,
} from './convergence.js';
import type { Objective } from './objective.js';

/** One optimiser run from one start. */
export interface StartResult {
  theta: Float64Array;
  f: number;
  /** Scaled gradient at the end (see convergence.ts). */
  scaledGrad: number;
  /** Newton step at the end; computed only when the scaled gradient alone does not settle convergence. */
  newtonStep?: number | null;
  converged: boolean;
  /** Indices of θ at their bound where F would fall off it (see {@link stalledAtBound}): not converged. */
  stalled?: number[];
  reason: StopReason;
  iterations: number;
}

/** Options shared by every start of a fit. */
export interface MultiStartOptions {
  maxIterations: number;
  /** F below which the fit is exact (see {@link exactFitLoss}). */
  exactLoss: number;
  /** Indices of θ whose coefficient is at its lower bound at θ (the form's `atLowerBound`); judged apart. */
  atBound?: (theta: Float64Array) => number[];
}

/** Runs BFGS from each start and judges each end point (scaled gradient, else Newton step). */
export function runStarts(
  objective: Objective,
  starts: Float64Array[],
  options: MultiStartOptions,
): StartResult[] {
  const measure = (f: number, g: Float64Array) => scaledGradient(f, g, options.exactLoss);
  return starts.map((x0) => {
    const r = bfgs(objective, x0, {
      stopMeasure: measure,
      stopTolerance: OPTIMISER_TOLERANCE,
      maxIterations: options.maxIterations,
    });
    const finite = r.x.every(Number.isFinite) && Number.isFinite(r.f);
    // coordinates at their bound are left out of both tests (see convergence.ts)
    const atBound = finite ? (options.atBound?.(r.x) ?? []) : [];
    const scaledGrad = scaledGradient(r.f, r.g, options.exactLoss, atBound);
    // a coordinate left out as at its bound must hold the optimum there: F may not fall off it
    const stalled = finite && r.f > options.exactLoss ? stalledAtBound(r.f, r.g, r.x, atBound) : [];
    const result: StartResult = {
      theta: r.x,
      f: r.f,
      scaledGrad,
      converged: finite && stalled.length === 0 && scaledGrad <= CONVERGENCE_TOLERANCE,
      ...(stalled.length > 0 ? { stalled } : {}),
      reason: r.reason,
      iterations: r.iterations,
    };
    if (finite && stalled.length === 0 && !result.converged) {
      result.newtonStep = newtonStep(objective, r.x, atBound);
      result.converged = result.newtonStep !== null && result.newtonStep <= NEWTON_STEP_TOLERANCE;
    }
    return result;
  });
}

/** The converged start with the lowest loss; if none converged, the lowest-loss start (flagged). */
export function pickBest(results: readonly StartResult[]): StartResult {
  const pool = results.some((r) => r.converged) ? results.filter((r) => r.converged) : results;
  let best = pool[0];
  if (best === undefined) throw new Error('pickBest: no starts');
  for (const r of pool) if (r.f < best.f) best = r;
  return best;
}
