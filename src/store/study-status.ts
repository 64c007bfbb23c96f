import { existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { UsageError } from '../errors.js';

/**
 * The status of one trial in a study database read as it is: opened read-only, never migrated or switched to
 * WAL, so the array tasks of a cluster run check the shared study database (`run-trial --skip-from`) without
 * writing to it (the merge job is its one writer). Null when the file does not exist yet (a first run) or does
 * not hold the trial. A file that is not a sparsebench database is bad input (UsageError); one that cannot be
 * read just now (locked, its -shm not creatable, an I/O error on a network file system) is reported through
 * `unreadable` and read as not finished there: the task trains the trial, and the merge keeps the better record.
 */
export function trialStatusIn(
  path: string,
  trialId: string,
  flag: string,
  unreadable: (why: string) => void,
): string | null {
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
    const code = (e as { code?: string }).code ?? '';
    const message = (e as Error).message;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || /no such table/.test(message))
      throw new UsageError(`${flag} ${path} cannot be read as a sparsebench database: ${message}`);
    unreadable(
      `${flag} ${path} cannot be read just now (${message}); training the trial, which the merge reconciles`,
    );
    return null;
  } finally {
    db?.close();
  }
}
