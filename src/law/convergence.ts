import { choleskySolve, finiteDifferenceHessian } from './linalg.js';
import type { Objective } from './objective.js';

/*
 * Convergence is judged from the gradient relative to the objective, never from "the optimiser
 * returned" (Besiroglu et al. 2024, https://arxiv.org/abs/2404.10102). Two measures, θ being the
 * internal log-parameters (so a unit of θ is an e-fold change of a coefficient):
 *
 * - the scaled gradient max_j |∂F/∂θ_j| / F: unaffected by multiplying F by a constant (mean vs. sum,
 *   δ = 1e-3 vs. 1e-2), which is what makes a mean Huber loss with δ = 1e-3 safe, where an absolute
 *   tolerance such as scipy's gtol = 1e-5 is met at the start;
 * - the Newton step max_j |(H⁻¹∇F)_j| with H the Hessian (central differences of the analytic
 *   gradient): how far, relatively, each coefficient still is from the local optimum.
 *
 * A start is converged when the scaled gradient is ≤ CONVERGENCE_TOLERANCE, or when H is positive
 * definite and the Newton step is ≤ NEWTON_STEP_TOLERANCE. The second test is needed because rounding
 * in F (~1e-13 relative) stops any line search once the remaining decrease is below it; along stiff
 * directions (eigenvalues of H/F up to ~3e4 on the reference data) that leaves scaled gradients of up
 * to ~1e-4 at points whose coefficients are within 1e-6 of the optimum.
 */

/**
 * Scaled-gradient tolerance: at the optimum of the reference fits the weakest direction of H/F has
 * eigenvalue ~0.04, so 1e-5 leaves at most ~3e-4 relative error in any coefficient.
 */
export const CONVERGENCE_TOLERANCE = 1e-5;

/** Newton-step tolerance: every coefficient within 1e-4 (relative) of the local optimum, 4 digits. */
export const NEWTON_STEP_TOLERANCE = 1e-4;

/** BFGS keeps going to this scaled gradient, or until the line search can no longer decrease F. */
export const OPTIMISER_TOLERANCE = 1e-11;

/**
 * Below this root-mean-square residual relative to δ the data are fitted exactly (noise-free data):
 * F is then at rounding level and a relative gradient is meaningless, so the fit counts as converged.
 */
export const EXACT_FIT_RELATIVE_RMS = 1e-10;

/** F at which the fit counts as exact for a Huber threshold δ (quadratic branch: F = mean r² / 2). */
export function exactFitLoss(delta: number): number {
  const rms = EXACT_FIT_RELATIVE_RMS * delta;
  return 0.5 * rms * rms;
}

/**
 * The scaled gradient (see module doc) over the coordinates not in `atBound`; 0 for an exact fit, Infinity where
 * F or ∇F is not finite. `atBound`: indices of θ whose coefficient is at its lower bound 0 (θ → −∞, where the
 * optimum lies on the bound and F still falls, ever more slowly, along that coordinate: judged by the others).
 */
export function scaledGradient(
  f: number,
  g: Float64Array,
  exactLoss: number,
  atBound: readonly number[] = [],
): number {
  if (!Number.isFinite(f)) return Number.POSITIVE_INFINITY;
  if (f <= exactLoss) return 0;
  let m = 0;
  for (let i = 0; i < g.length; i++) {
    if (atBound.includes(i)) continue;
    const a = Math.abs(g[i]);
    if (!Number.isFinite(a)) return Number.POSITIVE_INFINITY;
    m = Math.max(m, a);
  }
  return m / f;
}

/**
 * Relative fall of F per unit of a coefficient at its lower bound above which the bound is not the optimum along
 * it: F would fall by leaving it. At a true bound optimum ∂F/∂p ≥ 0 (Karush-Kuhn-Tucker), and a term the data
 * ignore gives ∂F/∂p ≈ 0 to rounding (~1e-10 relative).
 */
export const BOUND_GRADIENT_TOLERANCE = 1e-6;

/**
 * The coordinates of `atBound` where F falls as the coefficient grows off its bound: (∂F/∂θ_k)/(p_k·F) =
 * (∂F/∂p_k)/F below −{@link BOUND_GRADIENT_TOLERANCE}, θ_k = log p_k. There the optimiser stalled (a step in θ
 * moves p_k by next to nothing while it is tiny) rather than found the optimum on the bound, and the point is not
 * converged, however small its scaled gradient: leaving those coordinates out of the tests is only right where
 * the bound holds the optimum.
 */
export function stalledAtBound(
  f: number,
  g: Float64Array,
  theta: Float64Array,
  atBound: readonly number[],
): number[] {
  if (!(f > 0)) return [];
  return atBound.filter((k) => g[k] / (Math.exp(theta[k]) * f) < -BOUND_GRADIENT_TOLERANCE);
}

/**
 * max_j |(H⁻¹∇F)_j| at θ (see the module comment) over the coordinates not in `atBound`, with those held where
 * they are: near the bound F ≈ F₀ + k·e^θ along such a coordinate, so its own Newton step is ≈ 1 however
 * close the others are to their optimum, and counting it would fail every fit with a term at its bound. Null
 * where the Hessian of the free coordinates is not positive definite (saddle, flat direction) or not finite.
 */
export function newtonStep(
  objective: Objective,
  theta: Float64Array,
  atBound: readonly number[] = [],
): number | null {
  const g = new Float64Array(theta.length);
  if (!Number.isFinite(objective(theta, g))) return null;
  const full = finiteDifferenceHessian(objective, theta);
  if (full === null) return null;
  const free = [...theta.keys()].filter((i) => !atBound.includes(i));
  if (free.length === 0) return 0;
  const k = theta.length;
  const hess = Float64Array.from(free.flatMap((i) => free.map((j) => full[i * k + j]))); // [free, free]
  const step = choleskySolve(
    hess,
    Float64Array.from(free, (i) => g[i]),
  );
  if (step === null) return null;
  let m = 0;
  for (let i = 0; i < step.length; i++) m = Math.max(m, Math.abs(step[i]));
  return Number.isFinite(m) ? m : null;
}
