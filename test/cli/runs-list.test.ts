import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { cli } from '../helpers/cli.js';
import { planOf, tempDir, tinySyntheticConfig } from '../helpers/config.js';

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
    expect(pending.stdout).toMatch(/^all trials in .*study\.db: 2 of 2 trials pending\n\nid +status/);
    expect(cli(['runs', 'list', '--db', db]).stdout).toMatch(/^sweep tiny: 2 trials\n\nid +status/);
  });
});
