import { existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { UsageError } from '../errors.js';

/**
 * The status of one trial in a study database read as-is: opened read-only, with no migration, no switch to
 * WAL and no lock beyond a read, so cluster tasks can check the shared study database (`run-trial
 * --skip-from`, often on a network file system where WAL does not work) without changing it. Null when the
 * file does not exist yet (a first run) or does not hold the trial.
 */
export function trialStatusIn(path: string, trialId: string, flag: string): string | null {
  if (!existsSync(path)) return null;
  if (statSync(path).isDirectory())
    throw new UsageError(`${flag} ${path} is a directory; give the path of a database file`);
  let db: Database.Database | null = null;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const row = db.prepare('SELECT status FROM trials WHERE id = ?').get(trialId) as
      | { status: string }
      | undefined;
    return row?.status ?? null;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${flag} ${path} cannot be read as a sparsebench database: ${(e as Error).message}`);
  } finally {
    db?.close();
  }
}
