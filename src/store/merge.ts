import { copyFileSync, existsSync, renameSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { checkpointPath } from '../sweep/checkpoints.js';
import { makeDirs } from '../util/dirs.js';
import { Store } from './store.js';
import type { TrialStatus } from './types.js';
import { weightsPath } from './weights.js';

/** Which record wins when a trial is in both databases: finished over failed over partial runs. */
const RANK: Record<TrialStatus, number> = { finished: 4, failed: 3, interrupted: 2, running: 1, pending: 0 };

/** What a merge did, per shard and in total. */
export interface MergeReport {
  into: string;
  shards: { path: string; trials: number; taken: number }[];
  /** Trials new to the target. */
  added: number;
  /** Trials the target had, replaced by a better record. */
  updated: number;
  /** Trials already present with an equal or better record. */
  unchanged: number;
  fits: number;
}

/**
 * Merges shard databases (one per cluster task) into a target database, keyed by trial id. For a trial in
 * several places the best record wins (finished > failed > interrupted > running > pending; on a tie the
 * target keeps its own), with its metrics, final weights and checkpoint. Sweeps, sweep membership and fits
 * are unioned. Idempotent: merging the same shards again changes nothing.
 */
export function mergeDatabases(intoPath: string, shardPaths: readonly string[]): MergeReport {
  const into = resolve(intoPath);
  for (const p of shardPaths) {
    if (resolve(p) === into) throw new UsageError(`${p} is the target of the merge; list only shards`);
    if (!existsSync(p)) throw new UsageError(`${p}: no such shard database; list the shards' database files`);
    Store.open(p, { create: false }).close(); // validates and migrates each shard first
  }
  const target = Store.open(intoPath, { create: true });
  const report: MergeReport = { into: target.path, shards: [], added: 0, updated: 0, unchanged: 0, fits: 0 };
  const db = target.db;
  try {
    const columns = (db.prepare('PRAGMA table_info(trials)').all() as { name: string }[]).map((c) => c.name);
    const list = columns.join(', ');
    const setRow = `UPDATE trials SET (${list}) = (SELECT ${list} FROM s.trials WHERE id = ?) WHERE id = ?`;
    for (const shard of shardPaths) {
      const entry = { path: shard, trials: 0, taken: 0 };
      const copied: string[] = [];
      db.prepare('ATTACH DATABASE ? AS s').run(resolve(shard));
      try {
        db.transaction(() => {
          db.exec(`INSERT INTO sweeps SELECT * FROM s.sweeps WHERE true
                   ON CONFLICT (name) DO UPDATE SET config_path = excluded.config_path, config_json = excluded.config_json,
                     axes_json = excluded.axes_json, updated_at = excluded.updated_at
                   WHERE excluded.updated_at > sweeps.updated_at`);
          const theirs = db.prepare('SELECT id, status FROM s.trials').all() as {
            id: string;
            status: TrialStatus;
          }[];
          const ours = db.prepare('SELECT status FROM trials WHERE id = ?');
          for (const t of theirs) {
            entry.trials++;
            const mine = ours.get(t.id) as { status: TrialStatus } | undefined;
            if (mine && RANK[t.status] <= RANK[mine.status]) {
              report.unchanged++;
              continue;
            }
            if (mine) {
              db.prepare('DELETE FROM metrics WHERE trial_id = ?').run(t.id);
              db.prepare(setRow).run(t.id, t.id);
              report.updated++;
            } else {
              db.prepare(`INSERT INTO trials (${list}) SELECT ${list} FROM s.trials WHERE id = ?`).run(t.id);
              report.added++;
            }
            db.prepare('INSERT INTO metrics SELECT * FROM s.metrics WHERE trial_id = ?').run(t.id);
            entry.taken++;
            copied.push(t.id);
          }
          db.exec('INSERT OR IGNORE INTO sweep_trials SELECT * FROM s.sweep_trials');
          report.fits += db
            .prepare(
              `INSERT INTO fits (sweep, source, form, options_json, result_json, inputs_json, converged, created_at)
               SELECT sweep, source, form, options_json, result_json, inputs_json, converged, created_at FROM s.fits f
               WHERE NOT EXISTS (SELECT 1 FROM fits g WHERE g.created_at = f.created_at AND g.result_json = f.result_json)`,
            )
            .run().changes;
        }).immediate();
      } finally {
        db.prepare('DETACH DATABASE s').run();
      }
      for (const id of copied) {
        copyIfPresent(weightsPath(shard, id), weightsPath(target.path, id));
        copyIfPresent(checkpointPath(shard, id), checkpointPath(target.path, id));
      }
      report.shards.push(entry);
    }
  } finally {
    target.close();
  }
  return report;
}

function copyIfPresent(from: string, to: string): void {
  if (!existsSync(from)) return;
  makeDirs(dirname(to));
  copyFileSync(from, `${to}.tmp`);
  renameSync(`${to}.tmp`, to); // atomic: a reader never sees half a file
}
