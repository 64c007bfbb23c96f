import type { Rng } from '../../util/rng.js';
import type { LawInput, LawPoint } from '../types.js';
import { levelCount, requireLevels, sizeCount } from '../validate.js';
import type { FormData, LawForm } from './form.js';

/**
 * N' = N / N_SCALE. Fixed at 1e6 as in the authors' notebook (jaxpruner/projects/bigsparse): it keeps
 * N' within a few orders of 1 for N from 1e4 (our CPU scale) to 1e9 (the paper's largest models).
 */
export const N_SCALE = 1e6;

/**
 * Starts are drawn uniformly from [START_LOW, 1]^7 in the authors' coefficients (a, b, c, d, e, f, g):
 * their notebook uses [0, 1]^7; we exclude the last 2% near 0 because in our log parameterisation a
 * coefficient started at ~0 has a vanishing gradient and would stay there. As many again are scaled to the
 * data's N (see `starts`): at CPU scale (N near 1e4, N' = N / 1e6 ≈ 0.01) the box reaches basins with exponents
 * above 1 from few points; on the quickstart's trials one with b_S 2.27 and a lower loss than the box's usual
 * b_S 0.76 was found by 0-2 of 25 box starts, depending on the seed, and by 5-9 of the 25 scaled ones.
 */
const START_LOW = 0.02;

/** Exponents of the starts scaled to the data are drawn up to this (the authors' box stops at 1). */
const SCALED_EXPONENT_MAX = 3;

/**
 * At its bound 0, judged on the data rather than on the value (at N' = N / 1e6 ≈ 0.01 a normalised
 * coefficient of 1e-6 still multiplies N'^(−b_N), which can be 1e5): a coefficient (a_S, c_S, a_D, c) whose
 * relative change moves no prediction by more than this fraction of that change, and an exponent (b_S, b_N,
 * b_D) whose power, x^b, stays within this fraction of 1 over the data.
 */
const NEGLIGIBLE = 1e-3;

/** A point sparser than this is not dense: a dense trial measures 0 exactly, a pruned one at least a weight. */
const DENSE_SPARSITY = 1e-3;

/** The coefficients (indices) each exponent (b_S, b_N, b_D) scales: a_S; a_S and c_S; a_D. */
const SCALED_BY: Record<number, number[]> = { 1: [0], 3: [0, 2], 5: [4] };

/** Paper names, in the order of the internal parameters θ = log(a, b, c, d, e, f, g). */
const PARAM_NAMES = ['a_S', 'b_S', 'c_S', 'b_N', 'a_D', 'b_D', 'c'] as const;

/** D' = D / 10^round(mean log10 D): a power of ten nearest the geometric mean, so D' is of order 1. */
export function dataScaleFor(tokens: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < tokens.length; i++) s += Math.log10(tokens[i]);
  return 10 ** Math.round(s / tokens.length);
}

/**
 * The sparse scaling law of Frantar et al. 2023, "Scaling Laws for Sparsely-Connected Foundation
 * Models" (https://arxiv.org/abs/2309.08520), eq. (1):
 *
 *   L(S, N, D) = (a_S (1 − S)^b_S + c_S) · (1/N)^b_N + (a_D / D)^b_D + c.
 *
 * Fitted, as in the authors' notebook, in the form (a·(1/(1−S))^(−b) + c)·N'^(−d) + e·D'^(−f) + g with
 * N' = N/1e6 and D' = D/D_scale ({@link dataScaleFor}). Internally θ = log(a, b, c, d, e, f, g): every
 * coefficient and exponent is kept positive (the form needs b_S, b_N, b_D > 0 for sparsity and scale to
 * help, and positive terms keep predictions > 0 so log residuals exist), and the optimiser works on
 * relative changes, which suits coefficients of very different magnitudes.
 *
 * Paper units: a_S = a·1e6^d, c_S = c·1e6^d, b_S = b, b_N = d, a_D = D_scale·e^(1/f), b_D = f, c = g.
 */
export const sparseForm: LawForm = {
  name: 'sparse',
  description: 'Frantar et al. 2023 sparse law: (a_S(1-S)^b_S + c_S)/N^b_N + (a_D/D)^b_D + c',
  paramNames: PARAM_NAMES,
  internalNames: ['log_a', 'log_b', 'log_c', 'log_d', 'log_e', 'log_f', 'log_g'],
  // The authors' choice (SCIENCE.md §1): 25 random starts, keep the best converged one.
  defaultStarts: 25,

  predict(params, p: LawInput) {
    const size = params['a_S'] * (1 - p.sparsity) ** params['b_S'] + params['c_S'];
    return (
      size * p.nonzeroParams ** -params['b_N'] + (params['a_D'] / p.tokens) ** params['b_D'] + params['c']
    );
  },

  prepare(points: readonly LawPoint[], scalesFrom?: Record<string, number>): FormData {
    const n = points.length;
    const dScale = scalesFrom?.['dScale'] ?? dataScaleFor(points.map((p) => p.tokens));
    const nScale = scalesFrom?.['nScale'] ?? N_SCALE;
    const logX = new Float64Array(n); // log(1 − S) ≤ 0
    const logN = new Float64Array(n); // log N'
    const logD = new Float64Array(n); // log D'
    points.forEach((p, i) => {
      logX[i] = Math.log1p(-p.sparsity);
      logN[i] = Math.log(p.nonzeroParams / nScale);
      logD[i] = Math.log(p.tokens / dScale);
    });
    return { n, features: [logX, logN, logD], scales: { nScale, dScale } };
  },

  evaluate(theta, data, pred, jac) {
    const [logX, logN, logD] = data.features as [Float64Array, Float64Array, Float64Array];
    const a = Math.exp(theta[0]);
    const b = Math.exp(theta[1]);
    const c = Math.exp(theta[2]);
    const d = Math.exp(theta[3]);
    const e = Math.exp(theta[4]);
    const f = Math.exp(theta[5]);
    const g = Math.exp(theta[6]);
    for (let i = 0; i < data.n; i++) {
      const au = a * Math.exp(b * logX[i]); // a·(1−S)^b
      const v = Math.exp(-d * logN[i]); // N'^(−d)
      const ew = e * Math.exp(-f * logD[i]); // e·D'^(−f)
      const size = au + c;
      pred[i] = size * v + ew + g;
      if (jac === null) continue;
      // ∂pred/∂θ_k = p_k · ∂pred/∂p_k (θ_k = log p_k)
      const o = i * 7;
      jac[o] = au * v;
      jac[o + 1] = b * au * logX[i] * v;
      jac[o + 2] = c * v;
      jac[o + 3] = -d * size * v * logN[i];
      jac[o + 4] = ew;
      jac[o + 5] = -f * ew * logD[i];
      jac[o + 6] = g;
    }
  },

  toPaper(theta, scales) {
    const d = Math.exp(theta[3]);
    const f = Math.exp(theta[5]);
    const logNs = Math.log(scales['nScale']);
    return {
      a_S: Math.exp(theta[0] + d * logNs),
      b_S: Math.exp(theta[1]),
      c_S: Math.exp(theta[2] + d * logNs),
      b_N: d,
      a_D: scales['dScale'] * Math.exp(theta[4] / f),
      b_D: f,
      c: Math.exp(theta[6]),
    };
  },

  fromPaper(params, scales) {
    const d = params['b_N'];
    const f = params['b_D'];
    const logNs = Math.log(scales['nScale']);
    return Float64Array.from([
      Math.log(params['a_S']) - d * logNs,
      Math.log(params['b_S']),
      Math.log(params['c_S']) - d * logNs,
      Math.log(d),
      f * Math.log(params['a_D'] / scales['dScale']),
      Math.log(f),
      Math.log(params['c']),
    ]);
  },

  starts(count: number, rng: Rng, data: FormData) {
    const out: Float64Array[] = [];
    const draw = () => START_LOW + (1 - START_LOW) * rng.uniform();
    for (let k = 0; k < count; k++) {
      const theta = new Float64Array(7);
      for (let j = 0; j < 7; j++) theta[j] = Math.log(draw());
      out.push(theta);
    }
    // as many again scaled to the data's N: the size term's amplitudes set so that a·N'^−d and c·N'^−d start at
    // the box's values at the data's mean log N' (not at N' = 1, i.e. N = 1e6, which CPU-scale sweeps are far
    // below), and every exponent drawn from [START_LOW, SCALED_EXPONENT_MAX]
    const logN = data.features[1] as Float64Array;
    let meanLogN = 0;
    for (let i = 0; i < data.n; i++) meanLogN += logN[i] / data.n;
    for (let k = 0; k < count; k++) {
      const exponent = () => START_LOW + (SCALED_EXPONENT_MAX - START_LOW) * rng.uniform();
      const [a, b, c, d, e, f, g] = [draw(), exponent(), draw(), exponent(), draw(), exponent(), draw()];
      out.push(
        Float64Array.from([
          Math.log(a) + d * meanLogN,
          Math.log(b),
          Math.log(c) + d * meanLogN,
          Math.log(d),
          Math.log(e),
          Math.log(f),
          Math.log(g),
        ]),
      );
    }
    return out;
  },

  atLowerBound(theta, data) {
    // θ_k = log p_k, so ∂pred/∂θ_k = p_k·∂pred/∂p_k: how much a prediction moves per relative change of p_k
    const pred = new Float64Array(data.n);
    const jac = new Float64Array(data.n * 7);
    this.evaluate(theta, data, pred, jac);
    // exponents b, d, f act through log(1 − S), log N', log D'
    const featureOf: Record<number, Float64Array> = {
      1: data.features[0] as Float64Array,
      3: data.features[1] as Float64Array,
      5: data.features[2] as Float64Array,
    };
    return PARAM_NAMES.filter((_, k) => {
      const logs = featureOf[k];
      const p = Math.exp(theta[k]);
      for (let i = 0; i < data.n; i++) {
        const moves = logs ? Math.abs(p * logs[i]) : Math.abs(jac[i * 7 + k]) / pred[i];
        if (moves > NEGLIGIBLE) return false;
      }
      return true;
    });
  },

  runOff(theta, data) {
    const pred = new Float64Array(data.n);
    const jac = new Float64Array(data.n * 7);
    this.evaluate(theta, data, pred, jac);
    const low = new Set(this.atLowerBound(theta, data));
    // the exponents (b_S, b_N, b_D), off their lower bound, whose relative change moves no prediction; not one
    // whose every coefficient is at its bound (a_S for b_S): it has no term to act on, and the bound says so
    return [1, 3, 5].flatMap((k) => {
      if (low.has(PARAM_NAMES[k])) return [];
      if (SCALED_BY[k].every((c) => low.has(PARAM_NAMES[c]))) return [];
      for (let i = 0; i < data.n; i++) if (Math.abs(jac[i * 7 + k]) / pred[i] > NEGLIGIBLE) return [];
      return [PARAM_NAMES[k]];
    });
  },

  check(points) {
    const warnings: string[] = [];
    // measured values: a level's trials sit a weight or a batch apart (sparsity by its density, see levelCount)
    const levels = levelCount(points.map((p) => 1 - p.sparsity));
    requireLevels(levels, 2, 'sparsity', "the sparse form needs ≥ 2 sparsity levels; use form 'chinchilla'");
    if (levels === 2) {
      warnings.push(
        'only 2 sparsity levels: a_S, b_S and c_S are not separately identifiable (see the "across best starts" column)',
      );
    }
    // the optimum's figures compare with the dense model: without one, the law's S = 0 is where no point is
    if (!points.some((p) => p.sparsity < DENSE_SPARSITY))
      warnings.push(
        `no dense (S = 0) point, the lowest sparsity is ${+Math.min(...points.map((p) => p.sparsity)).toPrecision(3)}: where sparsity pays, the dense-equivalent sizes and the dense compute-optimal data all compare with a dense model the law extrapolates to, so read them with their ranges; dense trials (sparsity 0 in the sweep) measure it`,
      );
    requireLevels(sizeCount(points), 2, 'non-zero parameter count N (model sizes)');
    const dLevels = levelCount(points.map((p) => p.tokens));
    requireLevels(dLevels, 2, 'data size D');
    if (dLevels === 2) {
      warnings.push(
        'only 2 data sizes D: a_D, b_D and c are not separately identifiable (see the "across best starts" column)',
      );
    }
    return warnings;
  },
};
