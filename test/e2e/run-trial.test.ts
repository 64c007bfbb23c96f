import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cli, cliSpawn, exitOf, planFileIn, waitForStderr } from '../helpers/cli.js';
import { tempDir, writeConfig } from '../helpers/config.js';

/** One trial of ~1000 steps, so a signal surely lands mid-trial. */
const LONG =
  'name: long\ndata: {source: synthetic, vocab_size: 16, branching: 2}\ntrain: {batch_size: 4, seq_len: 8}\nsweep: {sparsity: 0.5, nonzero_params: 2k, tokens: 32k}\n';

function status(db: string): string {
  const d = new Database(db, { readonly: true });
  try {
    return (d.prepare('SELECT status FROM trials').get() as { status: string }).status;
  } finally {
    d.close();
  }
}

/**
 * Starts the LONG trial as a task into `<dir>/shard.db` (extra flags after), sends `signal` mid-trial and checks it
 * stopped with `code`, the trial interrupted and checkpointed; returns the plan and shard for what follows.
 */
async function stoppedTask(signal: NodeJS.Signals, code: number, extra: string[] = []) {
  const dir = tempDir();
  const plan = planFileIn(dir, LONG);
  const db = join(dir, 'shard.db');
  const child = cliSpawn(['run-trial', plan, '--index', '0', '--db', db, ...extra]);
  await waitForStderr(child, /training/);
  await new Promise((r) => setTimeout(r, 800));
  child.kill(signal);
  expect((await exitOf(child)).code).toBe(code);
  expect(status(db)).toBe('interrupted');
  expect(readdirSync(`${db}.checkpoints`)).toHaveLength(1);
  return { dir, plan, db };
}

describe('run-trial (a cluster task)', () => {
  it('stops on SIGTERM (a time limit) with the trial checkpointed and interrupted, exit 143; the rerun resumes it', async () => {
    const { plan, db } = await stoppedTask('SIGTERM', 143);

    // a second copy of the task while another process holds the trial trains nothing and says so: exit 3
    const d = new Database(db);
    d.prepare("UPDATE trials SET status = 'running', owner = 'elsewhere:1:x', heartbeat_at = ?").run(
      Date.now(),
    );
    d.close();
    const held = cli(['run-trial', plan, '--index', '0', '--db', db]);
    expect(held.code).toBe(3);
    expect(held.stdout).toMatch(/: running/);
    // and says who holds it and when a rerun takes it over (before: only "running", with exit 3)
    expect(held.stderr).toMatch(
      /trial 0 is held by another process \(elsewhere:1:x, last heartbeat \d+ s ago\) in .*; nothing trained\. It is taken over once that process is gone from this host or its heartbeat is older than 10 minutes: run this task again then \(or with --take-over, when a scheduler runs one task of this index at a time/,
    );
    // a scheduler's retry of the task, the holder an attempt killed on another node: --take-over resumes it at once
    const resumed = cli(['run-trial', plan, '--index', '0', '--db', db, '--take-over']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming from step [1-9]\d*/);
    expect(status(db)).toBe('finished');
    expect(existsSync(`${db}.weights`)).toBe(true);
  });

  it('stops on SIGHUP (the terminal closed) as on SIGTERM: checkpointed and interrupted, exit 129', async () => {
    await stoppedTask('SIGHUP', 129);
  });

  it('a task whose shard never started the trial resumes it from the study database, its curve whole', async () => {
    const { dir, plan, db: first } = await stoppedTask('SIGTERM', 143, ['--checkpoint-steps', '50']);
    const study = join(dir, 'study.db');
    expect(cli(['merge', first, '--into', study]).code).toBe(0);
    // the same trial at another index of a changed plan, or after its shard was lost: a new shard
    const second = join(dir, 'shard-b.db');
    const r = cli(['run-trial', plan, '--index', '0', '--db', second, '--skip-from', study]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /trial 0 \([0-9a-f]+\): resumes from the checkpoint at step [1-9]\d* in .*study\.db/,
    );
    expect(r.stderr).toMatch(/resuming from step [1-9]\d*/);
    const d = new Database(second, { readonly: true });
    const steps = d
      .prepare(
        "SELECT MIN(step) AS lo, MAX(step) AS hi, COUNT(*) AS n FROM metrics WHERE name = 'train_loss'",
      )
      .get() as {
      lo: number;
      hi: number;
      n: number;
    };
    d.close();
    expect(steps).toEqual({ lo: 1, hi: 1000, n: 1000 }); // every step once: the study's up to the checkpoint, then its own
  });

  it('rejects a blank --index or SLURM_ARRAY_TASK_ID (it trained trial 0) with exit 2, naming it', () => {
    const dir = tempDir();
    const plan = planFileIn(dir, LONG);
    const db = join(dir, 's.db');
    const flag = cli(['run-trial', plan, '--index', '', '--db', db]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--index is empty: expected a trial index from 0 to 0');
    const env = cli(['run-trial', plan, '--db', db], { env: { ...process.env, SLURM_ARRAY_TASK_ID: '' } });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('SLURM_ARRAY_TASK_ID is set but empty');
    expect(existsSync(db)).toBe(false);
  });

  it('rejects a fractional --checkpoint-steps (checkpoints fall on whole steps)', () => {
    const dir = tempDir();
    const plan = planFileIn(dir, LONG);
    const r = cli([
      'run-trial',
      plan,
      '--index',
      '0',
      '--db',
      join(dir, 's.db'),
      '--checkpoint-steps',
      '2.5',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--checkpoint-steps 2\.5: expected a whole number of steps >= 0/);
    expect(existsSync(join(dir, 's.db'))).toBe(false);
  });

  it('a sweep whose checkpoint cannot be written stops with exit 75 and leaves the trial resumable, not failed', () => {
    const dir = tempDir();
    const db = join(dir, 'x.db');
    writeFileSync(`${db}.checkpoints`, 'a file where the checkpoint folder goes');
    const r = cli(['sweep', writeConfig(LONG, 'long.yaml', dir), '--db', db, '--checkpoint-steps', '50']);
    expect(r.code, r.stderr).toBe(75);
    expect(r.stderr).toMatch(
      /x\.db or a file beside it could not be written .*, so training stopped\. Finished trials are recorded/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(status(db)).toBe('running');
  });

  it('a sweep warns before training when eval_tokens asks more than the held-out split holds, and logs what it evaluated on', () => {
    const dir = tempDir();
    const db = join(dir, 'h.db');
    // 2,000 held-out tokens make 117 windows of 16 + 1: 1,872 tokens to evaluate on, fewer than the 16,384 asked
    const config = writeConfig(
      'name: held\ndata: {source: synthetic, vocab_size: 16, branching: 2, train_tokens: 20000, validation_tokens: 2000}\n' +
        'train: {batch_size: 8, seq_len: 16, eval_tokens: 16384}\nsweep: {sparsity: 0, nonzero_params: 2k, tokens: 2048}\n',
      'held.yaml',
      dir,
    );
    const r = cli(['sweep', config, '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /warning: train\.eval_tokens 16384 asks for more than the held-out split holds \(its trial\): validation losses are measured on all of it, 1872 tokens/,
    );
    const d = new Database(db, { readonly: true });
    const units = d.prepare("SELECT value FROM metrics WHERE name = 'eval_units'").all();
    d.close();
    expect(units).toEqual([{ value: 1872 }]);
    // within the split: no note
    const fits = cli([
      'sweep',
      writeConfig(LONG.replace('tokens: 32k', 'tokens: 2k'), 'short.yaml', dir),
      '--db',
      join(dir, 's.db'),
    ]);
    expect(fits.code).toBe(0);
    expect(fits.stdout + fits.stderr).not.toMatch(/eval_tokens/);
    expect(fits.stdout).not.toMatch(/below the non-zero count planned/);
  });

  it('a sweep says when trials finish with fewer non-zero weights than planned (SRigL ablating neurons)', () => {
    const dir = tempDir();
    // at 98% SRigL ablates neurons left with too few salient weights: N 3027 measured against 3476 planned (the exact
    // count follows the training's masks, so only its order is pinned)
    const config = writeConfig(
      'name: ablated\ndata: {source: synthetic, vocab_size: 16, branching: 2, train_tokens: 20000, validation_tokens: 2000}\n' +
        'train: {batch_size: 8, seq_len: 16, eval_interval: 10, eval_tokens: 512}\n' +
        'pruner: {name: srigl, pattern: constant-fan-in, schedule: {interval: 2}}\n' +
        'sweep: {sparsity: 0.98, nonzero_params: 3k, tokens: 4096}\n',
      'ablated.yaml',
      dir,
    );
    const r = cli(['sweep', config, '--db', join(dir, 'a.db')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /note: 1 trial finished more than 1% below the non-zero count planned \(furthest: [0-9a-f]{8}, N 3\d{3} against 3476, -1\d\.\d%\)/,
    );
  });
});
