import { type LinePoint, wolfeLineSearch } from './line-search.js';
import type { Objective } from './objective.js';

/** Why a BFGS run stopped. Only the caller's convergence test decides whether it converged. */
export type StopReason = 'gradient' | 'line-search' | 'max-iterations' | 'non-finite-start';

/** Options of {@link bfgs}. */
export interface BfgsOptions {
  /** Stop once `stopMeasure(f, g) ≤ stopTolerance`. */
  stopMeasure: (f: number, g: Float64Array) => number;
  stopTolerance: number;
  maxIterations: number;
  /**
   * Length (max-norm) of the first trial step, in θ units, when the curvature is still unknown
   * (N&W §6.1 suggest scaling the first step; a fixed length makes it independent of F's magnitude).
   */
  initialStep?: number;
}

/** Result of a BFGS run. */
export interface BfgsResult {
  x: Float64Array;
  f: number;
  g: Float64Array;
  iterations: number;
  evaluations: number;
  reason: StopReason;
}

function maxAbs(v: Float64Array): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return m;
}

function scaledIdentity(k: number, gamma: number): Float64Array {
  const h = new Float64Array(k * k);
  for (let i = 0; i < k; i++) h[i * k + i] = gamma;
  return h;
}

/** H ← (I − ρsyᵀ) H (I − ρysᵀ) + ρssᵀ, ρ = 1/yᵀs (N&W eq. 6.17), written with Hy for O(k²). */
function updateInverseHessian(h: Float64Array, s: Float64Array, y: Float64Array, sy: number): void {
  const k = s.length;
  const rho = 1 / sy;
  const hy = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let t = 0;
    for (let j = 0; j < k; j++) t += h[i * k + j] * y[j];
    hy[i] = t;
  }
  let yhy = 0;
  for (let i = 0; i < k; i++) yhy += y[i] * hy[i];
  const ss = rho * rho * yhy + rho;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      h[i * k + j] += -rho * (s[i] * hy[j] + hy[i] * s[j]) + ss * s[i] * s[j];
    }
  }
}

/**
 * Minimises `fun` by BFGS with a strong-Wolfe line search: Nocedal & Wright, "Numerical Optimization" (2nd
 * ed., 2006, https://doi.org/10.1007/978-0-387-40065-5), Algorithm 6.1, with the initial inverse-Hessian
 * scaling of eq. (6.20). When a quasi-Newton step fails to decrease F the approximation is reset to a
 * scaled identity (steepest descent) once before giving up. Stopping is relative (see `stopMeasure`), so
 * the tiny values of a mean Huber loss do not stop it at the start (Besiroglu et al. 2024,
 * https://arxiv.org/abs/2404.10102).
 */
export function bfgs(fun: Objective, x0: Float64Array, options: BfgsOptions): BfgsResult {
  const k = x0.length;
  const initialStep = options.initialStep ?? 0.5;
  const g0 = new Float64Array(k);
  const f0 = fun(x0, g0);
  let cur: LinePoint = { alpha: 0, x: Float64Array.from(x0), f: f0, g: g0, d: 0 };
  let evaluations = 1;
  const result = (iterations: number, reason: StopReason): BfgsResult => ({
    x: cur.x,
    f: cur.f,
    g: cur.g,
    iterations,
    evaluations,
    reason,
  });
  if (!Number.isFinite(f0)) return result(0, 'non-finite-start');

  let h: Float64Array | null = null; // null: curvature unknown, take a steepest-descent step of fixed length
  let lastGamma = 0;
  for (let it = 0; it < options.maxIterations; it++) {
    if (options.stopMeasure(cur.f, cur.g) <= options.stopTolerance) return result(it, 'gradient');
    const p = new Float64Array(k);
    let alpha1 = 1;
    if (h === null) {
      for (let i = 0; i < k; i++) p[i] = -cur.g[i];
      const gmax = maxAbs(cur.g);
      alpha1 = lastGamma > 0 ? lastGamma : initialStep / gmax;
    } else {
      for (let i = 0; i < k; i++) {
        let t = 0;
        for (let j = 0; j < k; j++) t -= h[i * k + j] * cur.g[j];
        p[i] = t;
      }
    }
    let d = 0;
    for (let i = 0; i < k; i++) d += cur.g[i] * p[i];
    if (!(d < 0)) {
      if (h === null) return result(it, 'line-search'); // zero or non-finite gradient
      h = null; // lost positive definiteness to rounding: restart from steepest descent
      continue;
    }
    const ls = wolfeLineSearch(fun, { ...cur, alpha: 0, d }, p, alpha1);
    evaluations += ls.evaluations;
    if (!ls.ok) {
      if (h === null) return result(it, 'line-search');
      h = null;
      continue;
    }
    const next = ls.point;
    const s = new Float64Array(k);
    const y = new Float64Array(k);
    let sy = 0;
    let yy = 0;
    let sNorm = 0;
    for (let i = 0; i < k; i++) {
      s[i] = next.x[i] - cur.x[i];
      y[i] = next.g[i] - cur.g[i];
      sy += s[i] * y[i];
      yy += y[i] * y[i];
      sNorm += s[i] * s[i];
    }
    cur = { ...next, alpha: 0 };
    // Update only with positive curvature (always true after a strong Wolfe step, N&W §6.1).
    if (sy > 1e-14 * Math.sqrt(sNorm * yy)) {
      if (h === null) {
        lastGamma = sy / yy;
        h = scaledIdentity(k, lastGamma);
      }
      updateInverseHessian(h, s, y, sy);
    }
  }
  return result(options.maxIterations, 'max-iterations');
}
