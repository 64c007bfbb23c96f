import { describe, expect, it } from 'vitest';
import { families } from '../../src/models/registry.js';
import { plannedData } from '../../src/store/planned-data.js';
import type { TrialRecord } from '../../src/store/types.js';

describe('runs: the data a trial plans to train on', () => {
  it("counts in each family's unit, as the registry's unitsPerBatch does", () => {
    for (const family of Object.keys(families)) {
      const spec = {
        steps: 7,
        batch_size: 3,
        seq_len: 64,
        model: { family },
      } as unknown as TrialRecord['spec'];
      expect(plannedData(spec).amount).toBe(7 * families[family].unitsPerBatch(spec));
      expect(plannedData(spec).text).toMatch(new RegExp(` ${families[family].unit}$`));
      expect(plannedData(spec).unit).toBe(families[family].unit);
    }
  });
});
