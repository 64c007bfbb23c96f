import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { damagedDatabaseMessage, UsageError } from '../errors.js';
import { checkpointPath, checkpointStep, legacyCheckpointPath } from '../sweep/checkpoints.js';
import { count } from '../util/format.js';
import { decodeSafetensors, writeFileAtomic } from './safetensors.js';
import { EmptyDatabaseError, Store } from './store.js';
import { startedUnfinished, type TrialStatus } from './types.js';
import { storedWeightsPath, weightsPath } from './weights.js';

/** Which of two unfinished records at equal progress wins: failed over interrupted over running over pending. */
const RANK: Record<TrialStatus, number> = { finished: 4, failed: 3, interrupted: 2, running: 1, pending: 0 };

/** What a merge did, per shard and in total. */
export interface MergeReport {
  into: string;
  /**
   * Per shard: its trials, how many of them it finished, and how many of its records were taken (new to the
   * target, or better than the target's record: see {@link betterRecord}).
   */
  shards: { path: string; trials: number; finished: number; taken: number }[];
  /** Trials new to the target. */
  added: number;
  /** Trials the target had, replaced by a better record. */
  updated: number;
  /** Trials already present with an equal or better record. */
  unchanged: number;
  fits: number;
  /** Sweeps a shard recorded under another config than the target's, and what the merge did with them. */
  notes: string[];
}

/**
 * Merges shard databases (one per cluster task) into a target database, keyed by trial id. For a trial in
 * several places the best record wins ({@link betterRecord}; on a tie the target keeps its own), with its
 * metrics, final weights (copied before the record) and checkpoint (after it). Sweeps, sweep membership
 * and fits are unioned; an empty shard file is skipped with a note. Idempotent: merging the same shards again
 * changes nothing, except that it restores the weights of a finished trial an interrupted merge left without them.
 */
export function mergeDatabases(intoPath: string, shardPaths: readonly string[]): MergeReport {
  const into = resolve(intoPath);
  const notes: string[] = [];
  const shards: string[] = [];
  for (const p of shardPaths) {
    if (resolve(p) === into || sameFile(p, into))
      throw new UsageError(
        `${p} is the target of the merge${resolve(p) === into ? '' : ' (the same file under another name)'}; list only shards`,
      );
    if (!existsSync(p)) throw new UsageError(`${p}: no such shard database; list the shards' database files`);
    // a task killed before its database was written leaves an empty file: nothing to merge, and no reason
    // to hold back the others
    if (statSync(p).isFile() && statSync(p).size === 0) {
      notes.push(`${p}: an empty file (a task that never wrote its database?); skipped`);
      continue;
    }
    // validates and migrates each shard, and reads it whole, before the target is touched: a damaged shard
    // stops the merge with nothing written
    let shard: Store;
    try {
      shard = Store.open(p, { create: false, read: 'upgrading', flag: 'shard' });
    } catch (e) {
      // a task killed between creating its database and writing the schema: as empty as an empty file
      if (!(e instanceof EmptyDatabaseError)) throw e;
      notes.push(`${p}: an empty database (a task that never wrote its trial?); skipped`);
      continue;
    }
    try {
      const check = shard.db.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new UsageError(damagedDatabaseMessage([p], `quick_check: ${String(check)}`));
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(damagedDatabaseMessage([p], (e as Error).message));
    } finally {
      shard.close();
    }
    shards.push(p);
  }
  if (shards.length === 0)
    throw new UsageError(
      `nothing to merge: every shard given is an empty file or database (${shardPaths.join(', ')})`,
    );
  const target = Store.open(intoPath, { create: true, flag: '--into' });
  const report: MergeReport = {
    into: target.path,
    shards: [],
    added: 0,
    updated: 0,
    unchanged: 0,
    fits: 0,
    notes,
  };
  const db = target.db;
  try {
    const columns = (db.prepare('PRAGMA table_info(trials)').all() as { name: string }[]).map((c) => c.name);
    const list = columns.join(', ');
    const setRow = `UPDATE trials SET (${list}) = (SELECT ${list} FROM s.trials WHERE id = ?) WHERE id = ?`;
    const progress = (schema: 'main' | 's') =>
      db.prepare(`SELECT COALESCE(MAX(step), 0) AS step FROM ${schema}.metrics WHERE trial_id = ?`);
    for (const shard of shards) {
      const entry = { path: shard, trials: 0, finished: 0, taken: 0 };
      db.prepare('ATTACH DATABASE ? AS s').run(resolve(shard));
      try {
        const theirs = db.prepare('SELECT id, status FROM s.trials').all() as {
          id: string;
          status: TrialStatus;
        }[];
        const ours = db.prepare('SELECT status FROM main.trials WHERE id = ?');
        const record = (schema: 'main' | 's', id: string, status: TrialStatus): Held => ({
          status,
          step: (progress(schema).get(id) as { step: number }).step,
          // a checkpoint counts for a trial that database started (a pending one's would be another shard's)
          resume: startedUnfinished(status)
            ? (checkpointStep(schema === 's' ? shard : target.path, id) ?? 0)
            : 0,
        });
        /** Whether the shard's record of a trial replaces the target's (see {@link betterRecord}). */
        const takes = (t: { id: string; status: TrialStatus }) => {
          const mine = ours.get(t.id) as { status: TrialStatus } | undefined;
          return !mine || betterRecord(record('s', t.id, t.status), record('main', t.id, mine.status));
        };
        // weights first: a finished record is taken only once its weights are in place, so a merge that fails
        // or is killed part-way leaves the target without the record (a later merge takes it) rather than
        // finished without weights; the weights of one trial id are one experiment's, whoever trained them
        const withoutWeights: string[] = [];
        const damaged: { id: string; why: string }[] = [];
        for (const t of theirs) {
          if (t.status !== 'finished') continue;
          const take = takes(t);
          if (!take && existsSync(storedWeightsPath(target.path, t.id))) continue;
          const copied = copyWeightsIfSound(storedWeightsPath(shard, t.id), weightsPath(target.path, t.id));
          if (copied === 'missing' && take) withoutWeights.push(t.id);
          else if (copied !== 'copied' && copied !== 'missing')
            damaged.push({ id: t.id, why: copied.damaged });
        }
        if (damaged.length > 0)
          report.notes.push(
            `${shard}: the weights ${damaged.length === 1 ? 'file' : 'files'} of ${count(damaged.length, 'finished trial')} (${idList(damaged.map((d) => d.id))}) cannot be read (${damaged[0].why}), so ${damaged.length === 1 ? 'it was' : 'they were'} not copied: "runs export" and from-dense starts need them; train ${damaged.length === 1 ? 'that trial' : 'those trials'} again, or restore the files from a copy and merge again`,
          );
        if (withoutWeights.length > 0)
          report.notes.push(
            `${shard}: ${count(withoutWeights.length, 'finished trial')} (${idList(withoutWeights)}) ${withoutWeights.length === 1 ? 'has' : 'have'} no weights file beside it, in ${dirname(weightsPath(resolve(shard), withoutWeights[0]))}: the ${withoutWeights.length === 1 ? 'record is' : 'records are'} merged without final weights, so "runs export" cannot export ${withoutWeights.length === 1 ? 'it' : 'them'}; copy the shard's weights folder with its database and merge again to bring them`,
          );
        const conflicts = finishedConflicts(db, theirs);
        if (conflicts.length > 0)
          report.notes.push(
            `${shard}: ${count(conflicts.length, 'trial')} finished there and in the target with another final validation loss (${conflicts
              .slice(0, 3)
              .map((c) => `${c.id.slice(0, 8)}: ${c.mine} kept, ${c.theirs} not`)
              .join(
                '; ',
              )}${conflicts.length > 3 ? '; …' : ''}): the same trial trained twice did not give the same result (another backend or machine?); the target's record, merged first, is kept`,
          );
        const taken: { id: string; status: TrialStatus }[] = [];
        const movedOn: string[] = [];
        db.transaction(() => {
          const members = sweepMembership(db, shard);
          report.notes.push(...members.notes);
          db.exec(`INSERT INTO sweeps SELECT * FROM s.sweeps WHERE true
                   ON CONFLICT (name) DO UPDATE SET config_path = excluded.config_path, config_json = excluded.config_json,
                     axes_json = excluded.axes_json, updated_at = excluded.updated_at
                   WHERE excluded.updated_at > sweeps.updated_at`);
          const statusNow = db.prepare('SELECT status FROM s.trials WHERE id = ?');
          for (const t of theirs) {
            entry.trials++;
            if (t.status === 'finished') entry.finished++;
            // a shard still written to (a task running) may have moved on since it was read: a trial finished
            // after the weights were copied would be taken without them, so it waits for the next merge
            if ((statusNow.get(t.id) as { status: TrialStatus } | undefined)?.status !== t.status) {
              movedOn.push(t.id);
              report.unchanged++;
              continue;
            }
            // judged again inside the transaction: another merge or sweep may have written since
            if (!takes(t)) {
              report.unchanged++;
              continue;
            }
            if (ours.get(t.id)) {
              db.prepare('DELETE FROM metrics WHERE trial_id = ?').run(t.id);
              db.prepare(setRow).run(t.id, t.id);
              report.updated++;
            } else {
              db.prepare(`INSERT INTO trials (${list}) SELECT ${list} FROM s.trials WHERE id = ?`).run(t.id);
              report.added++;
            }
            db.prepare('INSERT INTO metrics SELECT * FROM s.metrics WHERE trial_id = ?').run(t.id);
            entry.taken++;
            taken.push(t);
          }
          // another config's trial list replaces the sweep's, and with it what runs rm had taken out of the old one
          for (const name of members.replace) {
            db.prepare('DELETE FROM sweep_trials WHERE sweep = ?').run(name);
            db.prepare('DELETE FROM removed_trials WHERE sweep = ?').run(name);
          }
          const link = db.prepare(
            'INSERT OR IGNORE INTO sweep_trials SELECT * FROM s.sweep_trials WHERE sweep = ?',
          );
          for (const name of members.link) link.run(name);
          report.fits += db
            .prepare(
              `INSERT INTO fits (sweep, source, form, options_json, result_json, inputs_json, converged, created_at)
               SELECT sweep, source, form, options_json, result_json, inputs_json, converged, created_at FROM s.fits f
               WHERE NOT EXISTS (SELECT 1 FROM fits g WHERE g.created_at = f.created_at AND g.result_json = f.result_json)`,
            )
            .run().changes;
        }).immediate();
        // checkpoints after the records: one behind its record is safe (a resume retrains from it), one ahead
        // of it would resume past metrics the record does not have
        for (const t of taken) syncCheckpoint(shard, target.path, t.id, t.status);
        if (movedOn.length > 0)
          report.notes.push(
            `${shard}: ${count(movedOn.length, 'trial')} (${idList(movedOn)}) changed there while this merge read it (a task still training): left as ${movedOn.length === 1 ? 'it was' : 'they were'} in the target; merge again once the task has ended`,
          );
        const running = taken.filter((t) => t.status === 'running').map((t) => t.id);
        if (running.length > 0)
          report.notes.push(
            `${shard}: ${count(running.length, 'trial')} (${idList(running)}) ${running.length === 1 ? 'is' : 'are'} still running there (a task still training, or killed): merged as ${running.length === 1 ? 'it stands' : 'they stand'}; merge again once the task has ended`,
          );
      } finally {
        db.prepare('DETACH DATABASE s').run();
      }
      report.shards.push(entry);
    }
  } finally {
    target.close();
  }
  return report;
}

/**
 * Which of the shard's sweeps lend their trials to the target's sweep of the same name. The same plan (a
 * cluster plan's tasks all carry it: the same config and the same trials), or a sweep the target lacks: the trials
 * are added to it. Another plan (another config; or the same config planning other trials, its data files
 * changed or another sparsebench version planned them, which would otherwise stand two trials at every grid
 * point), recorded later than the target's: it replaces the target's, and so does its trial list, as a local sweep
 * of an edited config does (the older trials stay in the database, outside the sweep). Recorded earlier: the
 * shard's trials stay out of the target's sweep. Each case of another config that leaves trials outside the sweep
 * is told in `notes`, with the way to bring them in: a sweep whose plan holds them all (shards of one study split
 * by an axis, say), run on the merged database, which trains none already finished.
 */
function sweepMembership(
  db: Store['db'],
  shard: string,
): { link: string[]; replace: string[]; notes: string[] } {
  const theirs = db.prepare('SELECT name, config_json, updated_at FROM s.sweeps').all() as {
    name: string;
    config_json: string;
    updated_at: string;
  }[];
  const mine = db.prepare('SELECT config_json, updated_at FROM main.sweeps WHERE name = ?');
  // the trials of a sweep in one database that are not in the other's sweep of that name
  const missing = (from: 's' | 'main', to: 's' | 'main') =>
    db.prepare(
      `SELECT COUNT(*) AS n FROM ${from}.sweep_trials a WHERE a.sweep = ?
       AND NOT EXISTS (SELECT 1 FROM ${to}.sweep_trials b WHERE b.sweep = a.sweep AND b.trial_id = a.trial_id)`,
    );
  const notIn = (from: 's' | 'main', to: 's' | 'main', name: string) =>
    (missing(from, to).get(name) as { n: number }).n;
  const planOf = (schema: 's' | 'main', name: string) =>
    new Set(
      (
        db
          .prepare(
            `SELECT trial_id FROM ${schema}.sweep_trials WHERE sweep = ? UNION SELECT trial_id FROM ${schema}.removed_trials WHERE sweep = ?`,
          )
          .all(name, name) as { trial_id: string }[]
      ).map((r) => r.trial_id),
    );
  const samePlan = (name: string) => {
    const a = planOf('s', name);
    const b = planOf('main', name);
    return a.size === b.size && [...a].every((id) => b.has(id));
  };
  const together =
    'to study them together, run "sparsebench sweep" on the merged database with a config whose plan holds them all (it trains none already finished)';
  const out = { link: [] as string[], replace: [] as string[], notes: [] as string[] };
  for (const t of theirs) {
    const m = mine.get(t.name) as { config_json: string; updated_at: string } | undefined;
    const sameConfig = m?.config_json === t.config_json;
    // every database a plan was run in lists all its trials (the target's own plan: those runs rm took out too),
    // so the same plan lists the same ones
    if (!m || (sameConfig && samePlan(t.name))) out.link.push(t.name);
    else if (t.updated_at > m.updated_at) {
      out.link.push(t.name);
      out.replace.push(t.name);
      const left = notIn('main', 's', t.name);
      out.notes.push(
        `${shard}: sweep ${t.name} was last run there with ${sameConfig ? SAME_CONFIG_OTHER_TRIALS : 'another config'}, later than in the target (a run, even one that trains nothing, records the time): the sweep now has that config and its trials` +
          (left > 0
            ? `; ${left} of the target's earlier trials of it stay in the database, outside the sweep; ${together}`
            : ''),
      );
    } else {
      const n = notIn('s', 'main', t.name);
      if (n > 0)
        out.notes.push(
          `${shard}: sweep ${t.name} was last run there with ${sameConfig ? SAME_CONFIG_OTHER_TRIALS : 'another config'}, earlier than in the target: ${n} of its trials were merged into the database but not into the sweep (fit-law and report do not see them); ${together}`,
        );
    }
  }
  return out;
}

/** How a note names a plan whose config is the target's but whose trials are not. */
const SAME_CONFIG_OTHER_TRIALS =
  'the same config planning other trials (its data files changed, or another sparsebench version planned them)';

/**
 * A trial's record in one database: its status, how far its logged metrics reach, and the step its checkpoint
 * there would resume it from (0 without one).
 */
interface Held {
  status: TrialStatus;
  step: number;
  resume?: number;
}

/**
 * Whether record `theirs` replaces `mine`: a finished record beats an unfinished one (a tie between finished
 * ones keeps the target's); between unfinished ones the one a rerun resumes from further wins, its checkpoint
 * coming with it (one killed at step 860 with no checkpoint trains from step 0, and does not replace one
 * checkpointed at 365); then the one that trained further (an interrupted trial at step 1,450 is not replaced by
 * one that failed at step 0), and at equal progress the status decides (failed > interrupted > running > pending).
 */
export function betterRecord(theirs: Held, mine: Held): boolean {
  const done = (h: Held) => h.status === 'finished';
  if (done(theirs) || done(mine)) return done(theirs) && !done(mine);
  if ((theirs.resume ?? 0) !== (mine.resume ?? 0)) return (theirs.resume ?? 0) > (mine.resume ?? 0);
  if (theirs.step !== mine.step) return theirs.step > mine.step;
  return RANK[theirs.status] > RANK[mine.status];
}

/**
 * Puts a taken record's checkpoint in the target: the shard's, or none when the shard has none (the target's
 * belonged to the record replaced, and would resume it from the wrong place). A shard's older shared
 * `checkpoints/` folder is read only for a trial that shard had started (interrupted, running or failed):
 * every shard of a plan lists all its trials, and the folder holds the other shards' checkpoints too.
 */
function syncCheckpoint(shard: string, target: string, id: string, status: TrialStatus): void {
  const own = checkpointPath(shard, id);
  const started = startedUnfinished(status);
  const from = existsSync(own) ? own : started ? legacyCheckpointPath(shard, id) : null;
  if (from && existsSync(from)) copyIfPresent(from, checkpointPath(target, id));
  else rmSync(checkpointPath(target, id), { force: true });
}

/**
 * Copies a trial's weights file when it reads as safetensors whose tensors fit in the file (a truncated copy does
 * not); 'missing' when there is none; else why not, and nothing is written.
 */
function copyWeightsIfSound(from: string, to: string): 'copied' | 'missing' | { damaged: string } {
  if (!existsSync(from)) return 'missing';
  const data = readFileSync(from);
  try {
    decodeSafetensors(data);
  } catch (e) {
    return { damaged: `${from}: ${(e as Error).message}` };
  }
  writeFileAtomic(to, data);
  return 'copied';
}

/** Copies a file atomically (a unique temporary name, synced, then renamed), when it exists; whether it did. */
function copyIfPresent(from: string, to: string): boolean {
  if (!existsSync(from)) return false;
  writeFileAtomic(to, readFileSync(from));
  return true;
}

/** Up to three trial ids, shortened, and an ellipsis for more. */
const idList = (ids: readonly string[]) =>
  `${ids
    .slice(0, 3)
    .map((id) => id.slice(0, 8))
    .join(', ')}${ids.length > 3 ? ', …' : ''}`;

/**
 * Trials finished both in the attached shard and in the target with different final validation losses: the
 * same trial trained twice gave two results, and the merge keeps one ({@link betterRecord}: the target's).
 */
function finishedConflicts(
  db: Store['db'],
  theirs: readonly { id: string; status: TrialStatus }[],
): { id: string; mine: number; theirs: number }[] {
  const both = db.prepare(
    `SELECT m.final_val_loss AS mine, s.final_val_loss AS theirs FROM main.trials m JOIN s.trials s ON s.id = m.id
     WHERE m.id = ? AND m.status = 'finished' AND s.status = 'finished'`,
  );
  return theirs.flatMap((t) => {
    if (t.status !== 'finished') return [];
    const r = both.get(t.id) as { mine: number | null; theirs: number | null } | undefined;
    return r && r.mine !== r.theirs ? [{ id: t.id, mine: r.mine ?? NaN, theirs: r.theirs ?? NaN }] : [];
  });
}

/** Whether two paths name one file (a symlink or hard link to it included); false when either is missing. */
function sameFile(a: string, b: string): boolean {
  if (!existsSync(a) || !existsSync(b)) return false;
  const [x, y] = [statSync(a), statSync(b)];
  return x.dev === y.dev && x.ino === y.ino;
}
