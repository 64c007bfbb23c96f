import type { FormData, LawForm } from './forms/form.js';
import { huber, huberDerivative } from './huber.js';
import type { HuberKind } from './types.js';

/** F(θ), writing ∇F into `grad` when given. Returns +Infinity where F is undefined or not finite. */
export type Objective = (theta: Float64Array, grad: Float64Array | null) => number;

/** Inputs of {@link makeObjective}. */
export interface ObjectiveSpec {
  form: LawForm;
  data: FormData;
  /** Measured losses. */
  measured: Float64Array;
  loss: HuberKind;
  delta: number;
  /** Per-point weights (bootstrap multiplicities); null for all ones. */
  weights?: Float64Array | null;
}

/**
 * The mean Huber loss over points, F(θ) = Σ w_i ρ(r_i) / Σ w_i, with r_i = log pred_i − log y_i
 * ('huber-log', Hoffmann et al. 2022, https://arxiv.org/abs/2203.15556) or pred_i − y_i ('huber', used
 * for ViT by Frantar et al. 2023, https://arxiv.org/abs/2309.08520), and its analytic gradient
 * ∇F = Σ w_i ρ'(r_i) (∂r_i/∂pred_i) ∂pred_i/∂θ / Σ w_i from the form's Jacobian.
 *
 * The mean (not the sum) is kept so values compare with the papers'; its small magnitude is handled by
 * judging convergence relative to F (see convergence.ts), not by absolute tolerances.
 */
export function makeObjective(spec: ObjectiveSpec): Objective {
  const { form, data, measured, loss, delta } = spec;
  const n = data.n;
  const k = form.paramNames.length;
  const weights = spec.weights ?? null;
  const logMeasured = measured.map(Math.log);
  const pred = new Float64Array(n);
  const jac = new Float64Array(n * k);
  let wsum = n;
  if (weights !== null) wsum = weights.reduce((s, w) => s + w, 0);
  const isLog = loss === 'huber-log';

  return (theta, grad) => {
    form.evaluate(theta, data, pred, grad === null ? null : jac);
    if (grad !== null) grad.fill(0);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const w = weights === null ? 1 : weights[i];
      if (w === 0) continue;
      const p = pred[i];
      if (isLog && !(p > 0)) return Number.POSITIVE_INFINITY;
      const r = isLog ? Math.log(p) - logMeasured[i] : p - measured[i];
      total += w * huber(r, delta);
      if (grad === null) continue;
      const coef = (w * huberDerivative(r, delta) * (isLog ? 1 / p : 1)) / wsum;
      const o = i * k;
      for (let j = 0; j < k; j++) grad[j] += coef * jac[o + j];
    }
    const f = total / wsum;
    if (!Number.isFinite(f)) return Number.POSITIVE_INFINITY;
    if (grad !== null) {
      for (let j = 0; j < k; j++) if (!Number.isFinite(grad[j])) return Number.POSITIVE_INFINITY;
    }
    return f;
  };
}
