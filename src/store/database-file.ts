import { lstatSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * A database's own file, absolute: through a symbolic link to the file itself, so the folders named after it
 * (`<database>.weights`, `<database>.checkpoints`) are the same however the database is reached. A linked folder
 * above it needs nothing: the folders lie beside the file in it either way.
 */
export function databaseFile(dbPath: string): string {
  const abs = resolve(dbPath);
  try {
    return lstatSync(abs).isSymbolicLink() ? realpathSync(abs) : abs;
  } catch {
    return abs; // not there (yet), or a link to nothing: the path as given
  }
}
