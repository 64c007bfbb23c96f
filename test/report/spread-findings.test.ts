import { describe, expect, it } from 'vitest';
import type { FinalPoint } from '../../src/report/points.js';
import { seedSpreadFinding, variantSpreadFinding } from '../../src/report/spread-findings.js';

const point = (over: Partial<FinalPoint>): FinalPoint => ({
  id: 'x',
  sparsity: 0.5,
  achieved: 0.5,
  N: 8000,
  D: 1e5,
  loss: 3,
  embedding: 4096,
  nTarget: 8000,
  dTarget: 1e5,
  seed: 0,
  group: '50% sparse',
  variant: 'pruner.name = gmp',
  context: '[]',
  ...over,
});

describe('spread findings', () => {
  it('compare pruner settings where they meet: mean and largest spread, and who had the lowest loss', () => {
    const gmp = 'pruner.name = gmp';
    const stat = 'pruner.name = static';
    const pts = [
      // cell 1: 2.00 vs 2.02 → 1%; gmp lower
      point({ variant: gmp, loss: 2 }),
      point({ variant: stat, loss: 2.02 }),
      // cell 2 (another D): 3.03 vs 3.00 → 1%... static lower, spread 0.03/3 = 1%
      point({ variant: gmp, dTarget: 2e5, loss: 3.03 }),
      point({ variant: stat, dTarget: 2e5, loss: 3 }),
      // cell 3: 2.5 vs 2.6 → 4%; gmp lower
      point({ variant: gmp, sparsity: 0.75, loss: 2.5 }),
      point({ variant: stat, sparsity: 0.75, loss: 2.6 }),
      // alone in its cell: not compared; dense trials never are
      point({ variant: gmp, nTarget: 16000, loss: 1 }),
      point({ variant: '', sparsity: 0, loss: 9 }),
    ];
    expect(variantSpreadFinding(pts)).toBe(
      'Between pruner settings (pruner.name = gmp; pruner.name = static): at equal S, N, D and seed, final losses differ by 2% ' +
        'on average and 4% at most (3 comparisons); lowest loss: pruner.name = gmp: 2 of 3; pruner.name = static: 1 of 3. ' +
        // by hand: 2/2.02 − 1, 3.03/3 − 1, 2.5/2.6 − 1 = −0.99%, +1%, −3.85%: mean −1.28%, standard error 1.41%
        'Mean difference in final loss, pair by pair: pruner.name = gmp against pruner.name = static: -1.3% ± 1.4% (standard error, 3 pairs).',
    );
    expect(variantSpreadFinding(pts.filter((p) => p.variant !== stat))).toBeNull();
    // a third setting: every pair is compared, each over the cells where both trained
    const rigl = 'pruner.name = rigl';
    const three = [
      ...pts,
      point({ variant: rigl, loss: 2.04 }),
      point({ variant: rigl, dTarget: 2e5, loss: 3.06 }),
    ];
    const said = variantSpreadFinding(three) ?? '';
    expect(said).toContain('pruner.name = gmp against pruner.name = rigl: ');
    expect(said).toContain('(standard error, 2 pairs)');
    expect(said).toContain('pruner.name = rigl against pruner.name = static: ');
    expect(said).toContain(
      'pruner.name = gmp against pruner.name = static: -1.3% ± 1.4% (standard error, 3 pairs)',
    );
    // pairs that all differ by the same fraction: a rounding error, not an error bar
    const alike = [
      point({ variant: gmp, loss: 2 }),
      point({ variant: stat, loss: 2.2 }),
      point({ variant: gmp, dTarget: 2e5, loss: 3 }),
      point({ variant: stat, dTarget: 2e5, loss: 3.3 }),
    ];
    // one comparison: its spread, not an average and a largest of one
    expect(variantSpreadFinding(alike.slice(0, 2))).toContain('final losses differ by 10% (1 comparison);');
    // one pair: no mean difference with a standard error of one (it would read "± -")
    expect(variantSpreadFinding(alike.slice(0, 2))).toBe(
      'Between pruner settings (pruner.name = gmp; pruner.name = static): at equal S, N, D and seed, final losses differ by 10% (1 comparison); ' +
        'lowest loss: pruner.name = gmp: 1 of 1; pruner.name = static: 0 of 1.',
    );
    expect(variantSpreadFinding(alike)).toContain(
      'pruner.name = gmp against pruner.name = static: -9.1% ± less than 0.01% (standard error, 2 pairs)',
    );
  });

  it('give the seed-to-seed spread as the noise floor, when there are several seeds', () => {
    const pts = [
      point({ seed: 0, loss: 2 }),
      point({ seed: 1, loss: 2.1 }), // 5%
      point({ seed: 0, dTarget: 2e5, loss: 3 }),
      point({ seed: 1, dTarget: 2e5, loss: 3.03 }), // 1%
    ];
    expect(seedSpreadFinding(pts)).toBe(
      'Seed to seed: at equal settings, final losses differ by 3% on average and 5% at most (2 comparisons): a difference between single trials smaller than 5% can be seed noise.',
    );
    expect(seedSpreadFinding(pts.filter((p) => p.seed === 0))).toBeNull();
  });
});
