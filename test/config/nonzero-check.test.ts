import { describe, expect, it } from 'vitest';
import { nonzeroMissWarning } from '../../src/config/nonzero-check.js';

const planned = (id: string, target: number, nonzero: number, sparsity = 0.75) => ({
  id,
  nonzero_params: nonzero,
  spec: { nonzero_params: target, sparsity },
});

describe('planned non-zero counts against their N target', () => {
  it('say nothing within 10% (sizing stays within 5%)', () => {
    expect(
      nonzeroMissWarning([planned('a'.repeat(16), 12000, 12032), planned('b'.repeat(16), 6000, 5500)]),
    ).toBeNull();
  });

  it('name the count and the worst miss, in either direction', () => {
    const w = nonzeroMissWarning([
      planned('a'.repeat(16), 12000, 13500),
      planned('83ae3c35d4c5132d', 12000, 26544),
      planned('c'.repeat(16), 12000, 12000),
    ]);
    expect(w).toMatch(
      /^2 trials plan a non-zero count more than 10% from its N target \(83ae3c35: 26544 non-zero for N 12000 at S 0\.75, 2\.21x\)/,
    );
    expect(w).toContain('pruner.distribution.dense');
    expect(nonzeroMissWarning([planned('d'.repeat(16), 12000, 9000)])).toMatch(/^1 trial plans .*0\.75x/);
    // the worst miss by its distance from 1, listed last: 0.5x below is further off than 1.25x above
    expect(
      nonzeroMissWarning([planned('e'.repeat(16), 12000, 15000), planned('f'.repeat(16), 12000, 6000)]),
    ).toMatch(
      /^2 trials plan a non-zero count more than 10% from its N target \(ffffffff: 6000 non-zero for N 12000 at S 0\.75, 0\.50x\)/,
    );
  });
});
