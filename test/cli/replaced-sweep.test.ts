import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replacedSweepNote } from '../../src/cli/commands/sweep.js';
import { Store } from '../../src/store/store.js';
import { planOf, tempDir, tinySyntheticConfig } from '../helpers/config.js';

describe('a sweep saved again under its name while another run trains it', () => {
  it("is noted by the first run, which lists its own trials; silent while the sweep is still this run's plan", () => {
    const store = Store.open(join(tempDir(), 's.db'), { create: true });
    try {
      const a = planOf(tinySyntheticConfig()); // sparsity [0, 0.5]
      const b = planOf(tinySyntheticConfig().replace('sparsity: [0, 0.5]', 'sparsity: [0, 0.7]'));
      store.saveSweep(a);
      expect(replacedSweepNote(a, store)).toBeNull();
      store.saveSweep(b); // the other run, with an edited config
      expect(replacedSweepNote(a, store)).toBe(
        "note: sweep tiny was saved again with another config while this run trained (another sweep of the same name): it now holds 2 trials, 1 not in this run's plan, and 1 of this run's are no longer in it; the table above is this run's trials, and fit-law and report read the sweep as it is now",
      );
    } finally {
      store.close();
    }
  });
});
