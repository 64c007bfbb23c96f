import { describe, expect, it } from 'vitest';
import { baselineWarning } from '../../src/sparsity/baseline-check.js';

describe('baselineWarning', () => {
  it('warns when from-dense sparse trials share a sweep with dense trials trained from scratch', () => {
    const w = baselineWarning([
      { sparsity: 0, pruner: 'dense' },
      { sparsity: 0.5, pruner: 'from-dense' },
      { sparsity: 0.75, pruner: 'from-dense' },
    ]);
    expect(w).toMatch(
      /^2 sparse trials start from a pretrained dense model \(from-dense\), but the 1 dense \(S = 0\) trial is trained from scratch/,
    );
    expect(w).toMatch(/favours sparsity/);
  });

  it('is silent without from-dense trials', () => {
    expect(
      baselineWarning([
        { sparsity: 0, pruner: 'dense' },
        { sparsity: 0.5, pruner: 'gmp' },
      ]),
    ).toBeNull();
  });

  it("says, for from-dense trials alone, that D leaves the pretrained model's training out", () => {
    expect(
      baselineWarning([
        { sparsity: 0.5, pruner: 'from-dense' },
        { sparsity: 0.75, pruner: 'from-dense' },
      ]),
    ).toBe(
      "2 sparse trials start from a pretrained dense model (from-dense): D and the compute count the fine-tuning after pruning, not the pretrained model's own training, so a law fitted to them describes pruning a trained model at that budget, not training sparse from scratch as the paper's law does; count the pretrained model's data in D to compare with it",
    );
  });
});
