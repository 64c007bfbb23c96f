import type Database from 'better-sqlite3';

/**
 * Forward-only schema migrations; migration i brings the database to version i + 1 (PRAGMA user_version).
 * Never edit a released migration: add a new one.
 */
export const MIGRATIONS: readonly ((db: Database.Database) => void)[] = [
  (db) =>
    db.exec(`
      CREATE TABLE sweeps (
        name        TEXT PRIMARY KEY,
        config_path TEXT NOT NULL,
        config_json TEXT NOT NULL,
        axes_json   TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      );
      CREATE TABLE trials (
        id                 TEXT PRIMARY KEY,
        spec_json          TEXT NOT NULL,
        family             TEXT NOT NULL,
        sparsity           REAL NOT NULL,
        nonzero_target     REAL NOT NULL,
        tokens_target      REAL NOT NULL,
        seed               INTEGER NOT NULL,
        pruner             TEXT NOT NULL,
        dense_params       INTEGER NOT NULL,
        total_params       INTEGER NOT NULL,
        embedding_params   INTEGER NOT NULL,
        planned_nonzero    INTEGER NOT NULL,
        planned_flops      REAL NOT NULL,
        status             TEXT NOT NULL
          CHECK (status IN ('pending', 'running', 'finished', 'failed', 'interrupted')),
        nonzero_params     INTEGER,
        achieved_sparsity  REAL,
        tokens             INTEGER,
        steps              INTEGER,
        final_val_loss     REAL,
        final_train_loss   REAL,
        wall_seconds       REAL,
        tokens_per_second  REAL,
        backend            TEXT,
        error              TEXT,
        error_step         INTEGER,
        layer_density_json TEXT,
        owner              TEXT,
        heartbeat_at       INTEGER,
        attempts           INTEGER NOT NULL DEFAULT 0,
        created_at         TEXT NOT NULL,
        started_at         TEXT,
        finished_at        TEXT
      );
      CREATE INDEX trials_status ON trials (status);
      CREATE TABLE sweep_trials (
        sweep     TEXT NOT NULL REFERENCES sweeps (name) ON DELETE CASCADE,
        trial_id  TEXT NOT NULL REFERENCES trials (id),
        position  INTEGER NOT NULL,
        axes_json TEXT NOT NULL,
        PRIMARY KEY (sweep, trial_id)
      );
      CREATE INDEX sweep_trials_trial ON sweep_trials (trial_id);
      CREATE TABLE metrics (
        trial_id TEXT NOT NULL REFERENCES trials (id) ON DELETE CASCADE,
        name     TEXT NOT NULL,
        step     INTEGER NOT NULL,
        tokens   INTEGER NOT NULL,
        value    REAL NOT NULL,
        PRIMARY KEY (trial_id, name, step)
      ) WITHOUT ROWID;
    `),
  (db) =>
    db.exec(`
      CREATE TABLE fits (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        sweep        TEXT,
        source       TEXT NOT NULL,
        form         TEXT NOT NULL,
        options_json TEXT NOT NULL,
        result_json  TEXT NOT NULL,
        inputs_json  TEXT NOT NULL,
        converged    INTEGER NOT NULL,
        created_at   TEXT NOT NULL
      );
      CREATE INDEX fits_sweep ON fits (sweep, id);
    `),
  (db) => db.exec('ALTER TABLE trials ADD COLUMN final_val_accuracy REAL'),
  (db) => db.exec('ALTER TABLE trials ADD COLUMN env_json TEXT'),
  // the trials `runs rm` took out of a sweep, until the sweep runs again and plans them anew: so that a sweep's
  // counts ("8 of 8 finished") do not pass for complete when its config plans 12
  (db) =>
    db.exec(`
      CREATE TABLE IF NOT EXISTS removed_trials (
        sweep      TEXT NOT NULL,
        trial_id   TEXT NOT NULL,
        removed_at TEXT NOT NULL,
        PRIMARY KEY (sweep, trial_id)
      ) WITHOUT ROWID;
    `),
];

/** Schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;
