import { LawInputError } from './errors.js';
import type { SparseLawParams } from './types.js';

/** Coefficients of the dense Chinchilla law L(N, D) = E + A / N^alpha + B / D^beta. */
export interface DenseLawParams {
  E: number;
  A: number;
  B: number;
  alpha: number;
  beta: number;
}

/**
 * The coefficients of a `chinchilla` fit, checked: all present and finite, A, B, alpha, beta > 0 and E ≥ 0.
 * Hoffmann et al. 2022, "Training Compute-Optimal Large Language Models", eq. 2
 * (https://arxiv.org/abs/2203.15556).
 */
export function denseParams(params: Record<string, unknown>): DenseLawParams {
  const out: Record<string, number> = {};
  for (const key of ['E', 'A', 'B', 'alpha', 'beta'] as const) {
    const v = params[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (v === 0 && key !== 'E'))
      throw new LawInputError(
        `dense-law coefficient ${key} must be a finite number ${key === 'E' ? '≥ 0' : '> 0'}; got ${String(v)}`,
      );
    out[key] = v;
  }
  return out as unknown as DenseLawParams;
}

/**
 * The dense law written as the sparse law of Frantar et al. 2023 (https://arxiv.org/abs/2309.08520) at S = 0:
 * (a_S·1 + c_S)·N^−b_N + (a_D/D)^b_D + c with a_S = 0, c_S = A, b_N = alpha, a_D = B^(1/beta), b_D = beta and
 * c = E, so the same code draws both. Exact at S = 0 only: a_S = 0 says nothing about sparsity, so it must
 * never be evaluated at S > 0 or asked for an optimal sparsity.
 */
export function denseAsSparse(p: DenseLawParams): SparseLawParams {
  return { a_S: 0, b_S: 1, c_S: p.A, b_N: p.alpha, a_D: p.B ** (1 / p.beta), b_D: p.beta, c: p.E };
}

/**
 * The exponent of compute in the compute-optimal model size under the dense law, N_opt ∝ C^(beta/(alpha+beta)),
 * and in the data, D_opt ∝ C^(alpha/(alpha+beta)) (Hoffmann et al. 2022, eq. 4, with C ≈ 6·N·D).
 */
export function computeOptimalExponents(p: DenseLawParams): { n: number; d: number } {
  return { n: p.beta / (p.alpha + p.beta), d: p.alpha / (p.alpha + p.beta) };
}
