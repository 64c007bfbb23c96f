import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { cli } from '../helpers/cli.js';
import { planOf, tempDir, tinySyntheticConfig } from '../helpers/config.js';
import { trialResult } from '../helpers/trial-result.js';

describe('runs sweeps', () => {
  it('lists each sweep with its trials by status and fits, and counts the trials in no sweep', () => {
    const db = join(tempDir(), 'study.db');
    const store = Store.open(db, { create: true });
    const tiny = planOf(tinySyntheticConfig());
    store.saveSweep(tiny);
    const [dense, half] = tiny.trials.map((t) => t.id);
    store.claimTrial(dense, 'o', { retryFailed: false, leaseMs: 1000 });
    store.finishTrial(dense, 'o', trialResult({ finalValLoss: 2 }), []);
    // a second sweep shares the dense trial; then tiny is run again without S = 0.5, which leaves its trial in no sweep
    store.saveSweep(
      planOf(tinySyntheticConfig().replace('name: tiny', 'name: wide').replace('[0, 0.5]', '[0, 0.75]')),
    );
    store.saveSweep(planOf(tinySyntheticConfig().replace('[0, 0.5]', '[0]')));
    const fit = { source: 'db', form: 'sparse', options: {}, result: {}, inputs: [dense], converged: true };
    store.saveFit({ ...fit, sweep: 'wide' });
    store.saveFit({ ...fit, sweep: 'wide' });
    store.close();
    const r = cli(['runs', 'sweeps', '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(
      `sweeps in ${db}: 2 (newest run first: the default of runs list, fit-law and report)`,
    );
    expect(lines[2].split(/\s{2,}/).slice(0, 4)).toEqual(['sweep', 'trials', 'status', 'fits']);
    expect(lines[4]).toMatch(/^tiny +1 +1 finished +0 /);
    expect(lines[5]).toMatch(/^wide +2 +1 finished, 1 pending +2 /);
    expect(r.stdout).toContain('\n1 trial is in no sweep (left by a config that changed');
    const json = JSON.parse(cli(['runs', 'sweeps', '--db', db, '--json']).stdout);
    expect(json.trialsInNoSweep).toBe(1);
    expect(json.sweeps.map((s: { name: string; trials: number }) => [s.name, s.trials])).toEqual([
      ['tiny', 1],
      ['wide', 2],
    ]);
    // every trial with the sweeps it is in
    const all = JSON.parse(cli(['runs', 'list', '--db', db, '--all', '--json']).stdout).trials as {
      id: string;
      sweeps: string[];
    }[];
    expect(Object.fromEntries(all.map((t) => [t.id, t.sweeps]))).toMatchObject({
      [dense]: ['tiny', 'wide'],
      [half]: [],
    });
    expect(cli(['runs', 'list', '--db', db, '--all']).stdout).toMatch(/\nid +sweeps +status/);
  });
});
