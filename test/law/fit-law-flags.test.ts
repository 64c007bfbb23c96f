import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSweep } from '../../src/config/load.js';
import { Store } from '../../src/store/store.js';
import { cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/config.js';

/** 27 points: S 0, 0.5, 0.75 × N 10k, 30k, 100k × D 100k, 1M, 10M, losses from a made-up decreasing law. */
function gridCsv(): string {
  const rows = ['sparsity,nonzero_params,tokens,loss'];
  for (const s of [0, 0.5, 0.75])
    for (const n of [1e4, 3e4, 1e5])
      for (const d of [1e5, 1e6, 1e7])
        rows.push(`${s},${n},${d},${2 + 50 / n ** 0.3 + 30 / d ** 0.2 - 0.1 * s}`);
  const path = join(tempDir(), 'grid.csv');
  writeFileSync(path, `${rows.join('\n')}\n`);
  return path;
}

describe('fit-law --holdout that leaves too few points to refit', () => {
  const csv = gridCsv();

  it('is a usage error naming the flag and the point count, before any fitting', () => {
    const all = cli(['fit-law', '--points', csv, '--holdout', '27']);
    expect(all.code).toBe(2);
    expect(all.stderr).toContain(
      '--holdout 27: asks for 27 points of the 27 to fit, leaving none to refit on; give fewer, or a fraction such as 0.2',
    );
    expect(all.stdout).toBe('');
    // 10 of the largest N widen to the two largest sizes (18 points): 9 points at one N are left
    const widened = cli(['fit-law', '--points', csv, '--holdout', '10']);
    expect(widened.code).toBe(2);
    expect(widened.stderr).toContain(
      '--holdout 10: holds out 18 of the 27 points (every model size with N ≥ 30k, so that no size is split), leaving 9 to refit on',
    );
    expect(widened.stderr).toMatch(/Hold out fewer, or give --holdout 0 for no held-out check\n$/);
  });

  it('runs the check when the refit has what it needs', () => {
    const r = cli([
      'fit-law',
      '--points',
      csv,
      '--holdout',
      '9',
      '--bootstrap',
      '0',
      '--starts',
      '4',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { holdout: { n_heldout: number; n_train: number; error?: string } };
    expect(doc.holdout).toMatchObject({ n_heldout: 9, n_train: 18 });
    expect(doc.holdout.error).toBeUndefined();
  });
});

describe('fit-law --loss and --delta', () => {
  const csv = gridCsv();
  const objective = (...flags: string[]) => {
    const r = cli([
      'fit-law',
      '--points',
      csv,
      '--bootstrap',
      '0',
      '--starts',
      '2',
      '--holdout',
      '0',
      '--json',
      ...flags,
    ]);
    expect(r.code, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as { objective: { loss: string; delta: number } }).objective;
  };

  it("takes δ from the residual's kind unless --delta is given", () => {
    expect(objective()).toEqual({ loss: 'huber-log', delta: 1e-3 });
    expect(objective('--loss', 'huber')).toEqual({ loss: 'huber', delta: 0.01 }); // the authors' ViT objective
    expect(objective('--loss', 'huber-log')).toEqual({ loss: 'huber-log', delta: 1e-3 });
    expect(objective('--loss', 'huber', '--delta', '0.05')).toEqual({ loss: 'huber', delta: 0.05 });
  });
});

describe('fit-law on a sweep none of whose trials has finished', () => {
  it('says so, with how many trials failed, were interrupted or are pending (exit 2, nothing stored)', () => {
    const db = join(tempDir(), 'study.db');
    const plan = loadSweep('configs/smoke.yaml');
    const store = Store.open(db, { create: true });
    store.saveSweep(plan);
    const end = (i: number, status: 'failed' | 'interrupted') => {
      store.claimTrial(plan.trials[i].id, 'o', { retryFailed: false, leaseMs: 1000 });
      store.endTrial(plan.trials[i].id, 'o', status, { error: 'diverged', step: 3 });
    };
    end(0, 'failed');
    end(1, 'interrupted');
    store.close();
    const r = cli(['fit-law', '--db', db]);
    expect(r.code).toBe(2);
    // it said the form needs at least 8 points and got 0
    expect(r.stderr).not.toContain('needs at least');
    expect(r.stderr).toContain(
      `sweep smoke in ${db}: none of its ${plan.trials.length} trials has finished (1 failed, 1 interrupted, ${plan.trials.length - 2} pending), ` +
        'so there is nothing to fit yet; run the sweep again to finish them (with --retry-failed for the failed ones)',
    );
    expect(r.stdout).toBe('');
    const after = Store.open(db, { create: false });
    expect(after.listFits('smoke')).toEqual([]);
    after.close();
  });
});
