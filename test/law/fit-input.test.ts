import { describe, expect, it } from 'vitest';
import { fitSummaryLines } from '../../src/law/describe.js';
import { LawInputError } from '../../src/law/errors.js';
import { checkLawInput, defaultFitOptions, fitLaw } from '../../src/law/fit.js';
import { optimumUndetermined } from '../../src/law/optimal.js';
import { publishedCoefficients } from '../../src/law/published.js';
import type { FitOptions, LawPoint } from '../../src/law/types.js';
import { levelCount, sizeCount } from '../../src/law/validate.js';
import { syntheticSparse } from './helpers.js';

const quick: FitOptions = { loss: 'huber-log', delta: 1e-3, starts: 4, seed: 0, bootstrap: 0 };
const points = syntheticSparse(publishedCoefficients.t5, { seed: 1, sigma: 0.002, nLevels: 3, dLevels: 3 });

const thrown = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LawInputError);
    return (e as Error).message;
  }
  throw new Error('expected a LawInputError');
};

describe('fitLaw input checks', () => {
  it('needs one more point than parameters', () => {
    expect(thrown(() => fitLaw(points.slice(0, 7), 'sparse', quick))).toBe(
      "form 'sparse' has 7 coefficients and needs at least 8 points; got 7",
    );
    expect(thrown(() => fitLaw(points.slice(0, 5), 'chinchilla', quick))).toMatch(
      /needs at least 6 points; got 5/,
    );
  });

  it('counts model sizes by their N target, or N within 5%: measured N a few weights apart are one size', () => {
    // one size whose sparse trials measure a few weights below the dense one (3,996 against 4,000)
    const one = points.map((p) => ({
      ...p,
      nonzeroParams: 4000 - (p.sparsity > 0 ? 4 : 0),
      sizeGroup: 4000,
    }));
    expect(sizeCount(one)).toBe(1);
    expect(thrown(() => fitLaw(one, 'sparse', quick))).toMatch(
      /the data have 1 distinct non-zero parameter count N \(model sizes\) value/,
    );
    const ungrouped = one.map(({ sizeGroup: _, ...p }) => p);
    expect(sizeCount(ungrouped)).toBe(1);
    expect(thrown(() => fitLaw(ungrouped, 'chinchilla', quick))).toMatch(
      /1 distinct non-zero parameter count N/,
    );
    expect(sizeCount([{ nonzeroParams: 4000 }, { nonzeroParams: 8000 }, { nonzeroParams: 8100 }])).toBe(2);
  });

  it('does not run the held-out check on one model size: b_N would be free', () => {
    // two sizes whose measured N differ across sparsities; holding out the larger leaves one size to refit on
    const two = points
      .filter((p) => p.nonzeroParams !== Math.max(...points.map((q) => q.nonzeroParams)))
      .map((p) => ({
        ...p,
        sizeGroup: p.nonzeroParams,
        nonzeroParams: p.nonzeroParams - (p.sparsity > 0 ? 4 : 0),
      }));
    const fit = fitLaw(two, 'sparse', { ...quick, holdout: 0.2 });
    expect(fit.holdout?.error).toMatch(/1 distinct non-zero parameter count N \(model sizes\)/);
  });

  it('rejects a single sparsity level for the sparse form and suggests chinchilla', () => {
    const dense = points.filter((p) => p.sparsity === 0);
    expect(thrown(() => fitLaw(dense, 'sparse', quick))).toMatch(
      /1 distinct sparsity value.*use form 'chinchilla'/,
    );
  });

  it('rejects a single N or D level', () => {
    const oneN = points.filter((p) => p.nonzeroParams === points[0]!.nonzeroParams);
    expect(thrown(() => fitLaw([...oneN, ...oneN], 'sparse', quick))).toMatch(
      /distinct non-zero parameter count/,
    );
    const oneD = points.filter((p) => p.tokens === points[0]!.tokens);
    expect(thrown(() => fitLaw(oneD, 'sparse', quick))).toMatch(/1 distinct data size D/);
  });

  it('rejects bad values, naming the point', () => {
    const bad = (patch: Partial<LawPoint>, i = 3) => points.map((p, j) => (j === i ? { ...p, ...patch } : p));
    expect(thrown(() => fitLaw(bad({ loss: 0 }), 'sparse', quick))).toMatch(
      /^point 3 \(id [^)]+\): loss must be > 0, got 0$/,
    );
    expect(thrown(() => fitLaw(bad({ loss: -2 }), 'sparse', quick))).toMatch(/loss must be > 0/);
    expect(thrown(() => fitLaw(bad({ tokens: Number.NaN }), 'sparse', quick))).toMatch(
      /tokens must be a finite number, got NaN/,
    );
    expect(thrown(() => fitLaw(bad({ nonzeroParams: Number.POSITIVE_INFINITY }), 'sparse', quick))).toMatch(
      /finite/,
    );
    expect(thrown(() => fitLaw(bad({ nonzeroParams: 0 }), 'sparse', quick))).toMatch(
      /nonzeroParams must be > 0/,
    );
    expect(thrown(() => fitLaw(bad({ tokens: -1 }), 'sparse', quick))).toMatch(/tokens must be > 0/);
    expect(thrown(() => fitLaw(bad({ sparsity: 1 }), 'sparse', quick))).toMatch(
      /sparsity must be in \[0, 1\)/,
    );
    expect(thrown(() => fitLaw(bad({ sparsity: -0.1 }), 'sparse', quick))).toMatch(/sparsity must be in/);
    const noId = points.map(({ id: _id, ...p }) => p);
    noId[0] = { ...noId[0]!, loss: Number.NaN };
    expect(thrown(() => fitLaw(noId, 'sparse', quick))).toMatch(/^point 0: loss/);
  });

  it('rejects unknown forms and bad options', () => {
    expect(thrown(() => fitLaw(points, 'kaplan', quick))).toMatch(
      /unknown law form 'kaplan'; known forms: sparse, chinchilla/,
    );
    expect(thrown(() => fitLaw(points, 'sparse', { ...quick, delta: 0 }))).toMatch(
      /delta must be a finite number > 0/,
    );
    expect(thrown(() => fitLaw(points, 'sparse', { ...quick, starts: 0 }))).toMatch(
      /starts must be a whole number from 1 to 10000/,
    );
    expect(thrown(() => fitLaw(points, 'sparse', { ...quick, bootstrap: 1.5 }))).toMatch(/bootstrap/);
    expect(thrown(() => fitLaw(points, 'sparse', { ...quick, loss: 'l2' as never }))).toMatch(
      /'huber-log' or 'huber'/,
    );
    expect(thrown(() => fitLaw(points, 'sparse', { ...quick, holdout: 2.5 }))).toMatch(/holdout/);
    expect(thrown(() => fitLaw(points, 'sparse', { ...quick, holdout: -1 }))).toMatch(/holdout/);
  });

  it('warns with fewer than 3 points per parameter and with 2 sparsity levels', () => {
    const few = points.filter((p) => p.sparsity === 0 || p.sparsity === 0.5).slice(0, 18);
    const fit = fitLaw(few, 'sparse', quick);
    expect(fit.warnings).toContain(
      '7 parameters from 18 points: the fit is weakly determined (fewer than 3 per parameter)',
    );
    expect(fit.warnings.some((w) => w.startsWith('only 2 sparsity levels'))).toBe(true);
    expect(fit.warnings.join('\n')).not.toContain('no dense');
  });

  it('warns when the law misses the points by more than 10% RMS in log loss', () => {
    const noisy = syntheticSparse(publishedCoefficients.t5, { seed: 2, sigma: 0.5, nLevels: 3, dLevels: 3 });
    const fit = fitLaw(noisy, 'sparse', quick);
    expect(fit.rmse_log).toBeGreaterThan(0.1);
    expect(fit.warnings).toContainEqual(
      expect.stringMatching(
        /^the law misses these points by 0\.\d+ RMS in log loss \(a factor of 1\.\d+ on a typical point\): its form does not describe them/,
      ),
    );
    expect(fitLaw(points, 'sparse', quick).warnings.join('\n')).not.toContain('the law misses');
  });

  it('warns without a dense point, whose figures the law then extrapolates to S = 0', () => {
    const sparse = points.filter((p) => p.sparsity > 0);
    const lowest = Math.min(...sparse.map((p) => p.sparsity));
    expect(checkLawInput(sparse, 'sparse')).toContain(
      `no dense (S = 0) point, the lowest sparsity is ${lowest}: where sparsity pays, the dense-equivalent sizes and the dense compute-optimal data all compare with a dense model the law extrapolates to, so read them with their ranges; dense trials (sparsity 0 in the sweep) measure it`,
    );
    expect(checkLawInput(points, 'sparse').join('\n')).not.toContain('no dense');
  });
});

describe('fitLaw behaviour', () => {
  it('reports an unconverged fit as such', () => {
    const fit = fitLaw(points, 'sparse', { ...quick, maxIterations: 2 });
    expect(fit.converged).toBe(false);
    expect(fit.startsConverged).toBe(0);
    expect(fit.warnings.some((w) => w.startsWith('fit did not converge'))).toBe(true);
    expect(fit.startSpread).toEqual({});
  });

  it('is deterministic for a seed and plain JSON', () => {
    const options = { ...quick, bootstrap: 5, holdout: 0.25 };
    const a = fitLaw(points, 'sparse', options);
    const b = fitLaw(points, 'sparse', options);
    expect(a).toEqual(b);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
    expect(Object.keys(a.params)).toEqual(['a_S', 'b_S', 'c_S', 'b_N', 'a_D', 'b_D', 'c']);
    expect(a.residuals).toHaveLength(points.length);
    expect(a.residuals[0]!.id).toBe(points[0]!.id);
  });

  it('default options follow SCIENCE.md (huber-log, δ = 1e-3, 25 starts)', () => {
    const d = defaultFitOptions('sparse');
    expect([d.loss, d.delta, d.starts]).toEqual(['huber-log', 1e-3, 25]);
    expect(defaultFitOptions('chinchilla').starts).toBe(25);
  });
});

describe('the optimum and the levels of S and D', () => {
  it('is reported only from 3 or more sparsity levels and 3 or more data sizes, and says why not', () => {
    expect(optimumUndetermined(points)).toBeNull();
    const twoD = syntheticSparse(publishedCoefficients.t5, { seed: 1, sigma: 0.002, nLevels: 3, dLevels: 2 });
    expect(optimumUndetermined(twoD)).toBe(
      "2 data sizes D leave the data term's exponent b_D free, and the optimal sparsity depends on it: the data do not determine it (sweep 3 or more of each)",
    );
    const twoS = syntheticSparse(publishedCoefficients.t5, {
      seed: 1,
      sigma: 0.002,
      sparsities: [0, 0.5],
      nLevels: 3,
      dLevels: 2,
    });
    expect(optimumUndetermined(twoS)).toMatch(
      /^2 sparsity levels leave the sparsity term's shape \(b_S\) free, and 2 data sizes D leave the data term's exponent b_D free, and the optimal sparsity depends on both/,
    );
    // measured sparsities a weight apart are one level: two levels still leave b_S free
    const jittered = twoS.map((p, i) => ({ ...p, sparsity: p.sparsity === 0 ? 0 : 0.5 + (i % 3) * 1e-4 }));
    expect(new Set(jittered.map((p) => p.sparsity)).size).toBe(4);
    expect(optimumUndetermined(jittered)).toMatch(/^2 sparsity levels leave/);
    expect(levelCount([0.5, 0.50004, 0.4999, 1, 0.125, 0.1])).toBe(4);
    // values 0.9% apart chain across 2.4×: measured from each level's smallest, not from the last value
    const chain = Array.from({ length: 100 }, (_, i) => 1.009 ** i);
    expect(levelCount(chain)).toBe(50);
    // N 4% apart at 5%: each level takes two (6000, 6240), not all sixteen
    expect(
      levelCount(
        Array.from({ length: 16 }, (_, i) => 6000 * 1.04 ** i),
        0.05,
      ),
    ).toBe(8);
    // the fit keeps its coefficients and says why it gives no figures
    const withOptimum = fitLaw(points, 'sparse', quick);
    expect(withOptimum.optimumUndetermined).toBeNull();
    expect(withOptimum.optimal).toBeDefined();
    const without = fitLaw(twoD, 'sparse', quick);
    expect(without.optimumUndetermined).toBe(optimumUndetermined(twoD));
    expect(without.optimal).toBeUndefined();
    expect(fitSummaryLines(without)).toContain(`optimal sparsity: none: ${optimumUndetermined(twoD)}`);
  });
});
