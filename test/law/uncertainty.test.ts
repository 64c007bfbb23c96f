import { describe, expect, it } from 'vitest';
import { bootstrapFit } from '../../src/law/bootstrap.js';
import { LawInputError } from '../../src/law/errors.js';
import { fitLaw, reportableIntervals } from '../../src/law/fit.js';
import { fitCore } from '../../src/law/fit-core.js';
import { getLawForm } from '../../src/law/forms/index.js';
import { heldOutIndices, holdoutCheck, holdoutCount } from '../../src/law/holdout.js';
import { publishedCoefficients } from '../../src/law/published.js';
import { quantile } from '../../src/law/stats.js';
import type { FitOptions, LawPoint } from '../../src/law/types.js';
import { Rng } from '../../src/util/rng.js';
import { syntheticSparse } from './helpers.js';

const options: FitOptions = { loss: 'huber-log', delta: 1e-3, starts: 6, seed: 1, bootstrap: 0 };
const point = (nonzeroParams: number, id: string): LawPoint => ({
  sparsity: 0,
  nonzeroParams,
  tokens: 1,
  loss: 1,
  id,
});

describe('held-out check', () => {
  it('counts a fraction (rounded up) or a whole number of points', () => {
    expect(holdoutCount(0, 10)).toBe(0);
    expect(holdoutCount(0.2, 48)).toBe(10);
    expect(holdoutCount(0.01, 10)).toBe(1);
    expect(holdoutCount(3, 10)).toBe(3);
    expect(() => holdoutCount(1.5, 10)).toThrow(LawInputError);
    expect(() => holdoutCount(Number.NaN, 10)).toThrow(LawInputError);
  });

  it('holds out the largest-N points and never splits a model size', () => {
    const pts = [point(10, 'a'), point(30, 'b'), point(20, 'c'), point(30, 'd'), point(20, 'e')];
    expect(heldOutIndices(pts, 1)).toEqual([1, 3]); // both N = 30
    expect(heldOutIndices(pts, 2)).toEqual([1, 3]);
    expect(heldOutIndices(pts, 3)).toEqual([1, 2, 3, 4]);
    expect(heldOutIndices(pts, 0)).toEqual([]);
  });

  it("counts N within 5% as one model size (sizing's dense 24,064 and sparse 24,000 for a 24k target)", () => {
    const pts = [
      point(24064, 'dense'),
      point(24000, 'sparse'),
      point(12032, 'dense12'),
      point(12000, 'sparse12'),
    ];
    expect(heldOutIndices(pts, 1)).toEqual([0, 1]);
    // 5% below the smallest held-out N is still its size; 6% below is the next one
    expect(heldOutIndices([point(100, 'a'), point(95, 'b'), point(94, 'c')], 1)).toEqual([0, 1]);
  });

  it("groups a sweep's points by their N target when they carry one, however far sizing landed from it", () => {
    const at = (N: number, group: number) => ({ ...point(N, `${N}`), sizeGroup: group });
    // 24k target: dense 24,064, sparse 21,900 (9% below); 12k target: 12,500
    const pts = [at(24064, 24000), at(21900, 24000), at(12500, 12000)];
    expect(heldOutIndices(pts, 1)).toEqual([0, 1]);
    expect(heldOutIndices(pts, 3)).toEqual([0, 1, 2]);
  });

  it('predicts held-out larger models of synthetic data to within the noise', () => {
    const pts = syntheticSparse(publishedCoefficients.t5, { seed: 4, sigma: 0.002 });
    const fit = fitLaw(pts, 'sparse', { ...options, holdout: 0.2 });
    const h = fit.holdout!;
    expect(h.error).toBeUndefined();
    expect(h.converged).toBe(true);
    // 5 N levels × 4 sparsities with N = 1e4..3e6 non-zeros: the top fifth is the largest N level.
    expect(h.n_heldout).toBe(16);
    expect(h.n_train + h.n_heldout).toBe(pts.length);
    expect(h.heldout_min_nonzero_params).toBe(Math.max(...pts.map((p) => p.nonzeroParams)));
    // two of the five sizes held out: the smaller of them is named
    const two = holdoutCheck(pts, getLawForm('sparse'), { ...options, holdout: 0.4 });
    const sizes = [...new Set(pts.map((p) => p.nonzeroParams))].sort((a, b) => b - a);
    expect(two.n_heldout).toBe(32);
    expect(two.heldout_min_nonzero_params).toBe(sizes[1]);
    expect(h.rmse_log!).toBeLessThan(0.01);
    expect(h.residuals).toHaveLength(16);
    expect(Object.keys(h.params)).toEqual(Object.keys(fit.params));
  });

  it('reports a refit that predicts no finite loss as a failed check, not as one without errors', () => {
    // as on a sweep of two data sizes, where the refit ran a_D off to ∞ (b_D → 0) and predicted NaN
    const sparse = getLawForm('sparse');
    const ranOff = {
      ...sparse,
      toPaper: (...a: Parameters<typeof sparse.toPaper>) => ({ ...sparse.toPaper(...a), a_D: Infinity }),
    };
    const pts = syntheticSparse(publishedCoefficients.t5, { seed: 4, sigma: 0.002 });
    const h = holdoutCheck(pts, ranOff, { ...options, holdout: 0.2 });
    expect(h.error).toBe(
      'the refit without the 16 largest-N points predicts no finite loss for them: a_D is not finite, the refit ran off',
    );
    expect(h.converged).toBe(false);
    expect(h.rmse_log).toBeNull();
    expect(h.max_abs_rel_error).toBeNull();
    // the unchanged form still checks
    expect(holdoutCheck(pts, sparse, { ...options, holdout: 0.2 }).error).toBe(undefined);
    // finite coefficients that still predict no finite loss fail the check too
    const nanPredict = { ...sparse, predict: () => Number.NaN };
    expect(holdoutCheck(pts, nanPredict, { ...options, holdout: 0.2 }).error).toBe(
      'the refit without the 16 largest-N points predicts no finite loss for them',
    );
  });

  it('reports, rather than throws, when too little data is left to refit', () => {
    const pts = syntheticSparse(publishedCoefficients.t5, { seed: 4, sigma: 0.002, nLevels: 2, dLevels: 3 });
    const fit = fitLaw(pts, 'sparse', { ...options, holdout: 0.5 });
    // the count named is of the points left after holding out, not of the sweep (which has 2 N levels)
    expect(fit.holdout!.error).toMatch(
      /^cannot refit without the 12 largest-N points: of the 12 left \(N < [0-9.]+[kM]?\), .*1 distinct/,
    );
    expect(fit.holdout!.rmse_log).toBeNull();
    expect(fit.warnings.some((w) => w.startsWith('held-out check skipped'))).toBe(true);
  });
});

describe('bootstrap', () => {
  it('counts every replicate and gives intervals around the estimate', () => {
    const pts = syntheticSparse(publishedCoefficients.t5, { seed: 8, sigma: 0.002 });
    const fit = fitLaw(pts, 'sparse', { ...options, bootstrap: 30 });
    const b = fit.bootstrap!;
    expect(b.requested).toBe(30);
    expect(b.converged + b.failed).toBe(30);
    expect(b.converged).toBeGreaterThanOrEqual(28);
    for (const name of Object.keys(fit.params)) {
      const [lo, hi] = fit.intervals[name]!;
      expect(lo).toBeLessThanOrEqual(hi);
      expect(lo).toBeLessThanOrEqual(fit.params[name]! * 1.05);
      expect(hi).toBeGreaterThanOrEqual(fit.params[name]! * 0.95);
    }
  });

  it('gives 95% intervals: the 2.5% and 97.5% quantiles of the converged replicates', () => {
    const pts = syntheticSparse(publishedCoefficients.t5, { seed: 8, sigma: 0.002 });
    const form = getLawForm('sparse');
    const opts = { ...options, bootstrap: 20 };
    const full = fitCore(pts, { form, options: opts, rng: Rng.seeded(1), randomStarts: 6 });
    const boot = bootstrapFit(pts, full, form, opts, Rng.seeded(2));
    expect(boot.replicates.length).toBeGreaterThanOrEqual(18);
    for (const name of form.paramNames) {
      const v = boot.replicates.map((p) => p[name]);
      const [lo, hi] = boot.intervals[name];
      // (1 − 0.95)/2 is 0.025 to float precision
      expect(lo / quantile(v, 0.025)).toBeCloseTo(1, 12);
      expect(hi / quantile(v, 0.975)).toBeCloseTo(1, 12);
    }
  });

  it('counts a replicate whose fit did not converge as failed, and leaves it out of the intervals', () => {
    // two iterations converge no start: every replicate fails, none gives an interval
    const pts = syntheticSparse(publishedCoefficients.t5, { seed: 1, sigma: 0.002 });
    const fit = fitLaw(pts, 'sparse', { ...options, starts: 2, seed: 0, bootstrap: 10, maxIterations: 2 });
    expect(fit.bootstrap).toEqual({ requested: 10, converged: 0, failed: 10 });
    expect(fit.intervals).toEqual({});
  });

  it('counts unusable resamples as failures and warns', () => {
    // Only one point at the second sparsity level: about a third of resamples miss it.
    const pts = syntheticSparse(publishedCoefficients.t5, { seed: 2, sigma: 0.002, sparsities: [0] });
    pts.push({ ...pts[0]!, sparsity: 0.5, id: 'lonely' });
    const fit = fitLaw(pts, 'sparse', { ...options, starts: 2, bootstrap: 20 });
    expect(fit.bootstrap!.failed).toBeGreaterThan(2);
    expect(fit.bootstrap!.converged + fit.bootstrap!.failed).toBe(20);
    expect(fit.warnings.some((w) => /bootstrap replicates failed/.test(w))).toBe(true);
  });

  it('reports no intervals when fewer than half the replicates converged', () => {
    const iv = { E: [1, 2] as [number, number] };
    expect(reportableIntervals({ requested: 200, converged: 2, failed: 198 }, iv)).toEqual({
      intervals: {},
      warnings: [
        'only 2 of 200 bootstrap replicates converged (the others: unusable resample or no converged start): too few for intervals (at least half are needed), so none are reported',
      ],
    });
    expect(reportableIntervals({ requested: 200, converged: 99, failed: 101 }, iv).intervals).toEqual({});
    const half = reportableIntervals({ requested: 200, converged: 100, failed: 100 }, iv);
    expect(half.intervals).toEqual(iv);
    expect(half.warnings).toEqual([expect.stringMatching(/^100 of 200 bootstrap replicates failed/)]);
    expect(reportableIntervals({ requested: 200, converged: 195, failed: 5 }, iv)).toEqual({
      intervals: iv,
      warnings: [],
    });
    expect(reportableIntervals({ requested: 1, converged: 1, failed: 0 }, iv).intervals).toEqual({}); // one is no interval
  });

  it('says that intervals from fewer than 40 replicates are rough', () => {
    const iv = { E: [1, 2] as [number, number] };
    expect(reportableIntervals({ requested: 2, converged: 2, failed: 0 }, iv)).toEqual({
      intervals: iv,
      warnings: [
        'the 95% intervals come from 2 bootstrap replicates: their ends rest on the one or two most extreme, so they are rough and tend to be too narrow; --bootstrap 200 (the default) gives stable ones',
      ],
    });
    expect(reportableIntervals({ requested: 40, converged: 40, failed: 0 }, iv).warnings).toEqual([]);
  });

  it('quantile interpolates between order statistics (type 7)', () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.025)).toBeCloseTo(1.1, 12);
    expect(quantile([7], 0.975)).toBe(7);
    expect(quantile([], 0.5)).toBeNaN();
  });
});
