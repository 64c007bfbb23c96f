import { describe, expect, it } from 'vitest';
import { fitLaw } from '../../src/law/fit.js';
import { denseComputeOptimalData } from '../../src/law/optimal.js';
import {
  beyondSparsityWarning,
  EXTRAPOLATED_OPTIMUM,
  extrapolatedOptimumWarning,
  PARTLY_EXTRAPOLATED,
  summariseOptimalSparsity,
} from '../../src/law/optimal-summary.js';
import { publishedCoefficients } from '../../src/law/published.js';
import type { FitOptions } from '../../src/law/types.js';
import { finalPoints } from '../../src/report/points.js';
import type { StoredFit } from '../../src/report/types.js';
import { fitNotices } from '../../src/report/warnings.js';
import { FIT_GRID, fitOf, grid, reportData } from '../report/fixtures.js';
import { syntheticSparse } from './helpers.js';

const t5 = publishedCoefficients.t5;
const options: FitOptions = { loss: 'huber-log', delta: 1e-3, starts: 6, seed: 1, bootstrap: 0, holdout: 0 };

describe('optimal-sparsity figures beyond every point', () => {
  it('warns when every point trains below its dense compute-optimal data, with their range of multiples', () => {
    const N = 1e6;
    const dOpt = denseComputeOptimalData(t5, N);
    // C/(6N) = D/(1 − S): 0.01× dense, and 0.04× at 75% on the same data
    const points = [
      { sparsity: 0, nonzeroParams: N, tokens: 0.01 * dOpt },
      { sparsity: 0.75, nonzeroParams: N, tokens: 0.01 * dOpt },
    ];
    expect(extrapolatedOptimumWarning(t5, points)).toBe(
      `${EXTRAPOLATED_OPTIMUM}, as the data a dense model of its N would train on (C/(6N) = D/(1-S)), is below that model's compute-optimal data under this fit (0.01x to 0.04x): the optimal-sparsity figures, at 1x to 100x of it, are extrapolations of the law, not measurements`,
    );
    // a point at 1x (half the data at 50%) brings the 1x figures within reach, not those at 2x to 100x
    const reaching = { sparsity: 0.5, nonzeroParams: N, tokens: 0.5 * dOpt };
    expect(extrapolatedOptimumWarning(t5, [...points, reaching])).toBe(
      `${PARTLY_EXTRAPOLATED} 1x the dense compute-optimal data of their N under this fit (as the data a dense model of that N would train on with their compute, C/(6N) = D/(1-S)): the optimal-sparsity figures at 2x, 4x, 10x, 100x lie beyond every point, extrapolations of the law, not measurements`,
    );
    // points reaching 100x: every figure lies within them
    const far = { sparsity: 0, nonzeroParams: N, tokens: 100 * dOpt };
    expect(extrapolatedOptimumWarning(t5, [...points, far])).toBeNull();
    expect(extrapolatedOptimumWarning(t5, [])).toBeNull();
  });

  it("is among fit-law's warnings when the points all lie below, and not when they reach past it", () => {
    // T5's law puts the compute-optimal data of N 1e4-3e6 at 3e4-2e7 tokens: the grid's 5e5-5e7 reach past it
    const reach = fitLaw(syntheticSparse(t5, { seed: 4, sigma: 0.002 }), 'sparse', options);
    expect(reach.optimal).toBeDefined();
    expect(reach.warnings.filter((w) => w.startsWith(EXTRAPOLATED_OPTIMUM))).toEqual([]);
    // a data term 1e9 times slower: the same grid lies far below
    const slow = { ...t5, a_D: t5.a_D * 1e9 };
    const below = fitLaw(syntheticSparse(slow, { seed: 4, sigma: 0.002 }), 'sparse', options);
    expect(below.optimal).toBeDefined();
    const said = below.warnings.filter((w) => w.startsWith(EXTRAPOLATED_OPTIMUM));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/under this fit \([0-9.e-]+x to [0-9.e-]+x\)/);
  });

  it('is said once in the report: in its own words, not again among the fit-law warnings', () => {
    const trials = grid(FIT_GRID);
    const points = finalPoints(trials);
    const stored = fitOf(trials);
    // a law whose compute-optimal data lie far beyond every trial
    const far = { ...stored, params: { ...stored.params!, a_D: stored.params!.a_D * 1e12 } };
    const line = `${EXTRAPOLATED_OPTIMUM}, as the data ...`;
    const older = { ...far, fit: { ...far.fit, warnings: ['c is at its lower bound 0'] } };
    const newer = { ...far, fit: { ...far.fit, warnings: ['c is at its lower bound 0', line] } };
    const said = (fit: StoredFit) => {
      const notices = fitNotices(reportData(trials, fit), points);
      return {
        byReport: notices.filter((n) => n.text.includes("was below that model's compute-optimal data"))
          .length,
        byFitLaw: notices.flatMap((n) => n.items ?? []),
      };
    };
    expect(said(older)).toEqual({ byReport: 1, byFitLaw: ['c is at its lower bound 0'] });
    expect(said(newer)).toEqual({ byReport: 1, byFitLaw: ['c is at its lower bound 0'] });
    // a law whose trials reach past it: neither says it, and fit-law's other warnings stay
    expect(said(stored).byReport).toBe(0);
  });
});

describe('optimal-sparsity figures above the largest fitted sparsity', () => {
  // the paper's T5 figures: S_opt 0, 0, 0.062, 0.23, 0.54 at 1x to 100x; dense-equivalent at 50%, 75%, 87.5%
  const figures = summariseOptimalSparsity(t5);
  const at = (...levels: number[]) => levels.map((sparsity) => ({ sparsity }));

  it('names each figure above them: S_opt at a data multiple, a dense-equivalent size', () => {
    expect(beyondSparsityWarning(figures, at(0, 0.5, 0.75))).toBe(
      'the dense-equivalent size at 87.5% lies above the largest sparsity fitted (75%): an extrapolation of the law in S, not a measurement',
    );
    expect(beyondSparsityWarning(figures, at(0, 0.2))).toBe(
      'S_opt at 10x (0.23) and 100x (0.54), and the dense-equivalent sizes at 50%, 75% and 87.5% lie above the largest sparsity fitted (20%): extrapolations of the law in S, not measurements',
    );
  });

  it('is silent when every figure lies within them (to rounding of a measured sparsity)', () => {
    expect(beyondSparsityWarning(figures, at(0, 0.5, 0.75, 0.875))).toBeNull();
    expect(beyondSparsityWarning(figures, at(0, 0.8712))).toBeNull();
    expect(beyondSparsityWarning(figures, [])).toBeNull();
  });
});
