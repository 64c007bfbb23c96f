import type { LawInput, LawPoint } from '../types.js';
import { levelCount, requireLevels, sizeCount } from '../validate.js';
import type { FormData, LawForm, StartScorer } from './form.js';

/** Hoffmann et al.'s start grid (SCIENCE.md §1), in their raw units: a = log A, b = log B, e = log E. */
const GRID_EXPONENTS = [0, 0.5, 1, 1.5, 2];
const GRID_LOG_E = [-1, -0.5, 0, 0.5, 1];
const GRID_LOG_AB = [0, 5, 10, 15, 20, 25];

/**
 * Exponents are log-parameterised (kept > 0), so a grid exponent of 0 cannot be used as is; 0.05 is the
 * nearest start that still leaves the term almost flat, which is what a start at 0 means.
 */
const ZERO_EXPONENT_START = 0.05;

/** E below 1e-6 (in loss units) or an exponent below 1e-4 is at its bound 0 for any realistic N, D. */
const E_AT_BOUND = 1e-6;
const EXPONENT_AT_BOUND = 1e-4;

function logSumExp3(x: number, y: number, z: number): [number, number, number, number] {
  const m = Math.max(x, y, z);
  const ex = Math.exp(x - m);
  const ey = Math.exp(y - m);
  const ez = Math.exp(z - m);
  const s = ex + ey + ez;
  return [m + Math.log(s), ex / s, ey / s, ez / s];
}

/**
 * The dense Chinchilla law of Hoffmann et al. 2022, "Training Compute-Optimal Large Language Models"
 * (https://arxiv.org/abs/2203.15556), approach 3, as replicated by Besiroglu et al. 2024
 * (https://arxiv.org/abs/2404.10102):
 *
 *   L(N, D) = E + A / N^alpha + B / D^beta,   log L̂ = logsumexp(a − α log N, b − β log D, e).
 *
 * For S = 0 data (it ignores sparsity; N is the non-zero count). Internally θ = (a', b', e, log α,
 * log β) with log N and log D centred on their means (a' = a − α·mean log N): the same function, better
 * conditioned. Starts: the `count` best points of Hoffmann's 4,500-point grid, ranked by the objective.
 */
export const chinchillaForm: LawForm = {
  name: 'chinchilla',
  description: 'Hoffmann et al. 2022 dense law: E + A/N^alpha + B/D^beta (ignores sparsity)',
  paramNames: ['E', 'A', 'B', 'alpha', 'beta'],
  internalNames: ['a_centred', 'b_centred', 'log_E', 'log_alpha', 'log_beta'],
  // Same budget as the sparse form; the grid ranking picks the 25 most promising of 4,500 grid points.
  defaultStarts: 25,

  predict(params, p: LawInput) {
    return (
      params['E'] +
      params['A'] / p.nonzeroParams ** params['alpha'] +
      params['B'] / p.tokens ** params['beta']
    );
  },

  prepare(points: readonly LawPoint[], scalesFrom?: Record<string, number>): FormData {
    const n = points.length;
    const logN = Float64Array.from(points, (p) => Math.log(p.nonzeroParams));
    const logD = Float64Array.from(points, (p) => Math.log(p.tokens));
    const muLogN = scalesFrom?.['muLogN'] ?? logN.reduce((s, v) => s + v, 0) / n;
    const muLogD = scalesFrom?.['muLogD'] ?? logD.reduce((s, v) => s + v, 0) / n;
    for (let i = 0; i < n; i++) {
      logN[i] -= muLogN;
      logD[i] -= muLogD;
    }
    return { n, features: [logN, logD], scales: { muLogN, muLogD } };
  },

  evaluate(theta, data, pred, jac) {
    const [logN, logD] = data.features as [Float64Array, Float64Array];
    const alpha = Math.exp(theta[3]);
    const beta = Math.exp(theta[4]);
    for (let i = 0; i < data.n; i++) {
      const [lse, w1, w2, w3] = logSumExp3(theta[0] - alpha * logN[i], theta[1] - beta * logD[i], theta[2]);
      const p = Math.exp(lse);
      pred[i] = p;
      if (jac === null) continue;
      // ∂pred/∂θ = pred · ∂lse/∂θ; the softmax weights are ∂lse/∂(each term).
      const o = i * 5;
      jac[o] = p * w1;
      jac[o + 1] = p * w2;
      jac[o + 2] = p * w3;
      jac[o + 3] = -p * w1 * alpha * logN[i];
      jac[o + 4] = -p * w2 * beta * logD[i];
    }
  },

  toPaper(theta, scales) {
    const alpha = Math.exp(theta[3]);
    const beta = Math.exp(theta[4]);
    return {
      E: Math.exp(theta[2]),
      A: Math.exp(theta[0] + alpha * scales['muLogN']),
      B: Math.exp(theta[1] + beta * scales['muLogD']),
      alpha,
      beta,
    };
  },

  fromPaper(params, scales) {
    return Float64Array.from([
      Math.log(params['A']) - params['alpha'] * scales['muLogN'],
      Math.log(params['B']) - params['beta'] * scales['muLogD'],
      Math.log(params['E']),
      Math.log(params['alpha']),
      Math.log(params['beta']),
    ]);
  },

  starts(count: number, _rng, data: FormData, score: StartScorer) {
    const candidates: Array<{ theta: Float64Array; f: number }> = [];
    for (const alpha0 of GRID_EXPONENTS) {
      const alpha = alpha0 === 0 ? ZERO_EXPONENT_START : alpha0;
      for (const beta0 of GRID_EXPONENTS) {
        const beta = beta0 === 0 ? ZERO_EXPONENT_START : beta0;
        for (const e of GRID_LOG_E) {
          for (const a of GRID_LOG_AB) {
            for (const b of GRID_LOG_AB) {
              const theta = Float64Array.from([
                a - alpha * data.scales['muLogN'],
                b - beta * data.scales['muLogD'],
                e,
                Math.log(alpha),
                Math.log(beta),
              ]);
              const f = score(theta);
              candidates.push({ theta, f: Number.isFinite(f) ? f : Number.POSITIVE_INFINITY });
            }
          }
        }
      }
    }
    // Stable sort: ties keep grid order, so the choice is deterministic.
    candidates.sort((x, y) => (x.f === y.f ? 0 : x.f - y.f));
    return candidates.slice(0, count).map((c) => c.theta);
  },

  atLowerBound(theta) {
    const out: string[] = [];
    if (Math.exp(theta[2]) < E_AT_BOUND) out.push('E');
    if (Math.exp(theta[3]) < EXPONENT_AT_BOUND) out.push('alpha');
    if (Math.exp(theta[4]) < EXPONENT_AT_BOUND) out.push('beta');
    return out;
  },

  check(points) {
    const warnings: string[] = [];
    if (points.some((p) => p.sparsity > 0)) {
      warnings.push(
        "the chinchilla form ignores sparsity: N is taken as the non-zero count; use 'sparse' for S > 0",
      );
    }
    const nLevels = sizeCount(points);
    const dLevels = levelCount(points.map((p) => p.tokens));
    requireLevels(nLevels, 2, 'non-zero parameter count N (model sizes)');
    requireLevels(dLevels, 2, 'data size D');
    if (nLevels === 2)
      warnings.push(
        'only 2 model sizes N: E, A and alpha are not separately identifiable (see the "across best starts" column)',
      );
    if (dLevels === 2)
      warnings.push(
        'only 2 data sizes D: E, B and beta are not separately identifiable (see the "across best starts" column)',
      );
    return warnings;
  },
};
