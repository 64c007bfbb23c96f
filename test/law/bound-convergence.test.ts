import { describe, expect, it } from 'vitest';
import { defaultFitOptions, fitLaw } from '../../src/law/fit.js';
import type { LawPoint } from '../../src/law/types.js';

/**
 * Twelve real trials (tiny lm on Brown: S 0/0.5/0.75, N 4k/8k, D 16k/32k) whose best fits put c_S at its lower
 * bound 0. Before at-bound coordinates were left out of the convergence tests, the bound's own Newton step (≈ 1)
 * failed 24 of 25 starts that reached F = 7.209e-6, and the fit reported the one "converged" start at F = 9.08e-6,
 * with b_S at 0 and no optimal sparsity.
 */
const TRIALS: [number, number, number, number][] = [
  [0.0, 4000, 15872, 3.4645497500896454],
  [0.0, 4000, 32000, 3.1656837463378906],
  [0.0, 8000, 15872, 3.190741926431656],
  [0.0, 8000, 32000, 3.157390922307968],
  [0.5, 4000, 15872, 3.189918428659439],
  [0.5, 4000, 32000, 3.150228828191757],
  [0.5, 8000, 15872, 3.1767300367355347],
  [0.5, 8000, 32000, 3.1440091729164124],
  [0.75, 4000, 15872, 3.177396148443222],
  [0.75, 4000, 32000, 3.131763309240341],
  [0.75, 7992, 15872, 3.158509612083435],
  [0.75, 7992, 32000, 3.14394947886467],
];

describe('a fit with a coefficient at its bound', () => {
  it('counts the starts that reached the lowest loss as converged, and reports that optimum', () => {
    const points: LawPoint[] = TRIALS.map(([sparsity, nonzeroParams, tokens, loss]) => ({
      sparsity,
      nonzeroParams,
      tokens,
      loss,
    }));
    const fit = fitLaw(points, 'sparse', { ...defaultFitOptions('sparse'), bootstrap: 0, holdout: 0 });
    expect(fit.converged).toBe(true);
    expect(fit.loss).toBeLessThan(7.22e-6);
    expect(fit.atLowerBound).toContain('c_S');
    expect(fit.atLowerBound).not.toContain('b_S');
    expect(fit.params.b_S).toBeCloseTo(0.358, 2);
    // the box's starts that reach it count too (before: only the 1 "converged" one, at the worse loss)
    expect(fit.startsAtBest).toBeGreaterThanOrEqual(20);
  });
});
