import { describe, expect, it } from 'vitest';
import { fitLaw } from '../../src/law/fit.js';
import { sparseForm } from '../../src/law/forms/sparse.js';
import type { FitOptions, SparseLawParams } from '../../src/law/types.js';
import { Rng } from '../../src/util/rng.js';
import { relErr, syntheticDense, syntheticSparse } from './helpers.js';

const options: FitOptions = { loss: 'huber-log', delta: 1e-3, starts: 8, seed: 3, bootstrap: 0 };

/** Random coefficient sets, drawn in the normalised parameterisation so the terms are of order 1. */
function randomCoefficients(seed: number, count: number): SparseLawParams[] {
  const rng = Rng.seeded(seed);
  const u = (lo: number, hi: number) => Math.log(lo + (hi - lo) * rng.uniform());
  return Array.from({ length: count }, () => {
    const theta = Float64Array.from([
      u(0.3, 3),
      u(0.5, 1.5),
      u(0.3, 3),
      u(0.2, 0.5),
      u(0.2, 2),
      u(0.2, 0.6),
      u(1, 3),
    ]);
    return sparseForm.toPaper(theta, { nScale: 1e6, dScale: 1e7 }) as unknown as SparseLawParams;
  });
}

/**
 * Tolerances for 0.1% multiplicative noise on an 80-point grid: exponents and c are well determined;
 * a_D trades off against b_D and c (the data term spans two decades of D only), so it gets more room.
 */
const TOLERANCE: Record<keyof SparseLawParams, number> = {
  a_S: 0.05,
  b_S: 0.03,
  c_S: 0.05,
  b_N: 0.03,
  a_D: 0.1,
  b_D: 0.03,
  c: 0.03,
};

describe('recovering known coefficients from synthetic data', () => {
  randomCoefficients(2024, 5).forEach((truth, k) => {
    it(`sparse law, coefficient set ${k}`, () => {
      const points = syntheticSparse(truth, { seed: 100 + k, sigma: 0.001 });
      const fit = fitLaw(points, 'sparse', options);
      expect(fit.converged).toBe(true);
      expect(fit.warnings).toEqual([]);
      for (const name of Object.keys(TOLERANCE) as Array<keyof SparseLawParams>) {
        expect(relErr(fit.params[name]!, truth[name]), name).toBeLessThan(TOLERANCE[name]);
      }
      expect(fit.rmse_log).toBeLessThan(0.0015); // the noise is 0.001
    });
  });

  it('sparse law: the truth lies inside the 95% bootstrap intervals (coverage over 4 coefficient sets)', () => {
    let inside = 0;
    let total = 0;
    // each set gets its own noise draw: with one shared draw the four fits err the same way
    for (const [k, truth] of randomCoefficients(7, 4).entries()) {
      const points = syntheticSparse(truth, { seed: 100 + k, sigma: 0.003 });
      const fit = fitLaw(points, 'sparse', { ...options, bootstrap: 60 });
      expect(fit.bootstrap!.failed).toBeLessThanOrEqual(3);
      for (const [name, v] of Object.entries(truth)) {
        const [lo, hi] = fit.intervals[name]!;
        total++;
        if (lo <= v && v <= hi) inside++;
      }
    }
    // 95% percentile intervals from 60 replicates of correlated coefficients cover somewhat less than
    // nominal; demand at least 80% of the 28 intervals, which a broken bootstrap cannot reach.
    expect(inside / total).toBeGreaterThanOrEqual(0.8);
  });

  it('chinchilla law from dense synthetic data (Hoffmann et al. coefficients)', () => {
    const truth = { E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28 };
    const fit = fitLaw(syntheticDense(truth, { seed: 3, sigma: 0.001 }), 'chinchilla', options);
    expect(fit.converged).toBe(true);
    for (const [name, v] of Object.entries(truth))
      expect(relErr(fit.params[name]!, v), name).toBeLessThan(0.05);
  });
});
