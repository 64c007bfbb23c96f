import { describe, expect, it } from 'vitest';
import { queryExtrapolation } from '../../src/law/query-reach.js';

/** Two points: N 1k and 4k; C = 6·N/(1−S)·D = 6e7 and 4.8e8. */
const POINTS = [
  { sparsity: 0, nonzeroParams: 1000, tokens: 1e4, loss: 3 },
  { sparsity: 0.5, nonzeroParams: 4000, tokens: 1e4, loss: 2.5 },
];

describe('how far an --optimal query reaches beyond the fitted trials', () => {
  it('is silent inside the range (and up to 1.5x beyond it)', () => {
    expect(queryExtrapolation({ N: 2000, C: 1e8 }, POINTS)).toBeNull();
    expect(queryExtrapolation({ N: 5000, C: 7e8 }, POINTS)).toBeNull();
  });

  it('names N and C beyond the largest, or below the smallest, as multiples', () => {
    // 1e6 / 4000 = 250; 4.8e11 / 4.8e8 = 1000
    expect(queryExtrapolation({ N: 1e6, C: 4.8e11 }, POINTS)).toBe(
      'N is 250× the largest fitted (4k); C is 1000× the largest fitted (480M)',
    );
    // 1000 / 100 = 10
    expect(queryExtrapolation({ N: 100, C: 1e8 }, POINTS)).toBe('N is 1/10 of the smallest fitted (1k)');
  });

  it('names an answer above the largest fitted sparsity, beyond rounding', () => {
    expect(queryExtrapolation({ N: 2000, C: 1e8 }, POINTS, 0.62)).toBe(
      'S_opt is above the largest fitted sparsity (0.5)',
    );
    expect(queryExtrapolation({ N: 2000, C: 1e8 }, POINTS, 0.504)).toBeNull();
  });
});
