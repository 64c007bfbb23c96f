import { describe, expect, it } from 'vitest';
import { computeOptimalExponents, denseAsSparse, denseParams } from '../../src/law/dense-law.js';
import { sparseLoss } from '../../src/law/optimal.js';

/** Hoffmann et al. 2022's fitted coefficients (eq. 10). */
const HOFFMANN = { E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28 };

describe('the dense law', () => {
  it('as the sparse law at S = 0, predicts what E + A/N^alpha + B/D^beta does', () => {
    const sparse = denseAsSparse(HOFFMANN);
    for (const [N, D] of [
      [1e4, 1e5],
      [7e7, 1.4e9],
      [7e10, 1.4e12],
    ]) {
      const dense = HOFFMANN.E + HOFFMANN.A / N ** HOFFMANN.alpha + HOFFMANN.B / D ** HOFFMANN.beta;
      expect(sparseLoss(sparse, 0, N, D)).toBeCloseTo(dense, 10);
    }
  });

  it("gives Hoffmann et al.'s compute-optimal exponents (0.45 and 0.55 for their fit)", () => {
    const e = computeOptimalExponents(HOFFMANN);
    expect(e.n).toBeCloseTo(0.28 / 0.62, 12);
    expect(e.n + e.d).toBeCloseTo(1, 12);
    expect(e.n).toBeCloseTo(0.45, 2);
  });

  it('refuses coefficients that cannot drive the law, naming the coefficient', () => {
    expect(denseParams({ ...HOFFMANN, E: 0 })).toMatchObject({ E: 0 });
    expect(() => denseParams({ ...HOFFMANN, alpha: 0 })).toThrow(/alpha must be a finite number > 0; got 0/);
    expect(() => denseParams({ ...HOFFMANN, B: Number.NaN })).toThrow(/B must be/);
    expect(() => denseParams({ E: 1, A: 1, B: 1, alpha: 1 })).toThrow(/beta must be .* got undefined/);
  });
});
