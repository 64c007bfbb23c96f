import { accessSync, constants, copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { SweepPlan } from '../config/load.js';
import { specStanding, TRIAL_ID_PREFIX, type TrialSpec, trialId } from '../config/trial-spec.js';
import { damagedDatabaseMessage, openDatabases, UsageError } from '../errors.js';
import { makeDirs, removeEmptyDirs } from '../util/dirs.js';
import { DEFAULT_DB } from './default-db.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import { ownerIsDead } from './owner.js';
import type { FitRecord, MetricPoint, SweepRecord, TrialRecord, TrialResult, TrialStatus } from './types.js';

export { DEFAULT_DB };

/** Outcome of trying to claim a trial for training (`removed`: no longer in the database, `runs rm` took it). */
export type ClaimOutcome = 'claimed' | 'finished' | 'failed' | 'busy' | 'removed';

/** Raised when another process took over a trial this process was training. */
export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
}

/** How long a write waits for another process's write lock before it fails. */
export const BUSY_TIMEOUT_MS = 60_000;

/**
 * The trials a sweep's earlier plan had and a new one does not: how many, how many of them finished, how many an
 * earlier sparsebench made (not comparable), and how many differ from one of the new plan's only in the backend.
 */
export interface DroppedTrials {
  trials: number;
  finished: number;
  olderVersion: number;
  otherBackend: number;
}

/** A sweep stopped because its database could not be written; what was recorded stands. */
export class StoreWriteError extends Error {
  override name = 'StoreWriteError';
  /** `beforeTraining`: the write that failed was the sweep's first (its plan), so nothing had trained yet. */
  constructor(path: string, cause: Error, beforeTraining = false) {
    super(
      (beforeTraining
        ? `${path} could not be written (${cause.message}), so the sweep did not start; nothing was changed or trained, run it again`
        : `${path} or a file beside it could not be written (${cause.message}), so training stopped. Finished trials are recorded; ` +
          'a trial in flight resumes from its last checkpoint when the sweep (or task) runs again') +
        (/locked|busy/i.test(cause.message)
          ? `. Another process held a write lock on it for over ${BUSY_TIMEOUT_MS / 1000} s (an open sqlite3 transaction?)`
          : ''),
      { cause },
    );
  }
}

/**
 * A sweep stopped because its database file was removed or replaced while it ran: what it recorded since went to
 * the file no longer there (exit 75, as a failed write).
 */
export class DatabaseGoneError extends StoreWriteError {
  constructor(path: string, how: string) {
    super(path, new Error(how));
    this.message = `${path} ${how} while this sweep ran, so the sweep stopped: what it recorded went to the old file and is lost with it. Run the sweep again to train into ${path}`;
  }
}

/** Device and inode of a file, or null when there is none. */
function fileIdentity(path: string): { dev: number; ino: number } | null {
  try {
    const st = statSync(path);
    return { dev: st.dev, ino: st.ino };
  } catch {
    return null;
  }
}

/** A reader found an empty SQLite database (version 0, no tables): no sweeps to read, and none written. */
export class EmptyDatabaseError extends UsageError {
  override name = 'EmptyDatabaseError';
}

/** A database of an older schema opened with `read: 'only'`, which upgrades nothing. */
export class OlderSchemaError extends UsageError {
  override name = 'OlderSchemaError';
}

const now = () => new Date().toISOString();

/**
 * The SQLite store: the only module that touches the database. WAL journal, short IMMEDIATE write
 * transactions, a trial marked finished in the same transaction as its final metrics.
 */
export class Store {
  /** The file's device and inode when opened: a path removed or replaced since no longer leads to this database. */
  private readonly identity: { dev: number; ino: number } | null;
  /** Removes the copy a reader of a database in a read-only folder reads ({@link Store.openCopy}); null otherwise. */
  private removeCopy: (() => void) | null = null;

  private constructor(
    readonly path: string,
    readonly db: Database.Database,
  ) {
    this.identity = fileIdentity(path);
  }

  /**
   * How the database's path no longer leads to the file this store writes ("was removed", "was replaced by another
   * file"), or null while it does. A sweep whose file is deleted under it writes on to the unlinked file, and all
   * it records is lost when it closes.
   */
  fileGone(): string | null {
    const now = fileIdentity(this.path);
    if (now === null) return 'was removed';
    if (this.identity !== null && (now.dev !== this.identity.dev || now.ino !== this.identity.ino))
      return 'was replaced by another file';
    return null;
  }

  /**
   * Opens (and with `create`, creates) a database and migrates it forward. Readers pass create: false and
   * get a clear error when there is nothing to read; a command that will write to an existing database
   * (`create` or `write`) is refused up front when the file is read-only, not after its work. `flag` names
   * where the path came from in those errors (default `--db`; merge's target is `--into`).
   *
   * `read` opens a database of this sparsebench's schema for reading only (`query_only`), leaving the file as it
   * was: its journal mode stays, and an empty SQLite database is refused ({@link EmptyDatabaseError}) rather than
   * given a schema. (The handle is not SQLite's read-only one, which would leave WAL's -wal and -shm files behind
   * when it closes.) A database of an older schema is migrated, and switched to WAL, as a writer would (the one
   * write a reader makes) with `read: 'upgrading'`, and refused with `read: 'only'` (a dry run, which writes
   * nothing).
   */
  static open(
    path: string,
    opts: { create: boolean; write?: boolean; read?: 'upgrading' | 'only'; flag?: string },
  ): Store {
    const abs = resolve(path);
    const flag = opts.flag ?? '--db';
    if (opts.read && (opts.create || opts.write))
      throw new Error('Store.open: a reader neither creates nor writes');
    /** Folders made here for a new database, taken away again when it cannot be opened. */
    let madeDirs: string[] = [];
    if (!existsSync(abs)) {
      if (!opts.create)
        throw new UsageError(
          flag.startsWith('--')
            ? `no database at ${path} (${flag}); "sparsebench sweep <config>" makes one, or give ${flag} the path of an existing one`
            : `no database at ${path} (a ${flag}); give the path of an existing database`,
        );
      Store.assertNewPath(path, flag);
      try {
        madeDirs = makeDirs(dirname(abs));
      } catch (e) {
        throw new UsageError(`cannot create the directory of ${flag} ${path}: ${(e as Error).message}`);
      }
    } else if (statSync(abs).isDirectory()) {
      throw new UsageError(`${flag} ${path} is a directory; give the path of a database file`);
    } else if (!statSync(abs).isFile()) {
      // SQLite would write its journal beside it (/dev/null-journal) and fail with a bare "disk I/O error"
      throw new UsageError(
        `${flag} ${path} is not a regular file (a device, pipe or socket); give the path of a database file`,
      );
    } else if (!opts.create && statSync(abs).size === 0) {
      // SQLite would take an empty file for an empty database and write a schema into it: a reader or a
      // merge must not. A sweep stopped as it created the file leaves one, as does a truncated copy
      throw new UsageError(
        `${path} is an empty file: no sweep has written to it (one stopped as it created the file, or a truncated copy?); "sparsebench sweep <config> --db ${path}" starts one there`,
      );
    } else if ((opts.create || opts.write) && !writable(abs)) {
      // a writer would otherwise fail at its first write, after planning, with SQLite's bare message
      throw new UsageError(`${flag} ${path} is read-only; this command writes to it (check its permissions)`);
    }
    let db: Database.Database | null = null;
    try {
      db = new Database(abs, { fileMustExist: !opts.create });
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > SCHEMA_VERSION) {
        throw new UsageError(
          `${path} has schema version ${version}, newer than this sparsebench understands (${SCHEMA_VERSION}); upgrade sparsebench`,
        );
      }
      if (version === 0) assertEmpty(db, path, flag);
      if (opts.read !== undefined) {
        if (version === 0)
          throw new EmptyDatabaseError(
            `${path} holds no sweeps yet (an empty database); run "sparsebench sweep <config>" first`,
          );
        if (version < SCHEMA_VERSION) {
          if (opts.read === 'only')
            throw new OlderSchemaError(
              `${path} has schema version ${version}, older than this sparsebench's (${SCHEMA_VERSION}); a command that writes to it upgrades it`,
            );
          db.close();
          return Store.open(path, { create: false, write: true, flag });
        }
        db.pragma('query_only = ON'); // a write slipped into a reader fails instead of changing the file
        openDatabases.add(path);
        return new Store(abs, db);
      }
      enableWal(db);
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      if (version < SCHEMA_VERSION) migrate(db, path, flag);
    } catch (e) {
      if (db?.open) db.close();
      removeEmptyDirs(madeDirs);
      if (e instanceof UsageError) throw e;
      const code = (e as { code?: string }).code;
      if (code === 'SQLITE_NOTADB')
        throw new UsageError(
          `${flag} ${path} is not a SQLite database; give the path of a sparsebench database`,
        );
      if (code === 'SQLITE_CORRUPT')
        throw new UsageError(damagedDatabaseMessage([path], (e as Error).message));
      // a reader in a folder it cannot write: SQLite needs the WAL's -shm beside the file even to read it
      if (
        opts.read !== undefined &&
        (code === 'SQLITE_CANTOPEN' || code?.startsWith('SQLITE_READONLY')) &&
        !writable(dirname(abs))
      )
        return Store.openCopy(abs, path, opts.read, flag);
      if (code === 'SQLITE_READONLY_DIRECTORY')
        throw new UsageError(
          `cannot use ${path}: its directory is not writable, and SQLite writes its WAL files (${basename(path)}-wal, -shm) beside the database even to read it; check the directory's permissions, or copy the database somewhere writable`,
        );
      if (code === 'SQLITE_CANTOPEN' || code?.startsWith('SQLITE_READONLY'))
        throw new UsageError(
          `cannot open ${path} for writing (${(e as Error).message}); check the path and its permissions`,
        );
      throw e;
    }
    openDatabases.add(path);
    return new Store(abs, db);
  }

  /**
   * Refuses, before any work, a path where no new database can be made: one ending in a slash (resolve() would drop
   * it, and a folder meant would become a database file of its name), or one under a file or an unwritable folder.
   * For a command that creates its database only after long work (`fit-law --points --db NEW`).
   */
  static assertNewPath(path: string, flag = '--db'): void {
    if (/[\\/]$/.test(path))
      throw new UsageError(
        `${flag} ${path}: ends in a slash, as a folder does; give the path of a database file, e.g. ${join(path, 'sparsebench.db')}`,
      );
    let above = dirname(resolve(path));
    while (!existsSync(above) && dirname(above) !== above) above = dirname(above);
    if (!statSync(above).isDirectory() || !writable(above))
      throw new UsageError(
        `cannot create ${flag} ${path}: ${above} is ${statSync(above).isDirectory() ? 'not writable' : 'not a directory'}`,
      );
  }

  close(): void {
    if (this.db.open) this.db.close();
    this.removeCopy?.();
    this.removeCopy = null;
  }

  /**
   * A reader of a database whose folder cannot be written (a read-only mount, a shared archive): SQLite cannot open
   * a WAL database there without its -shm file beside it, even to read, so the database (and its -wal, with what it
   * has not yet checkpointed) is copied to a temporary folder and read there, said on stderr. The store keeps the
   * original path (weights and checkpoints are read beside it); the copy goes when the store closes, or the process
   * exits.
   */
  private static openCopy(abs: string, path: string, read: 'upgrading' | 'only', flag: string): Store {
    const dir = mkdtempSync(join(tmpdir(), 'sparsebench-read-'));
    const remove = () => rmSync(dir, { recursive: true, force: true });
    process.once('exit', remove);
    try {
      const copy = join(dir, basename(abs));
      copyFileSync(abs, copy);
      if (existsSync(`${abs}-wal`)) copyFileSync(`${abs}-wal`, `${copy}-wal`);
      const inner = Store.open(copy, { create: false, read, flag });
      openDatabases.delete(copy);
      process.stderr.write(
        `sparsebench: note: ${path} lies in a folder that cannot be written, where SQLite cannot open it even to read: reading a copy in ${dir}\n`,
      );
      const store = new Store(abs, inner.db);
      store.removeCopy = () => {
        remove();
        process.off('exit', remove);
      };
      openDatabases.add(path);
      return store;
    } catch (e) {
      remove();
      process.off('exit', remove);
      throw e;
    }
  }

  /**
   * Records a sweep and its planned trials. New trials start pending; trials already known (from this or
   * another sweep) keep their status and results. The sweep's trial list becomes exactly the plan.
   */
  saveSweep(plan: SweepPlan): {
    added: number;
    known: number;
    dropped: DroppedTrials;
  } {
    let added = 0;
    const dropped: DroppedTrials = { trials: 0, finished: 0, olderVersion: 0, otherBackend: 0 };
    const insertTrial = this.db.prepare(
      `INSERT OR IGNORE INTO trials (id, spec_json, family, sparsity, nonzero_target, tokens_target, seed, pruner,
         dense_params, total_params, embedding_params, planned_nonzero, planned_flops, status, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
    );
    this.db
      .transaction(() => {
        const t = now();
        this.db
          .prepare(
            `INSERT INTO sweeps (name, config_path, config_json, axes_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (name) DO UPDATE SET config_path = excluded.config_path, config_json = excluded.config_json,
               axes_json = excluded.axes_json, updated_at = excluded.updated_at`,
          )
          .run(plan.name, plan.file, JSON.stringify(plan.config), JSON.stringify(plan.axes), t, t);
        // trials an earlier config of this sweep had and this one does not: they leave the sweep (kept in the
        // database), which its caller should say, since the sweep's fit and report change with them
        Object.assign(dropped, this.droppedBy(plan));
        this.db.prepare('DELETE FROM sweep_trials WHERE sweep = ?').run(plan.name);
        // a run plans every trial anew: none of this sweep's is removed any more
        this.db.prepare('DELETE FROM removed_trials WHERE sweep = ?').run(plan.name);
        const link = this.db.prepare(
          'INSERT INTO sweep_trials (sweep, trial_id, position, axes_json) VALUES (?, ?, ?, ?)',
        );
        plan.trials.forEach((p, i) => {
          const s = p.spec;
          const r = insertTrial.run(
            p.id,
            JSON.stringify(s),
            s.model.family,
            s.sparsity,
            s.nonzero_params,
            s.tokens,
            s.seed,
            s.pruner.name,
            p.dense_params,
            p.total_params,
            p.embedding_params,
            p.nonzero_params,
            p.flops,
            t,
          );
          added += r.changes;
          link.run(plan.name, p.id, i, JSON.stringify(p.axes));
        });
      })
      .immediate();
    return { added, known: plan.trials.length - added, dropped };
  }

  /**
   * The trials the stored sweep of this name has and `plan` does not (an earlier config, or trials an earlier
   * spec version or component revision made: {@link specStanding}): saving the plan takes them out of the sweep.
   * Reads only.
   */
  droppedBy(plan: SweepPlan): DroppedTrials {
    const dropped = { trials: 0, finished: 0, olderVersion: 0, otherBackend: 0 };
    const ids = new Set(plan.trials.map((p) => p.id));
    // a trial differing from one of the plan's in its backend alone: under one of the plan's backends, it has a
    // plan trial's id (the same settings under another --backend)
    const backends = [...new Set(plan.trials.map((p) => p.spec.backend))];
    const otherBackendOnly = (spec: TrialSpec) =>
      backends.some((b) => b !== spec.backend && ids.has(trialId({ ...spec, backend: b })));
    const before = this.db
      .prepare(
        `SELECT st.trial_id AS id, t.status, t.spec_json AS spec
         FROM sweep_trials st JOIN trials t ON t.id = st.trial_id WHERE st.sweep = ?`,
      )
      .all(plan.name) as { id: string; status: string; spec: string }[];
    for (const r of before)
      if (!ids.has(r.id)) {
        dropped.trials++;
        if (r.status === 'finished') dropped.finished++;
        const spec = JSON.parse(r.spec) as TrialSpec;
        if (specStanding(spec) === 'earlier') dropped.olderVersion++;
        else if (otherBackendOnly(spec)) dropped.otherBackend++;
      }
    return dropped;
  }

  /**
   * Claims a trial for training by `owner`. A running trial is taken over only when its lease is stale
   * (heartbeat older than `leaseMs`, or its owner process on this host is gone). Claiming clears the partial
   * metrics of an earlier attempt after `keepMetricsThrough` (the step of the checkpoint it resumes from;
   * none kept by default), so every step of a trial is stored exactly once.
   */
  claimTrial(
    id: string,
    owner: string,
    opts: { retryFailed: boolean; leaseMs: number; keepMetricsThrough?: number },
  ): ClaimOutcome {
    return this.db
      .transaction((): ClaimOutcome => {
        const row = this.db.prepare('SELECT status, owner, heartbeat_at FROM trials WHERE id = ?').get(id) as
          | { status: TrialStatus; owner: string | null; heartbeat_at: number | null }
          | undefined;
        if (!row) return 'removed';
        if (row.status === 'finished') return 'finished';
        if (row.status === 'failed' && !opts.retryFailed) return 'failed';
        if (row.status === 'running') {
          const stale = Date.now() - (row.heartbeat_at ?? 0) > opts.leaseMs || ownerIsDead(row.owner);
          if (!stale) return 'busy';
        }
        // metrics up to a checkpoint the trial resumes from stay; anything later is redone
        this.db
          .prepare('DELETE FROM metrics WHERE trial_id = ? AND step > ?')
          .run(id, opts.keepMetricsThrough ?? -1);
        this.db
          .prepare(
            `UPDATE trials SET status = 'running', owner = ?, heartbeat_at = ?, attempts = attempts + 1, started_at = ?,
               finished_at = NULL, error = NULL, error_step = NULL, nonzero_params = NULL, achieved_sparsity = NULL,
               tokens = NULL, steps = NULL, final_val_loss = NULL, final_val_accuracy = NULL, final_train_loss = NULL, wall_seconds = NULL,
               tokens_per_second = NULL, backend = NULL, layer_density_json = NULL, env_json = NULL
             WHERE id = ?`,
          )
          .run(owner, Date.now(), now(), id);
        return 'claimed';
      })
      .immediate();
  }

  /** Ids of the stored fits made from any of these trials (a fit's record names the trials it was fitted to). */
  fitsUsing(ids: readonly string[]): number[] {
    const wanted = new Set(ids);
    return (
      this.db.prepare('SELECT id, inputs_json FROM fits ORDER BY id').all() as {
        id: number;
        inputs_json: string;
      }[]
    )
      .filter((f) => (JSON.parse(f.inputs_json) as string[]).some((id) => wanted.has(id)))
      .map((f) => f.id);
  }

  /** How many metric points these trials have logged. */
  metricCount(ids: readonly string[]): number {
    const get = this.db.prepare('SELECT count(*) AS n FROM metrics WHERE trial_id = ?');
    return ids.reduce((n, id) => n + (get.get(id) as { n: number }).n, 0);
  }

  /**
   * Removes trials: their rows, logged metrics and places in sweeps, and the stored fits made from them (which would
   * speak for trials no longer here), in one IMMEDIATE transaction. `inside` runs first, under its write lock, with
   * the trials as they stand then (none can be claimed meanwhile): the caller's last checks, and the removal of the
   * trials' files. Files go first: a trial whose rows outlive its checkpoint trains again from step 0, while a
   * checkpoint outliving its rows would be resumed with the metrics before it gone. Throwing in `inside` removes
   * nothing. Returns the ids of the fits removed.
   */
  removeTrials(ids: readonly string[], inside: (current: TrialRecord[]) => void): { fits: number[] } {
    return this.db
      .transaction(() => {
        const get = this.db.prepare('SELECT * FROM trials WHERE id = ?');
        const current = ids.flatMap((id) => {
          const row = get.get(id) as Record<string, unknown> | undefined;
          return row ? [toRecord(row)] : [];
        });
        inside(current);
        const fits = this.fitsUsing(ids);
        const dropFit = this.db.prepare('DELETE FROM fits WHERE id = ?');
        for (const f of fits) dropFit.run(f);
        // each sweep it leaves remembers it until that sweep runs again
        const remember = this.db.prepare(
          'INSERT OR REPLACE INTO removed_trials (sweep, trial_id, removed_at) SELECT sweep, trial_id, ? FROM sweep_trials WHERE trial_id = ?',
        );
        const removedAt = now();
        const unlink = this.db.prepare('DELETE FROM sweep_trials WHERE trial_id = ?');
        const forget = this.db.prepare('DELETE FROM metrics WHERE trial_id = ?');
        const drop = this.db.prepare('DELETE FROM trials WHERE id = ?');
        for (const t of current) {
          remember.run(removedAt, t.id);
          unlink.run(t.id);
          forget.run(t.id);
          drop.run(t.id);
        }
        return { fits };
      })
      .immediate();
  }

  /** Appends metrics and renews the lease, in one transaction. */
  appendMetrics(id: string, owner: string, points: readonly MetricPoint[]): void {
    this.db
      .transaction(() => {
        this.touch(id, owner);
        this.insertMetrics(id, points);
      })
      .immediate();
  }

  /** Marks a trial finished with its results, in the same transaction as its last metrics. */
  finishTrial(id: string, owner: string, result: TrialResult, lastPoints: readonly MetricPoint[]): void {
    this.db
      .transaction(() => {
        this.touch(id, owner);
        this.insertMetrics(id, lastPoints);
        this.db
          .prepare(
            `UPDATE trials SET status = 'finished', nonzero_params = ?, achieved_sparsity = ?, tokens = ?, steps = ?,
               final_val_loss = ?, final_val_accuracy = ?, final_train_loss = ?, wall_seconds = ?, tokens_per_second = ?, backend = ?,
               layer_density_json = ?, env_json = ?, finished_at = ?, owner = NULL, heartbeat_at = NULL
             WHERE id = ?`,
          )
          .run(
            result.nonzeroParams,
            result.achievedSparsity,
            result.tokens,
            result.steps,
            result.finalValLoss,
            result.finalValAccuracy,
            result.finalTrainLoss,
            result.wallSeconds,
            result.tokensPerSecond,
            result.backend,
            JSON.stringify(result.layerDensity),
            result.environment ? JSON.stringify(result.environment) : null,
            now(),
            id,
          );
      })
      .immediate();
  }

  /** Ends a trial as failed or interrupted, keeping its metrics for inspection. */
  endTrial(
    id: string,
    owner: string,
    status: 'failed' | 'interrupted',
    info: { error?: string; step?: number; backend?: string; lastPoints?: readonly MetricPoint[] },
  ): void {
    this.db
      .transaction(() => {
        const r = this.db
          .prepare(
            `UPDATE trials SET status = ?, error = ?, error_step = ?, backend = COALESCE(?, backend), finished_at = ?,
               owner = NULL, heartbeat_at = NULL
             WHERE id = ? AND owner = ?`,
          )
          .run(status, info.error ?? null, info.step ?? null, info.backend ?? null, now(), id, owner);
        if (r.changes === 1 && info.lastPoints) this.insertMetrics(id, info.lastPoints);
      })
      .immediate();
  }

  private touch(id: string, owner: string): void {
    const r = this.db
      .prepare(`UPDATE trials SET heartbeat_at = ? WHERE id = ? AND owner = ? AND status = 'running'`)
      .run(Date.now(), id, owner);
    if (r.changes !== 1) throw new LeaseLostError(`trial ${id} is no longer owned by this process`);
  }

  private insertMetrics(id: string, points: readonly MetricPoint[]): void {
    const ins = this.db.prepare(
      'INSERT OR REPLACE INTO metrics (trial_id, name, step, tokens, value) VALUES (?, ?, ?, ?, ?)',
    );
    for (const p of points) ins.run(id, p.name, p.step, p.tokens, p.value);
  }

  /** Name of the most recently updated sweep, or null in an empty database. */
  latestSweep(): string | null {
    const r = this.db.prepare('SELECT name FROM sweeps ORDER BY updated_at DESC, rowid DESC LIMIT 1').get() as
      | { name: string }
      | undefined;
    return r?.name ?? null;
  }

  getSweep(name: string): SweepRecord | null {
    const r = this.db.prepare('SELECT * FROM sweeps WHERE name = ?').get(name) as
      | Record<string, string>
      | undefined;
    if (!r) return null;
    return {
      name: r.name,
      configPath: r.config_path,
      config: JSON.parse(r.config_json),
      axes: JSON.parse(r.axes_json),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  listSweeps(): SweepRecord[] {
    const names = this.db.prepare('SELECT name FROM sweeps ORDER BY updated_at DESC, rowid DESC').all() as {
      name: string;
    }[];
    return names.map((n) => this.getSweep(n.name)!);
  }

  /** Trials of a sweep in plan order (with their axis values), or every trial when `sweep` is null. */
  listTrials(sweep: string | null, status?: TrialStatus): TrialRecord[] {
    const rows = sweep
      ? this.db
          .prepare(
            `SELECT t.*, st.axes_json FROM sweep_trials st JOIN trials t ON t.id = st.trial_id
             WHERE st.sweep = ? ${status ? 'AND t.status = ?' : ''} ORDER BY st.position`,
          )
          .all(...(status ? [sweep, status] : [sweep]))
      : this.db
          .prepare(
            `SELECT t.* FROM trials t ${status ? 'WHERE t.status = ?' : ''} ORDER BY t.created_at, t.id`,
          )
          .all(...(status ? [status] : []));
    return (rows as Record<string, unknown>[]).map(toRecord);
  }

  /**
   * A trial by full id or unique id prefix (at least 4 hex digits, either case); null when none matches. Text that
   * cannot be an id, or a prefix several ids share, is a UsageError saying so.
   */
  findTrial(given: string): TrialRecord | null {
    const idOrPrefix = given.toLowerCase(); // ids are lowercase hex; 5DCE, copied from elsewhere, is 5dce
    if (!TRIAL_ID_PREFIX.test(idOrPrefix))
      throw new UsageError(
        `"${given}" is not a trial id: give the 16 hex digits of an id, or a unique prefix of at least 4 (see "sparsebench runs list")`,
      );
    const rows = this.db
      .prepare('SELECT * FROM trials WHERE id LIKE ? ORDER BY id LIMIT 2')
      .all(`${idOrPrefix}%`) as Record<string, unknown>[];
    if (rows.length > 1)
      throw new UsageError(`trial id prefix "${idOrPrefix}" is ambiguous; give more characters`);
    return rows.length === 1 ? toRecord(rows[0]) : null;
  }

  /** The status of each of these trials the database holds, under any sweep (a trial is shared by id). */
  statusesOf(ids: readonly string[]): Map<string, TrialStatus> {
    const get = this.db.prepare('SELECT status FROM trials WHERE id = ?');
    const out = new Map<string, TrialStatus>();
    for (const id of ids) {
      const row = get.get(id) as { status: TrialStatus } | undefined;
      if (row) out.set(id, row.status);
    }
    return out;
  }

  /** Sweeps a trial belongs to. */
  sweepsOfTrial(id: string): string[] {
    return (
      this.db.prepare('SELECT sweep FROM sweep_trials WHERE trial_id = ? ORDER BY sweep').all(id) as {
        sweep: string;
      }[]
    ).map((r) => r.sweep);
  }

  /** Stores a law fit; returns its id. */
  saveFit(fit: Omit<FitRecord, 'id' | 'createdAt'>): number {
    const r = this.db
      .prepare(
        `INSERT INTO fits (sweep, source, form, options_json, result_json, inputs_json, converged, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        fit.sweep,
        fit.source,
        fit.form,
        JSON.stringify(fit.options),
        JSON.stringify(fit.result),
        JSON.stringify(fit.inputs),
        fit.converged ? 1 : 0,
        now(),
      );
    return Number(r.lastInsertRowid);
  }

  /** A stored fit by id, or null. */
  getFit(id: number): FitRecord | null {
    const r = this.db.prepare('SELECT * FROM fits WHERE id = ?').get(id) as
      | Record<string, unknown>
      | undefined;
    return r ? toFit(r) : null;
  }

  /** A sweep's stored fits (every fit, `null`: those of external points included), oldest first. */
  listFits(sweep: string | null): FitRecord[] {
    const rows = (
      sweep === null
        ? this.db.prepare('SELECT * FROM fits ORDER BY created_at, id').all()
        : this.db.prepare('SELECT * FROM fits WHERE sweep = ? ORDER BY created_at, id').all(sweep)
    ) as Record<string, unknown>[];
    return rows.map(toFit);
  }

  /** Ids of a sweep's stored fits of one form, oldest first. */
  fitIds(sweep: string, form: string): number[] {
    return (
      this.db.prepare('SELECT id FROM fits WHERE sweep = ? AND form = ? ORDER BY id').all(sweep, form) as {
        id: number;
      }[]
    ).map((r) => r.id);
  }

  /**
   * The fit of a sweep (optionally of one form) the report draws unless told another: the most recently made of
   * those whose trials are all still in the sweep, else the most recently made; null when it has none. A fit whose
   * trials left the sweep (the sweep was run again with another plan, or a merge gave it another database's config)
   * no longer describes it, however new. By creation time, not id: a fit merged in from another database gets a new,
   * higher id however old it is.
   */
  defaultFit(sweep: string, form?: string): FitRecord | null {
    const r = this.db
      .prepare(
        `SELECT * FROM fits f WHERE sweep = ? ${form ? 'AND form = ?' : ''}
         ORDER BY NOT EXISTS (
           SELECT 1 FROM json_each(f.inputs_json) j
           WHERE NOT EXISTS (SELECT 1 FROM sweep_trials m WHERE m.sweep = f.sweep AND m.trial_id = j.value)
         ) DESC, created_at DESC, id DESC LIMIT 1`,
      )
      .get(...(form ? [sweep, form] : [sweep])) as Record<string, unknown> | undefined;
    return r ? toFit(r) : null;
  }

  /** Logged metrics of a trial, in step order, optionally one name only. */
  metrics(id: string, name?: string): MetricPoint[] {
    const sql = `SELECT name, step, tokens, value FROM metrics WHERE trial_id = ? ${name ? 'AND name = ?' : ''} ORDER BY name, step`;
    return this.db.prepare(sql).all(...(name ? [id, name] : [id])) as MetricPoint[];
  }
}

/**
 * Switches a database to WAL. Processes opening a new database at once can meet SQLITE_BUSY here without the
 * busy timeout being applied (SQLite returns it at once where waiting could deadlock), so it is retried for
 * up to 5 s.
 */
function enableWal(db: Database.Database): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 0; ; attempt++) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (e) {
      if ((e as { code?: string }).code !== 'SQLITE_BUSY' || attempt >= 250) throw e;
      Atomics.wait(pause, 0, 0, 20);
    }
  }
}

/** A database at version 0 must be empty: sparsebench never adds its tables to someone else's database. */
function assertEmpty(db: Database.Database, path: string, flag: string): void {
  // another sparsebench process may be creating it right now: its tables then come with a version. Both are
  // read in one transaction, so its commit cannot land between them (version 0 read, then its tables seen)
  const n = db.transaction(() => {
    if ((db.pragma('user_version', { simple: true }) as number) > 0) return 0;
    return (
      db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").get() as {
        n: number;
      }
    ).n;
  })();
  if (n > 0) {
    throw new UsageError(
      `${path} is a SQLite database, but not a sparsebench one (it has other tables); choose another ${flag}`,
    );
  }
}

function toFit(r: Record<string, unknown>): FitRecord {
  return {
    id: r.id as number,
    sweep: (r.sweep as string | null) ?? null,
    source: r.source as string,
    form: r.form as string,
    options: JSON.parse(r.options_json as string),
    result: JSON.parse(r.result_json as string),
    inputs: JSON.parse(r.inputs_json as string),
    converged: r.converged === 1,
    createdAt: r.created_at as string,
  };
}

/**
 * Brings the schema to {@link SCHEMA_VERSION} in one IMMEDIATE transaction. The version is read again under
 * the write lock, so processes opening a new database at the same moment migrate it exactly once.
 */
function migrate(db: Database.Database, path: string, flag: string): void {
  db.transaction(() => {
    const from = db.pragma('user_version', { simple: true }) as number;
    if (from === 0) assertEmpty(db, path, flag);
    for (let v = from; v < SCHEMA_VERSION; v++) MIGRATIONS[v](db);
    if (from < SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

function toRecord(r: Record<string, unknown>): TrialRecord {
  const num = (k: string) => (r[k] === null || r[k] === undefined ? null : Number(r[k]));
  return {
    id: r.id as string,
    spec: JSON.parse(r.spec_json as string) as TrialSpec,
    status: r.status as TrialStatus,
    sparsity: r.sparsity as number,
    pruner: r.pruner as string,
    nonzeroTarget: r.nonzero_target as number,
    tokensTarget: r.tokens_target as number,
    seed: r.seed as number,
    denseParams: r.dense_params as number,
    totalParams: r.total_params as number,
    embeddingParams: r.embedding_params as number,
    plannedNonzero: r.planned_nonzero as number,
    plannedFlops: r.planned_flops as number,
    nonzeroParams: num('nonzero_params'),
    achievedSparsity: num('achieved_sparsity'),
    tokens: num('tokens'),
    steps: num('steps'),
    finalValLoss: num('final_val_loss'),
    finalValAccuracy: num('final_val_accuracy'),
    finalTrainLoss: num('final_train_loss'),
    wallSeconds: num('wall_seconds'),
    tokensPerSecond: num('tokens_per_second'),
    backend: (r.backend as string | null) ?? null,
    error: (r.error as string | null) ?? null,
    errorStep: num('error_step'),
    layerDensity: r.layer_density_json ? JSON.parse(r.layer_density_json as string) : null,
    environment: r.env_json ? JSON.parse(r.env_json as string) : null,
    attempts: r.attempts as number,
    owner: (r.owner as string | null) ?? null,
    heartbeatAt: num('heartbeat_at'),
    createdAt: r.created_at as string,
    startedAt: (r.started_at as string | null) ?? null,
    finishedAt: (r.finished_at as string | null) ?? null,
    ...(r.axes_json ? { axes: JSON.parse(r.axes_json as string) } : {}),
  };
}

/** Whether this process may write the file at `path`. */
function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
