import type { Objective } from './objective.js';

/** A point on the search line x + α·p: value, gradient and directional derivative. */
export interface LinePoint {
  alpha: number;
  x: Float64Array;
  f: number;
  g: Float64Array;
  /** φ'(α) = ∇F(x + αp)·p; NaN where F is not finite. */
  d: number;
}

/** Outcome of {@link wolfeLineSearch}. `ok` with `strong: false` means sufficient decrease only. */
export interface LineSearchResult {
  ok: boolean;
  strong: boolean;
  point: LinePoint;
  evaluations: number;
}

/** Tuning of the line search; defaults from Nocedal & Wright for quasi-Newton methods. */
export interface LineSearchOptions {
  /** Sufficient-decrease constant (N&W p. 33: 1e-4). */
  c1?: number;
  /** Curvature constant (N&W p. 34: 0.9 for quasi-Newton). */
  c2?: number;
  /** Evaluation budget per search: enough for ~10 doublings and ~20 zoom steps. */
  maxEvaluations?: number;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Cubic interpolation of the minimiser between two line points (N&W eq. 3.59), safeguarded. */
function interpolate(lo: LinePoint, hi: LinePoint): number {
  const left = Math.min(lo.alpha, hi.alpha);
  const width = Math.abs(hi.alpha - lo.alpha);
  const mid = left + 0.5 * width;
  if (!Number.isFinite(hi.f) || !Number.isFinite(hi.d)) return mid;
  const d1 = lo.d + hi.d - (3 * (lo.f - hi.f)) / (lo.alpha - hi.alpha);
  const disc = d1 * d1 - lo.d * hi.d;
  if (!(disc >= 0)) return mid;
  const d2 = Math.sign(hi.alpha - lo.alpha) * Math.sqrt(disc);
  const a = hi.alpha - (hi.alpha - lo.alpha) * ((hi.d + d2 - d1) / (hi.d - lo.d + 2 * d2));
  // Keep the trial inside the middle 80% so the bracket shrinks by a fixed factor at worst.
  if (!Number.isFinite(a)) return mid;
  return Math.min(Math.max(a, left + 0.1 * width), left + 0.9 * width);
}

/**
 * Line search for the strong Wolfe conditions, Nocedal & Wright, "Numerical Optimization" (2nd ed., 2006,
 * https://doi.org/10.1007/978-0-387-40065-5), Algorithm 3.5 (bracketing) with Algorithm 3.6 (zoom) and
 * cubic interpolation. Non-finite values shrink the step. If the budget runs out after sufficient decrease
 * was found, that point is returned with `strong: false` (BFGS then skips its update when the curvature
 * condition fails).
 */
export function wolfeLineSearch(
  fun: Objective,
  start: LinePoint,
  p: Float64Array,
  alpha1: number,
  options: LineSearchOptions = {},
): LineSearchResult {
  const c1 = options.c1 ?? 1e-4;
  const c2 = options.c2 ?? 0.9;
  const maxEvaluations = options.maxEvaluations ?? 40;
  const f0 = start.f;
  const d0 = start.d;
  let evaluations = 0;

  const at = (alpha: number): LinePoint => {
    const x = new Float64Array(start.x.length);
    for (let i = 0; i < x.length; i++) x[i] = start.x[i] + alpha * p[i];
    const g = new Float64Array(x.length);
    const f = fun(x, g);
    evaluations++;
    return { alpha, x, f, g, d: Number.isFinite(f) ? dot(g, p) : Number.NaN };
  };
  const armijo = (q: LinePoint) => q.f <= f0 + c1 * q.alpha * d0;
  const curvature = (q: LinePoint) => Math.abs(q.d) <= -c2 * d0;
  const done = (point: LinePoint, strong: boolean): LineSearchResult => ({
    ok: true,
    strong,
    point,
    evaluations,
  });

  const zoom = (lo0: LinePoint, hi0: LinePoint): LineSearchResult => {
    let lo = lo0;
    let hi = hi0;
    while (evaluations < maxEvaluations) {
      if (Math.abs(hi.alpha - lo.alpha) <= 1e-15 * Math.max(lo.alpha, hi.alpha)) break;
      const q = at(interpolate(lo, hi));
      if (!armijo(q) || !(q.f < lo.f)) {
        hi = q;
        continue;
      }
      if (curvature(q)) return done(q, true);
      if (q.d * (hi.alpha - lo.alpha) >= 0) hi = lo;
      lo = q;
    }
    return lo.alpha > 0 && lo.f < f0
      ? done(lo, false)
      : { ok: false, strong: false, point: start, evaluations };
  };

  let prev = start;
  let alpha = alpha1;
  for (let i = 0; evaluations < maxEvaluations; i++) {
    const q = at(alpha);
    if (!armijo(q) || (i > 0 && q.f >= prev.f) || !Number.isFinite(q.f)) return zoom(prev, q);
    if (curvature(q)) return done(q, true);
    if (q.d >= 0) return zoom(q, prev);
    prev = q;
    alpha *= 4; // expand quickly: starts can be many orders of magnitude from the optimum
  }
  return prev.alpha > 0 ? done(prev, false) : { ok: false, strong: false, point: start, evaluations };
}
