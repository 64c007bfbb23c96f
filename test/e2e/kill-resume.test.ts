import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/rng.js';
import { cli, cliSpawn, exitOf } from '../helpers/cli.js';
import { tempDir, writeConfig } from '../helpers/config.js';

/** How many times the sweep is killed; SPARSEBENCH_KILLS raises it (e.g. 100 for a long soak). */
const KILLS = Number(process.env.SPARSEBENCH_KILLS ?? 15);

const CONFIG = `name: killed
data: {source: synthetic, vocab_size: 32, branching: 4, train_tokens: 50000, validation_tokens: 4000}
train: {batch_size: 8, seq_len: 32, eval_interval: 25, eval_tokens: 1024}
pruner: {name: gmp, schedule: {interval: 10}}
sweep:
  sparsity: [0, 0.5, 0.75]
  nonzero_params: [3k, 6k]
  tokens: 40k
`;

type Row = { id: string; status: string; finished_at: string | null; attempts: number };

function inspect(path: string): { rows: Row[]; integrity: string } {
  const d = new Database(path, { readonly: true });
  try {
    return {
      rows: d.prepare('SELECT id, status, finished_at, attempts FROM trials ORDER BY id').all() as Row[],
      integrity: (d.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check,
    };
  } finally {
    d.close();
  }
}

describe(`SIGKILL at random moments, ${KILLS} times`, () => {
  it('keeps the database consistent and every finished trial intact; the sweep completes', async () => {
    const dir = tempDir();
    const config = writeConfig(CONFIG, 'killed.yaml', dir);
    const path = join(dir, 'k.db');
    const rng = Rng.seeded(2026);
    const finished = new Map<string, string>();
    let killedMidTrial = 0;
    for (let k = 0; k < KILLS; k++) {
      const child = cliSpawn(['sweep', config, '--db', path, '--checkpoint-steps', '20']);
      await new Promise((r) => setTimeout(r, 250 + rng.uniform() * 2000));
      child.kill('SIGKILL');
      await exitOf(child);
      let state: ReturnType<typeof inspect>;
      try {
        state = inspect(path);
      } catch {
        continue; // killed before the database was created
      }
      expect(state.integrity).toBe('ok');
      if (state.rows.some((r) => r.status === 'running')) killedMidTrial++;
      for (const r of state.rows) {
        // a trial once finished stays finished, untouched
        if (finished.has(r.id))
          expect(r).toMatchObject({ status: 'finished', finished_at: finished.get(r.id) });
        if (r.status === 'finished') finished.set(r.id, r.finished_at!);
      }
    }
    expect(killedMidTrial).toBeGreaterThan(0);
    const last = cli(['sweep', config, '--db', path]);
    expect(last.code).toBe(0);
    const end = inspect(path);
    expect(end.integrity).toBe('ok');
    expect(end.rows).toHaveLength(6);
    for (const r of end.rows) {
      expect(r.status).toBe('finished');
      if (finished.has(r.id)) expect(r.finished_at).toBe(finished.get(r.id));
    }
    const d = new Database(path, { readonly: true });
    // one complete, gap-free loss curve per trial: no leftovers of killed attempts
    const counts = d
      .prepare(
        "SELECT t.steps AS steps, count(m.step) AS n FROM trials t JOIN metrics m ON m.trial_id = t.id AND m.name = 'train_loss' GROUP BY t.id",
      )
      .all() as { steps: number; n: number }[];
    d.close();
    for (const c of counts) expect(c.n).toBe(c.steps);
    // and training resumed from checkpoints reaches exactly the losses of an uninterrupted sweep
    const clean = join(dir, 'clean.db');
    expect(cli(['sweep', config, '--db', clean]).code).toBe(0);
    const loss = (p: string) => {
      const db = new Database(p, { readonly: true });
      const r = db.prepare('SELECT id, final_val_loss FROM trials ORDER BY id').all();
      db.close();
      return r;
    };
    expect(loss(path)).toEqual(loss(clean));
  });
});
