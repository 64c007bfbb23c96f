import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { cli } from '../helpers/cli.js';
import { planOf, tempDir, tinySyntheticConfig } from '../helpers/config.js';
import { trialResult } from '../helpers/trial-result.js';

describe('runs list --status', () => {
  it('says how many of the sweep’s trials have that status, and prints no empty table', () => {
    const db = join(tempDir(), 'study.db');
    const store = Store.open(db, { create: true });
    store.saveSweep(planOf(tinySyntheticConfig()));
    store.close();
    const none = cli(['runs', 'list', '--db', db, '--status', 'failed']);
    expect(none.code, none.stderr).toBe(0);
    // before: "sweep tiny: 0 trials" and a header row, as if the sweep were empty
    expect(none.stdout).toBe('sweep tiny: 0 of 2 trials failed\n');
    const pending = cli(['runs', 'list', '--db', db, '--all', '--status', 'pending']);
    expect(pending.stdout).toMatch(/^all trials in .*study\.db: 2 of 2 trials pending\n\nid +sweeps +status/);
    expect(cli(['runs', 'list', '--db', db]).stdout).toMatch(/^sweep tiny: 2 trials\n\nid +status/);
  });
});

describe('runs list --sort and --where on S, N and D', () => {
  it('orders by final loss (unfinished last) and picks the trials at one planned S', () => {
    const db = join(tempDir(), 'study.db');
    const plan = planOf(tinySyntheticConfig().replace('sparsity: [0, 0.5]', 'sparsity: [0, 0.5, 0.75]'));
    const store = Store.open(db, { create: true });
    store.saveSweep(plan);
    const [dense, half] = plan.trials.map((t) => t.id);
    // the dense trial ends worse than the sparse one; the third stays pending
    for (const [id, loss, accuracy] of [
      [dense, 2.5, 0.9],
      [half, 2.1, 0.8],
    ] as const) {
      store.claimTrial(id, 'o', { retryFailed: false, leaseMs: 1000 });
      store.finishTrial(id, 'o', trialResult({ finalValLoss: loss, finalValAccuracy: accuracy }), []);
    }
    store.close();
    const ids = (args: string[]) =>
      (
        JSON.parse(cli(['runs', 'list', '--db', db, '--json', ...args]).stdout) as {
          trials: { id: string }[];
        }
      ).trials.map((t) => t.id);
    expect(ids(['--sort', 'loss'])).toEqual([half, dense, plan.trials[2].id]);
    expect(ids(['--sort', 'plan'])).toEqual(plan.trials.map((t) => t.id));
    // accuracy: the best first, as by loss
    expect(ids(['--sort', 'accuracy'])).toEqual([dense, half, plan.trials[2].id]);
    expect(ids(['--where', 'sparsity=0.5'])).toEqual([half]);
    const r = cli(['runs', 'list', '--db', db, '--where', 'sparsity=0.3']);
    expect([r.code, r.stderr]).toEqual([
      2,
      "sparsebench: --where sparsity=0.3: the sweep's sparsity values are 0, 0.5, 0.75\n",
    ]);
  });
});

describe('runs list --where on one key twice', () => {
  it('lists the trials at either value, and conditions on different keys both', () => {
    const db = join(tempDir(), 'study.db');
    const plan = planOf(
      tinySyntheticConfig()
        .replace('schedule: {interval: 2}', 'schedule: {}')
        .replace('sparsity: [0, 0.5]', 'sparsity: [0, 0.5, 0.75]')
        .replace('  tokens: 4096', '  tokens: 4096\n  pruner.name: [gmp, magnitude, static]'),
    );
    const store = Store.open(db, { create: true });
    store.saveSweep(plan);
    store.close();
    const listed = (args: string[]) =>
      (
        JSON.parse(cli(['runs', 'list', '--db', db, '--json', ...args]).stdout) as {
          trials: { sparsity: number; axes: Record<string, string> }[];
        }
      ).trials.map((t) => `${t.sparsity === 0 ? 'dense' : t.axes['pruner.name']}@${t.sparsity}`);
    // the one dense trial the three pruners share, and two of the three pruners at each sparse level
    expect(listed(['--where', 'pruner.name=gmp', '--where', 'pruner.name=static'])).toEqual([
      'dense@0',
      'gmp@0.5',
      'gmp@0.75',
      'static@0.5',
      'static@0.75',
    ]);
    expect(
      listed(['--where', 'pruner.name=gmp', '--where', 'pruner.name=static', '--where', 'sparsity=0.75']),
    ).toEqual(['gmp@0.75', 'static@0.75']);
    expect(listed(['--where', 'sparsity=0', '--where', 'sparsity=0.5', '--where', 'sparsity=0.5'])).toEqual([
      'dense@0',
      'gmp@0.5',
      'magnitude@0.5',
      'static@0.5',
    ]);
    const where = (...values: string[]) =>
      cli(['runs', 'list', '--db', db, ...values.flatMap((v) => ['--where', `pruner.name=${v}`])]);
    const r = where('gmp', 'static');
    expect(r.stdout).toMatch(/^sweep tiny: 5 of 7 trials at pruner\.name=gmp or static\n/);
    // a value the sweep lacks is refused, with the valid ones, even beside a good one
    const bad = where('gmp', 'rigl');
    expect([bad.code, bad.stderr]).toEqual([
      2,
      "sparsebench: --where pruner.name=rigl: the sweep's pruner.name values are gmp, magnitude, static\n",
    ]);
  });
});

describe('runs list --curves', () => {
  it('writes every logged point of the trials listed as one long CSV, a row per trial, metric and step', () => {
    const db = join(tempDir(), 'study.db');
    const plan = planOf(tinySyntheticConfig());
    const store = Store.open(db, { create: true });
    store.saveSweep(plan);
    const [dense] = plan.trials.map((t) => t.id);
    store.claimTrial(dense, 'o', { retryFailed: false, leaseMs: 1000 });
    store.appendMetrics(dense, 'o', [{ name: 'train_loss', step: 1, tokens: 128, value: 2.75 }]);
    store.finishTrial(dense, 'o', trialResult({ finalValLoss: 2.5 }), [
      { name: 'val_loss', step: 2, tokens: 256, value: 2.5 },
    ]);
    store.close();
    const r = cli(['runs', 'list', '--db', db, '--curves']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      'id,pruner,seed,target_sparsity,planned_nonzero_params,planned_tokens,data_unit,metric,step,tokens,value\n' +
        `${dense},dense,0,0,3008,4096,tokens,train_loss,1,128,2.75\n` +
        `${dense},dense,0,0,3008,4096,tokens,val_loss,2,256,2.5\n`,
    );
    // the planned N and D as runs list --csv gives them (the shape's N: 3008 for the 3000 asked)
    const csv = cli(['runs', 'list', '--db', db, '--csv']).stdout.split('\n');
    const at = (name: string) => csv[1].split(',')[csv[0].split(',').indexOf(name)];
    expect([at('planned_nonzero_params'), at('planned_tokens')]).toEqual(['3008', '4096']);
    expect(cli(['runs', 'list', '--db', db, '--curves', '--csv']).stderr).toContain(
      '--json, --csv and --curves: give one',
    );
  });
});
