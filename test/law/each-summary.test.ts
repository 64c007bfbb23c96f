import { describe, expect, it } from 'vitest';
import { type EachFit, eachSummary } from '../../src/law/each-summary.js';
import type { LawFit } from '../../src/law/types.js';

/** A usable sparse fit whose figures are `eq` (dense-equivalent at 75%) and `at` (S_opt at 10x), with intervals. */
function made(value: string, eq: [number, [number, number]?], at: [number, [number, number]?]): EachFit {
  const fit = {
    form: 'sparse',
    n_points: 36,
    converged: true,
    rmse_log: 0.03,
    optimal: {
      data_multiple_where_sparsity_pays: 1,
      dense_equivalent: [{ sparsity: 0.75, factor: eq[0], ...(eq[1] ? { interval: eq[1] } : {}) }],
      at_data_multiples: [{ data_multiple: 10, sparsity: at[0], ...(at[1] ? { interval: at[1] } : {}) }],
    },
  } as unknown as LawFit;
  return { value, fitId: null, fit, usable: true };
}

describe('fit-law --each summary', () => {
  it('says whether the intervals of the extremes overlap, so that the range is not read as a difference', () => {
    const wide = eachSummary('pruner.name', [
      made('gmp', [29.2, [1.47, 6.8e6]], [0.62, [0, 1]]),
      made('rigl', [96.6, [1.71, 4.4e10]], [0.8, [0, 1]]),
      made('static', [23.2, [1.47, 1.2e10]], [0.55, [0, 1]]),
    ]);
    expect(wide).toContain('across the 3 fits that stand: dense-equivalent at 75% from 23.2x to 96.6x');
    expect(wide).toContain(
      'the 95% intervals of the highest and the lowest fit overlap for dense-equivalent at 75% and S_opt at 10x: on them these fits do not tell the settings apart (nor show them alike)',
    );
    const split = eachSummary('seed', [
      made('0', [3, [2.5, 3.5]], [0.4, [0.1, 0.7]]),
      made('1', [6, [5, 7]], [0.5, [0.2, 0.8]]),
    ]);
    expect(split).toContain(
      'the 95% intervals of the two fits do not overlap for dense-equivalent at 75%; the 95% intervals of the two fits overlap for S_opt at 10x: on it these fits do not tell the seeds apart (nor show them alike)',
    );
    // a fit without intervals (no bootstrap): no verdict
    const bare = eachSummary('pruner.name', [
      made('gmp', [3], [0.4]),
      made('rigl', [6, [5, 7]], [0.5, [0.2, 0.8]]),
    ]);
    expect(bare).toContain('across the 2 fits that stand');
    expect(bare).not.toContain('95% intervals');
  });
});
