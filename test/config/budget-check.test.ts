import { describe, expect, it } from 'vitest';
import { sameTrainingWarning } from '../../src/config/budget-check.js';
import { planOf } from '../helpers/config.js';

const config = (tokens: string) => `name: budgets
data: {source: synthetic, vocab_size: 16, branching: 2, train_tokens: 20000, validation_tokens: 2000}
train: {batch_size: 8, seq_len: 16}
sweep:
  sparsity: [0, 0.5]
  nonzero_params: 3000
  tokens: ${tokens}
`;

describe('token budgets less than a batch apart', () => {
  it('are one training under two ids: warned, naming the budgets and the steps (batches of 128 tokens)', () => {
    // 4096 and 4100 tokens: floor(/128) = 32 steps both; 8192: 64
    const plan = planOf(config('[4096, 4100, 8192]'));
    expect(new Set(plan.trials.map((t) => t.id)).size).toBe(6);
    expect(sameTrainingWarning(plan.trials)).toMatch(
      /^sweep\.tokens 4096 and 4100 both train 32 steps \(D counts whole batches\), so 2 trials repeat another's training/,
    );
  });

  it('say nothing when every budget trains its own steps', () => {
    expect(sameTrainingWarning(planOf(config('[4096, 4224, 8192]')).trials)).toBeNull();
  });

  it('warn of N targets that size to one shape, and of sparsities equal to twelve digits', () => {
    const n = planOf(config('4096').replace('nonzero_params: 3000', 'nonzero_params: [4000, 4001]'));
    expect(new Set(n.trials.map((t) => JSON.stringify(t.spec.model))).size).toBe(2); // dense and sparse shapes
    expect(sameTrainingWarning(n.trials)).toBe(
      "sweep.nonzero_params 4000 and 4001 size to the same model, so 2 trials repeat another's training under a new id, and the fit counts each such run twice; give sizes far enough apart to give other shapes (`sparsebench models` shows the shape of each)",
    );
    const s = planOf(config('4096').replace('sparsity: [0, 0.5]', 'sparsity: [0, 0.5, 0.5000000000000001]'));
    expect(sameTrainingWarning(s.trials)).toMatch(
      /^sweep\.sparsity 0\.5 and 0\.5000000000000001 prune the same weights, so 1 trial repeats/,
    );
  });
});
