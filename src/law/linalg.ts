import type { Objective } from './objective.js';

/**
 * Symmetric Hessian of `objective` at θ by central differences of its analytic gradient (Nocedal &
 * Wright 2006, §8.1), h in θ units; null if any gradient is not finite. Row-major k×k.
 */
export function finiteDifferenceHessian(
  objective: Objective,
  theta: Float64Array,
  h = 1e-4,
): Float64Array | null {
  const k = theta.length;
  const hess = new Float64Array(k * k);
  const gp = new Float64Array(k);
  const gm = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const x = Float64Array.from(theta);
    x[j] = theta[j] + h;
    const fp = objective(x, gp);
    x[j] = theta[j] - h;
    const fm = objective(x, gm);
    if (!Number.isFinite(fp) || !Number.isFinite(fm)) return null;
    for (let i = 0; i < k; i++) hess[i * k + j] = (gp[i] - gm[i]) / (2 * h);
  }
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < i; j++) {
      const m = 0.5 * (hess[i * k + j] + hess[j * k + i]);
      hess[i * k + j] = m;
      hess[j * k + i] = m;
    }
  }
  return hess;
}

/** Solves A x = b for symmetric positive definite A (Cholesky); null when A is not positive definite. */
export function choleskySolve(a: Float64Array, b: Float64Array): Float64Array | null {
  const k = b.length;
  const l = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * k + j];
      for (let m = 0; m < j; m++) s -= l[i * k + m] * l[j * k + m];
      if (i === j) {
        if (!(s > 0)) return null;
        l[i * k + i] = Math.sqrt(s);
      } else {
        l[i * k + j] = s / l[j * k + j];
      }
    }
  }
  const y = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = b[i];
    for (let m = 0; m < i; m++) s -= l[i * k + m] * y[m];
    y[i] = s / l[i * k + i];
  }
  const x = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let s = y[i];
    for (let m = i + 1; m < k; m++) s -= l[m * k + i] * x[m];
    x[i] = s / l[i * k + i];
  }
  return x;
}
