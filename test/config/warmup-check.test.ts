import { describe, expect, it } from 'vitest';
import { planWarnings } from '../../src/config/plan-warnings.js';
import { warmupWarning } from '../../src/config/warmup-check.js';
import { planOf } from '../helpers/config.js';

/** A synthetic-data sweep over D at batch 8 × seq 32 (256 tokens a step) with the given warmup. */
const config = (warmup: string, tokens: string) =>
  `name: w\ndata: {source: synthetic}\ntrain: {batch_size: 8, seq_len: 32, lr_schedule: {warmup: ${warmup}}}\n` +
  `sweep: {sparsity: 0, nonzero_params: 3k, tokens: ${tokens}}\n`;

describe('a warmup as long as training', () => {
  it('is named with the shortest trial when given in steps that some trials do not have', () => {
    // 20k tokens = 78 steps, 400k = 1562: only the first is all warmup
    const plan = planOf(config('100', '[20k, 400k]'));
    const w = warmupWarning(plan.trials);
    expect(w).toBe(
      `train.lr_schedule.warmup: 100 steps is as long as training in 1 of 2 trials (the shortest, ${plan.trials[0].id.slice(0, 8)}, ` +
        'trains 78 steps): their learning rate ramps up over all of it and never decays; give the warmup as a ' +
        'fraction of training (e.g. 0.05) or fewer steps',
    );
    expect(planWarnings(plan)).toContain(w);
  });

  it('names the shortest trial wherever it is in the plan', () => {
    // 20k tokens = 78 steps, 10k = 39: both all warmup, the shorter last
    const plan = planOf(config('100', '[20k, 10k]'));
    expect(plan.trials.map((t) => t.spec.steps)).toEqual([78, 39]);
    expect(warmupWarning(plan.trials)).toMatch(
      new RegExp(
        `^train\\.lr_schedule\\.warmup: 100 steps is as long as training in 2 of 2 trials \\(the shortest, ${plan.trials[1].id.slice(0, 8)}, trains 39 steps\\): `,
      ),
    );
  });

  it('is not warned of when every trial has steps left, or when the warmup is a fraction', () => {
    expect(warmupWarning(planOf(config('77', '[20k, 400k]')).trials)).toBeNull();
    // exactly as long as training (78 of 78 steps) is all warmup
    expect(warmupWarning(planOf(config('78', '[20k, 400k]')).trials)).toMatch(
      /^train\.lr_schedule\.warmup: 78 steps /,
    );
    expect(warmupWarning(planOf(config('0.99', '[20k]')).trials)).toBeNull();
  });
});
