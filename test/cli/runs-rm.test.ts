import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { weightsPath } from '../../src/store/weights.js';
import { cli } from '../helpers/cli.js';
import { tempDir, tinySyntheticConfig, writeConfig } from '../helpers/config.js';

const listed = (db: string) =>
  (
    JSON.parse(cli(['runs', 'list', '--db', db, '--json']).stdout) as {
      trials: { id: string; sparsity: number }[];
    }
  ).trials;

describe('runs rm', () => {
  it('says what it would remove without --yes, removes with it, and a rerun of the sweep trains it again', () => {
    const dir = tempDir();
    const config = writeConfig(tinySyntheticConfig(), 'c.yaml', dir);
    const db = join(dir, 's.db');
    expect(cli(['sweep', config, '--db', db]).code).toBe(0);
    const sparse = listed(db).find((t) => t.sparsity === 0.5)!.id;
    const before = readFileSync(db);

    const asked = cli(['runs', 'rm', sparse.slice(0, 6), '--db', db]);
    expect(asked.code).toBe(0);
    expect(asked.stdout).toMatch(/^would remove 1 trial of .*s\.db:\n/);
    expect(asked.stdout).toMatch(
      /with them: \d+ logged metric points, 0 checkpoints, 1 weights file, no stored fits/,
    );
    expect(asked.stdout).toContain('they leave sweep tiny; a rerun of one trains them again from step 0');
    expect(asked.stdout).toContain('nothing removed: run it again with --yes to remove them');
    expect(readFileSync(db).equals(before)).toBe(true);
    expect(listed(db)).toHaveLength(2);

    const removed = cli(['runs', 'rm', sparse, '--db', db, '--yes']);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toMatch(/^removed 1 trial of .*s\.db:\n/);
    expect(listed(db).map((t) => t.id)).not.toContain(sparse);
    expect(existsSync(weightsPath(db, sparse))).toBe(false);
    const shown = cli(['runs', 'show', sparse, '--db', db]);
    expect([shown.code, shown.stderr]).toEqual([2, expect.stringContaining(`no trial with id "${sparse}"`)]);
    // the sweep's counts say a planned trial is missing, until it runs again
    const removedLine =
      'sweep tiny: 1 trial; 1 more trial removed (runs rm) since it last ran: its config still plans it, and a rerun trains it again\n';
    expect(cli(['runs', 'list', '--db', db]).stdout).toMatch(
      new RegExp(`^${removedLine.replace(/[().]/g, '\\$&')}`),
    );
    const sweeps = () => JSON.parse(cli(['runs', 'sweeps', '--db', db, '--json']).stdout).sweeps[0].removed;
    expect(sweeps()).toBe(1);
    const report = cli(['report', '--db', db, '--out', join(dir, 'r'), '--format', 'md']);
    expect(readFileSync(join(dir, 'r', 'report.md'), 'utf8')).toContain(
      '1 of 1 trial finished (1 more planned trial removed with runs rm since the sweep last ran; a rerun trains it again);',
    );
    expect(report.code).toBe(0);

    const rerun = cli(['sweep', config, '--db', db]);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toContain('2 trials: 1 trained, 1 already finished');
    expect(existsSync(weightsPath(db, sparse))).toBe(true);
    expect(sweeps()).toBe(0);
    expect(cli(['runs', 'list', '--db', db]).stdout).toMatch(/^sweep tiny: 2 trials\n/);
  });

  it("chooses a sweep's trials by --status and --where, keeping the dense trials a pruner condition shares", () => {
    const dir = tempDir();
    const config = writeConfig(
      tinySyntheticConfig()
        .replace('schedule: {interval: 2}', 'schedule: {}')
        .replace('  tokens: 4096', '  tokens: 4096\n  pruner.name: [gmp, magnitude]'),
      'c.yaml',
      dir,
    );
    const db = join(dir, 's.db');
    expect(cli(['sweep', config, '--db', db]).code).toBe(0);
    const none = cli(['runs', 'rm', '--sweep', 'tiny', '--status', 'failed', '--db', db, '--yes']);
    expect([none.code, none.stdout]).toEqual([
      0,
      `no trial of sweep tiny in ${db} matches --status failed; nothing removed\n`,
    ]);
    const r = cli(['runs', 'rm', '--sweep', 'tiny', '--where', 'pruner.name=magnitude', '--db', db, '--yes']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('the dense trials (S = 0) every pruner setting shares are kept');
    expect(r.stdout).toContain(
      'a rerun of sweep tiny trains them again from step 0 (its config still lists them)',
    );
    const left = listed(db);
    expect(left.map((t) => t.sparsity).sort()).toEqual([0, 0.5]);
    // the planned S, N and D choose trials too, as runs list takes them
    const atHalf = cli(['runs', 'rm', '--sweep', 'tiny', '--where', 'sparsity=0.5', '--db', db]);
    expect(atHalf.stdout).toMatch(/^would remove 1 trial of sweep tiny/);
  });
});
