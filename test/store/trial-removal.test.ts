import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replacedSweepNote } from '../../src/cli/commands/sweep.js';
import { UsageError } from '../../src/errors.js';
import { Store } from '../../src/store/store.js';
import type { TrialRecord } from '../../src/store/types.js';
import { weightsPath } from '../../src/store/weights.js';
import { checkpointPath } from '../../src/sweep/checkpoints.js';
import type { SweepReporter } from '../../src/sweep/progress.js';
import { runSweep } from '../../src/sweep/run-sweep.js';
import { finishedDependants, removalBlocker, removeTrials } from '../../src/sweep/trial-removal.js';
import { planOf, tempDir, tinySyntheticConfig } from '../helpers/config.js';
import { trialResult } from '../helpers/trial-result.js';

const storedFit = (inputs: string[]) => ({
  sweep: 'tiny',
  source: 'db',
  form: 'chinchilla',
  options: {},
  result: {},
  inputs,
  converged: true,
});

/** A database holding the tiny sweep's two trials, the first finished with metrics, weights and a fit. */
function studied() {
  const store = Store.open(join(tempDir(), 's.db'), { create: true });
  const plan = planOf(tinySyntheticConfig());
  store.saveSweep(plan);
  const [a, b] = plan.trials.map((t) => t.id);
  store.claimTrial(a, 'me', { retryFailed: false, leaseMs: 1000 });
  store.appendMetrics(a, 'me', [{ name: 'train_loss', step: 1, tokens: 8, value: 3 }]);
  store.finishTrial(a, 'me', trialResult(), [{ name: 'val_loss', step: 2, tokens: 16, value: 2 }]);
  for (const path of [weightsPath(store.path, a), checkpointPath(store.path, b)]) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, 'x');
  }
  const fitOfA = store.saveFit(storedFit([a]));
  const fitOfB = store.saveFit(storedFit([b]));
  return { store, plan, a, b, fitOfA, fitOfB };
}

const count = (store: Store, sql: string) => (store.db.prepare(sql).get() as { n: number }).n;

describe('removing trials', () => {
  it('takes a trial with its metrics, place in the sweep, files and the fits made from it; the rest stays', () => {
    const { store, a, b, fitOfA, fitOfB } = studied();
    try {
      expect(store.fitsUsing([a])).toEqual([fitOfA]);
      expect(store.metricCount([a, b])).toBe(2);
      expect(removeTrials(store, [a])).toEqual({ fits: [fitOfA] });
      expect(store.findTrial(a)).toBeNull();
      expect(store.listTrials('tiny').map((t) => t.id)).toEqual([b]);
      expect(count(store, `SELECT count(*) AS n FROM metrics WHERE trial_id = '${a}'`)).toBe(0);
      expect(store.listFits('tiny').map((f) => f.id)).toEqual([fitOfB]);
      expect(existsSync(weightsPath(store.path, a))).toBe(false);
      expect(existsSync(checkpointPath(store.path, b))).toBe(true); // another trial's file stays
    } finally {
      store.close();
    }
  });

  it('removes nothing, rows or files, when its check under the write lock fails', () => {
    const { store, a, b } = studied();
    try {
      // b is being trained by this very process (a live owner, a fresh heartbeat)
      store.claimTrial(b, `${hostname()}:${process.pid}:x`, { retryFailed: false, leaseMs: 1000 });
      expect(() => removeTrials(store, [a, b])).toThrow(UsageError);
      expect(() => removeTrials(store, [a, b])).toThrow(
        /trial [0-9a-f]{16} is being trained now .*stop its sweep first/,
      );
      expect(store.listTrials('tiny')).toHaveLength(2);
      expect(store.metricCount([a])).toBe(2);
      expect(existsSync(weightsPath(store.path, a))).toBe(true);
      expect(existsSync(checkpointPath(store.path, b))).toBe(true);
    } finally {
      store.close();
    }
  });

  it('refuses a dense trial whose weights an unfinished from-dense trial starts from, unless it goes too', () => {
    const dense = {
      id: 'a'.repeat(16),
      status: 'finished',
      spec: { pruner: null },
    } as unknown as TrialRecord;
    const dependent = {
      id: 'b'.repeat(16),
      status: 'pending',
      spec: { pruner: { name: 'from-dense', options: { weights: weightsPath('/x/s.db', dense.id) } } },
    } as unknown as TrialRecord;
    expect(removalBlocker([dense], [dense, dependent], '/x/s.db')).toMatch(
      /trial a{16}'s weights are where the unfinished from-dense trial b{16} \(pending\) starts from; remove it too, or train it first/,
    );
    expect(removalBlocker([dense, dependent], [dense, dependent], '/x/s.db')).toBeNull();
    // once the dependent trial has finished it needs them no more; nor does one of another database
    expect(removalBlocker([dense], [dense, { ...dependent, status: 'finished' }], '/x/s.db')).toBeNull();
    expect(removalBlocker([dense], [dense, dependent], '/y/s.db')).toBeNull();
    // a finished one is not blocked, but named: a config that names the dense trial can no longer be planned
    const done = { ...dependent, status: 'finished' } as TrialRecord;
    expect(finishedDependants([dense], [dense, done], '/x/s.db').map((t) => t.id)).toEqual([done.id]);
    expect(finishedDependants([dense, done], [dense, done], '/x/s.db')).toEqual([]);
    expect(finishedDependants([dense], [dense, dependent], '/x/s.db')).toEqual([]);
    expect(finishedDependants([dense], [dense, done], '/y/s.db')).toEqual([]);
  });

  it('a sweep skips a trial removed while it runs, says so, and does not stop', async () => {
    const plan = planOf(tinySyntheticConfig());
    const path = join(tempDir(), 's.db');
    const store = Store.open(path, { create: true });
    const ends: string[] = [];
    const reporter: SweepReporter = {
      start: () => {},
      trialStart: (trial) => {
        // while the first trial trains, another process removes the second
        if (trial.id !== plan.trials[0].id) return;
        const other = Store.open(path, { create: false, write: true });
        removeTrials(other, [plan.trials[1].id]);
        other.close();
      },
      trialProgress: () => {},
      trialEnd: (_, outcome, detail) => ends.push(`${outcome}: ${detail}`),
      stop: () => {},
    };
    try {
      const summary = await runSweep(plan, store, { reporter });
      expect(summary.trained).toBe(1);
      expect(summary.removed).toBe(1);
      expect(ends[1]).toBe('skipped: removed from the database (runs rm) while this sweep ran');
      // a rerun adds it back and trains it
      const rerun = await runSweep(plan, store, {});
      expect([rerun.alreadyFinished, rerun.trained]).toEqual([1, 1]);
    } finally {
      store.close();
    }
  });
});

describe('removing trials, checked under the write lock', () => {
  it('removes nothing when a trial changed status since it was listed (a sweep wrote it meanwhile)', () => {
    const { store, a } = studied();
    try {
      // listed as failed, finished by now
      expect(() => removeTrials(store, [a], new Map([[a, 'failed']]))).toThrow(
        `trial ${a} is finished now, not failed as listed (a sweep wrote it meanwhile); nothing was removed: run the command again`,
      );
      expect(store.findTrial(a)).not.toBeNull();
      expect(existsSync(weightsPath(store.path, a))).toBe(true);
    } finally {
      store.close();
    }
  });

  it("leaves a sweep's note on a replaced trial list silent about trials removed meanwhile", () => {
    const { store, plan, b } = studied();
    try {
      removeTrials(store, [b]);
      expect(replacedSweepNote(plan, store)).toBeNull();
    } finally {
      store.close();
    }
  });
});
