import { existsSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { checkpointPath, checkpointStep } from '../sweep/checkpoints.js';
import { writeFileAtomic } from './safetensors.js';
import type { Store } from './store.js';
import { startedUnfinished } from './types.js';

/**
 * Lets a cluster task resume a trial the study database holds checkpointed when the task's own shard never started
 * it (the plan changed and the trial moved to another index, or the shard was deleted): copies the study's
 * checkpoint into the shard's folder, and the trial's logged metrics up to that step into the shard, so the merged
 * record keeps its whole curve. Nothing is done when the shard has a checkpoint or a start of its own, when the
 * study's record is not interrupted, running or failed, or when the study cannot be read (the task then trains
 * from step 0, as before). The study is opened read-only and never written. Returns the step, or null.
 */
export function resumeFromStudy(shard: Store, studyPath: string, trialId: string): number | null {
  if (!existsSync(studyPath) || existsSync(checkpointPath(shard.path, trialId))) return null;
  const here = shard.findTrial(trialId);
  if (here?.status !== 'pending') return null;
  const step = checkpointStep(studyPath, trialId);
  const from = checkpointPath(studyPath, trialId);
  if (step === null || !existsSync(from)) return null;
  let study: Database.Database | null = null;
  let points: { name: string; step: number; tokens: number; value: number }[];
  try {
    study = new Database(studyPath, { readonly: true, fileMustExist: true });
    const row = study.prepare('SELECT status FROM trials WHERE id = ?').get(trialId) as
      | { status: string }
      | undefined;
    if (!startedUnfinished(row?.status)) return null;
    points = study
      .prepare('SELECT name, step, tokens, value FROM metrics WHERE trial_id = ? AND step <= ?')
      .all(trialId, step) as typeof points;
  } catch {
    return null;
  } finally {
    study?.close();
  }
  // the metrics first: a task killed before the checkpoint is copied trains from step 0, which clears them at its
  // claim; a checkpoint copied first would be resumed from by a rerun without the curve before it
  const insert = shard.db.prepare(
    'INSERT OR IGNORE INTO metrics (trial_id, name, step, tokens, value) VALUES (?, ?, ?, ?, ?)',
  );
  shard.db.transaction(() => {
    for (const p of points) insert.run(trialId, p.name, p.step, p.tokens, p.value);
  })();
  writeFileAtomic(checkpointPath(shard.path, trialId), readFileSync(from));
  return step;
}
