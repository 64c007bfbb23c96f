import { describe, expect, it } from 'vitest';
import { EPOCHS_LIMIT, epochsOf, repeatedDataWarning } from '../../src/config/epochs-check.js';
import { planOf } from '../helpers/config.js';

describe('epochs over the training split', () => {
  it('counts the text an lm reads (seq_len + 1 tokens per seq_len predicted) over the training stream', () => {
    const plan = planOf(
      'name: e\ndata: {source: synthetic, vocab_size: 16, branching: 2, train_tokens: 10000}\n' +
        'train: {batch_size: 4, seq_len: 16}\nsweep: {sparsity: 0, nonzero_params: 2k, tokens: [6400, 64000]}\n',
    );
    const [small, large] = plan.trials;
    // 100 steps x 64 tokens = 6,400 predicted, 6,800 read of 10,000
    expect(epochsOf(small)).toBeCloseTo(0.68, 12);
    expect(epochsOf(large)).toBeCloseTo(6.8, 12);
    expect(repeatedDataWarning([small])).toBeNull();
    expect(repeatedDataWarning(plan.trials)).toBe(
      "1 of 2 trials read their training data more than 4 times over (up to 6.8 epochs, D = 64k tokens): the law's data term takes D as new data, and repeated data is worth clearly less past about 4 epochs (Muennighoff et al. 2023); give more data or smaller budgets",
    );
  });

  it('names the trial that repeats most, wherever it is in the plan', () => {
    const plan = planOf(
      'name: e\ndata: {source: synthetic, vocab_size: 16, branching: 2, train_tokens: 10000}\n' +
        'train: {batch_size: 4, seq_len: 16}\nsweep: {sparsity: 0, nonzero_params: 2k, tokens: [64000, 128000]}\n',
    );
    // 64,000 predicted = 68,000 read of 10,000: 6.8 epochs; 128,000 = 136,000 read: 13.6, the last in the plan
    expect(plan.trials.map((t) => epochsOf(t))).toEqual([expect.closeTo(6.8, 12), expect.closeTo(13.6, 12)]);
    expect(repeatedDataWarning(plan.trials)).toMatch(
      /^2 of 2 trials read their training data more than 4 times over \(up to 13\.6 epochs, D = 128k tokens\): /,
    );
  });

  it('counts images seen over the training images, and a t5 window by the text it reads', () => {
    const vit = planOf(
      'name: e\nmodel: {family: vit, patch_size: 4}\ndata: {source: synthetic-images, size: 8, train_images: 100}\n' +
        'train: {batch_size: 10}\nsweep: {sparsity: 0, nonzero_params: 6k, tokens: 1000}\n',
    );
    expect(epochsOf(vit.trials[0])).toBe(10);
    const t5 = planOf(
      'name: e\nmodel: {family: t5}\ndata: {source: synthetic, vocab_size: 16, branching: 2, train_tokens: 100000}\n' +
        'train: {batch_size: 4, seq_len: 60}\nsweep: {sparsity: 0, nonzero_params: 6k, tokens: 24000}\n',
    );
    // 100 steps x 4 examples of 66 raw tokens (input 60) = 26,400 of 100,000
    expect(epochsOf(t5.trials[0])).toBeCloseTo(0.264, 12);
  });

  it('bounds Brown without loading it while the bound already shows a trial within the limit', () => {
    const plan = planOf('name: e\nsweep: {sparsity: 0, nonzero_params: 6k, tokens: [100k, 30M]}\n');
    expect(epochsOf(plan.trials[0])).toBeLessThan(0.03); // from the floor of 475 texts x 10,000 tokens
    expect(epochsOf(plan.trials[1])).toBeGreaterThan(EPOCHS_LIMIT); // exact: 30M of Brown's ~5.66M
  });
});
