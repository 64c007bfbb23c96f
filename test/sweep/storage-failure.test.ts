import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatabaseGoneError, Store, StoreWriteError } from '../../src/store/store.js';
import { checkpointPath } from '../../src/sweep/checkpoints.js';
import type { SweepReporter } from '../../src/sweep/progress.js';
import { runSweep } from '../../src/sweep/run-sweep.js';
import { planOf, tempDir, tinySyntheticConfig } from '../helpers/config.js';

/** A reporter that prints nothing. */
const silent: SweepReporter = {
  start: () => {},
  trialStart: () => {},
  trialProgress: () => {},
  trialEnd: () => {},
  stop: () => {},
};

describe('a database that cannot be written mid-sweep', () => {
  it('stops training with a clear error, keeps the checkpoint, and the rerun resumes and finishes', async () => {
    const plan = planOf(tinySyntheticConfig());
    const store = Store.open(join(tempDir(), 's.db'), { create: true });
    try {
      const append = store.appendMetrics.bind(store);
      let calls = 0;
      // the second batch of metrics meets a write lock held past the busy timeout
      store.appendMetrics = (...args) => {
        if (++calls === 2) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
        return append(...args);
      };
      const ends: string[] = [];
      const reporter: SweepReporter = {
        ...silent,
        trialEnd: (_, outcome, detail) => {
          ends.push(`${outcome}: ${detail}`);
        },
      };
      const failed = runSweep(plan, store, { checkpointSteps: 5, reporter });
      await expect(failed).rejects.toThrow(StoreWriteError);
      // what the console says agrees with what the database shows
      expect(ends).toEqual([
        'interrupted: its metrics or checkpoint could not be written; the database still shows it running ' +
          '(runs list: "running (owner gone)" once this process ends) and a rerun resumes it',
      ]);
      await expect(failed).rejects.toThrow(
        /s\.db or a file beside it could not be written \(database is locked\), so training stopped\. Finished trials are recorded; .*over 60 s/,
      );
      const [first] = store.listTrials('tiny');
      expect(first.status).toBe('running'); // its lease goes stale; the checkpoint stays
      expect(existsSync(checkpointPath(store.path, first.id))).toBe(true);
      store.appendMetrics = append;
      const rerun = await runSweep(plan, store, { leaseMs: 0 });
      expect(rerun.trained).toBe(2);
      expect(store.listTrials('tiny').map((t) => t.status)).toEqual(['finished', 'finished']);
      // every step's loss stored exactly once, across the break
      for (const t of store.listTrials('tiny'))
        expect(store.metrics(t.id, 'train_loss').map((p) => p.step)).toEqual(
          Array.from({ length: t.spec.steps }, (_, i) => i + 1),
        );
    } finally {
      store.close();
    }
  });

  it('stops the same way, before training, when the plan itself cannot be recorded', async () => {
    const plan = planOf(tinySyntheticConfig());
    const store = Store.open(join(tempDir(), 's.db'), { create: true });
    try {
      store.saveSweep = () => {
        throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
      };
      const failed = runSweep(plan, store);
      await expect(failed).rejects.toThrow(StoreWriteError);
      await expect(failed).rejects.toThrow(
        /s\.db could not be written \(database is locked\), so the sweep did not start; nothing was changed or trained, run it again\. Another process held a write lock on it for over 60 s/,
      );
    } finally {
      store.close();
    }
  });

  it('stops the same way when a checkpoint cannot be written: the trial is not marked failed', async () => {
    const plan = planOf(tinySyntheticConfig());
    const dir = tempDir();
    const store = Store.open(join(dir, 's.db'), { create: true });
    try {
      writeFileSync(`${store.path}.checkpoints`, 'a file where the checkpoint folder goes');
      const failed = runSweep(plan, store, { checkpointSteps: 5 });
      await expect(failed).rejects.toThrow(
        /s\.db or a file beside it could not be written \(.*\), so training stopped/,
      );
      expect(store.listTrials('tiny').map((t) => t.status)).toEqual(['running', 'pending']);
      rmSync(`${store.path}.checkpoints`);
      expect((await runSweep(plan, store, { leaseMs: 0 })).trained).toBe(2);
    } finally {
      store.close();
    }
  });
});

describe('a database removed or replaced under a sweep', () => {
  it('stops the sweep with a StoreWriteError (exit 75) saying what was lost, not a success', async () => {
    const plan = planOf(tinySyntheticConfig());
    const dir = tempDir();
    const store = Store.open(join(dir, 's.db'), { create: true });
    try {
      expect(store.fileGone()).toBeNull();
      rmSync(store.path);
      expect(store.fileGone()).toBe('was removed');
      const run = runSweep(plan, store, { reporter: silent });
      await expect(run).rejects.toThrow(DatabaseGoneError);
      await expect(run).rejects.toThrow(StoreWriteError);
      await expect(run).rejects.toThrow(
        /s\.db was removed while this sweep ran, so the sweep stopped: what it recorded went to the old file and is lost with it/,
      );
      expect(store.listTrials('tiny').every((t) => t.status === 'pending')).toBe(true); // nothing trained
    } finally {
      store.close();
    }
    const other = Store.open(join(dir, 'o.db'), { create: true });
    try {
      writeFileSync(join(dir, 'x.db'), '');
      renameSync(join(dir, 'x.db'), other.path);
      expect(other.fileGone()).toBe('was replaced by another file');
    } finally {
      other.close();
    }
  });
});
