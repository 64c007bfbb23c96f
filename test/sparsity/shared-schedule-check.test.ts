import { describe, expect, it } from 'vitest';
import { sharedScheduleWarning } from '../../src/sparsity/shared-schedule-check.js';
import { planOf } from '../helpers/config.js';

const config = (pruner: string) => `name: sh
data: {source: synthetic, vocab_size: 16, branching: 2, train_tokens: 20000, validation_tokens: 2000}
train: {batch_size: 8, seq_len: 16, eval_interval: 10, eval_tokens: 512}
pruner: ${pruner}
sweep:
  sparsity: [0, 0.5]
  nonzero_params: [2000]
  tokens: [8192]
`;

const warning = (pruner: string) => {
  const plan = planOf(config(pruner));
  return sharedScheduleWarning(plan.config.pruner.schedule, plan.trials);
};

describe('one pruner.schedule over several pruners', () => {
  it('is named, with what each algorithm runs under instead of its own default', () => {
    const w = warning('{name: [gmp, ste], schedule: {interval: 4}}');
    expect(w).toContain('pruner.schedule applies to every pruner.name of this sweep');
    expect(w).toContain(
      'gmp: cubic {start: 0.25, end: 0.75, interval: 100} → cubic {start: 0.25, end: 0.75, interval: 4}',
    );
    expect(w).toMatch(/ste: periodic \{interval: 1, [^}]*\} → periodic \{interval: 4, /);
  });

  it('is not a warning without a schedule, with one pruner, or when the defaults agree', () => {
    expect(warning('{name: [gmp, ste]}')).toBeNull();
    expect(warning('{name: ste, schedule: {interval: 4}}')).toBeNull();
    expect(warning('{name: [gmp, global-magnitude], schedule: {interval: 4}}')).toBeNull();
  });
});
