import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { oneTrialConfig, tempDir, writeConfig } from '../helpers/config.js';

const CONFIG = oneTrialConfig('failing', '  train.optimizer.lr: [1e3, 3e-3]\n');

describe('failures inside a trial', () => {
  it('marks a diverging trial failed with reason and step, goes on, and retries it only when asked', () => {
    const dir = tempDir();
    const config = writeConfig(CONFIG, 'failing.yaml', dir);
    const db = join(dir, 'f.db');
    const first = cli(['sweep', config, '--db', db]);
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(
      /2 trials: 1 trained, 0 already finished, 1 failed \(run it again with --retry-failed to train it again\)/,
    );
    expect(first.stderr).toMatch(/failed [0-9a-f]{8}: .*(diverged|training loss is NaN)/);
    const d = new Database(db, { readonly: true });
    const rows = d
      .prepare('SELECT status, error, error_step, attempts FROM trials ORDER BY status')
      .all() as {
      status: string;
      error: string | null;
      error_step: number | null;
    }[];
    d.close();
    expect(rows.map((r) => r.status)).toEqual(['failed', 'finished']);
    expect(rows[0].error).toMatch(/diverged|NaN/);
    expect(rows[0].error_step).toBeGreaterThanOrEqual(1);

    const again = cli(['sweep', config, '--db', db]);
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/0 trained, 1 already finished, 1 failed earlier \(use --retry-failed\)/);
    const retry = cli(['sweep', config, '--db', db, '--retry-failed']);
    expect(retry.code).toBe(1);
    expect(retry.stdout).toMatch(/0 trained, 1 already finished, 1 failed/);
    const d2 = new Database(db, { readonly: true });
    expect(
      (d2.prepare("SELECT attempts FROM trials WHERE status = 'failed'").get() as { attempts: number })
        .attempts,
    ).toBe(2);
    d2.close();
  });
});
