import { existsSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { makeDirs } from '../util/dirs.js';

/**
 * Creates `dir` (and missing parents, one level at a time from the nearest existing ancestor: Node's
 * recursive mkdir can spin on pseudo filesystems) or throws UsageError naming --out.
 */
export function ensureOutDir(dir: string): void {
  const abs = resolve(dir);
  if (existsSync(abs) && !statSync(abs).isDirectory())
    throw new UsageError(`--out ${dir}: is a file; give a directory`);
  try {
    makeDirs(abs);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UsageError(
      err.code
        ? `--out ${dir}: cannot create the directory (${err.code})`
        : `--out ${dir}: ${err.message}; give a directory`,
    );
  }
}

/**
 * Writes several files so that none is half-written: each goes to a temporary file in the same
 * directory first, and only when all are written are they renamed into place. On failure the temporary
 * files are removed and earlier versions of the files stay as they were.
 */
export function writeFilesAtomically(dir: string, files: ReadonlyMap<string, string>): string[] {
  // a directory where a file goes would fail its rename after others were renamed: refuse before writing any
  for (const name of files.keys()) {
    const path = join(dir, name);
    if (existsSync(path) && statSync(path).isDirectory())
      throw new UsageError(`--out ${dir}: ${name} there is a directory; remove it or give another --out`);
  }
  const temps: [string, string][] = [];
  try {
    for (const [name, content] of files) {
      const path = join(dir, name);
      const tmp = join(dir, `.${name}.${process.pid}.tmp`);
      temps.push([tmp, path]);
      writeFileSync(tmp, content);
    }
  } catch (e) {
    for (const [tmp] of temps) rmSync(tmp, { force: true });
    throw new UsageError(
      `--out ${dir}: cannot write the report (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  for (const [tmp, path] of temps) renameSync(tmp, path);
  return temps.map(([, path]) => path);
}
