import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { cli } from '../helpers/cli.js';
import { planOf, tempDir, tinySyntheticConfig } from '../helpers/config.js';

const fitOf = (inputs: string[]) => ({
  sweep: 'tiny',
  source: 'db',
  form: 'sparse',
  options: {},
  result: {},
  inputs,
  converged: true,
});

describe('the fit a report draws by default', () => {
  it('is the newest whose trials are all in the sweep, else the newest', () => {
    const db = join(tempDir(), 's.db');
    const store = Store.open(db, { create: true });
    try {
      const plan = planOf(tinySyntheticConfig());
      store.saveSweep(plan);
      const [a, b] = plan.trials.map((t) => t.id);
      // only a fit made from trials outside the sweep (merged in with another config): still drawn, being all there is
      const outside = store.saveFit(fitOf([a, 'feedfacefeedface']));
      expect(store.defaultFit('tiny', 'sparse')?.id).toBe(outside);
      const inside = store.saveFit(fitOf([a, b]));
      const newerOutside = store.saveFit(fitOf(['feedfacefeedface', b]));
      expect(store.defaultFit('tiny', 'sparse')?.id).toBe(inside);
      expect(newerOutside).toBeGreaterThan(inside);
      // a newer fit of the sweep's own trials is drawn again
      const newest = store.saveFit(fitOf([b]));
      expect(store.defaultFit('tiny', 'sparse')?.id).toBe(newest);
      expect(store.defaultFit('tiny', 'chinchilla')).toBeNull();
    } finally {
      store.close();
    }
    // runs fits counts each fit's trials the sweep no longer holds, and marks the one report draws
    const listed = JSON.parse(cli(['runs', 'fits', '--db', db, '--json']).stdout);
    expect(listed.fits.map((f: { inputsNotInSweep: number }) => f.inputsNotInSweep)).toEqual([1, 0, 1, 0]);
    expect(listed.reportDraws).toBe(4);
  });
});
