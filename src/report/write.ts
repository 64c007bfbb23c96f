import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';

/**
 * Creates `dir` (and missing parents, one level at a time from the nearest existing ancestor: Node's
 * recursive mkdir can spin on pseudo filesystems) or throws UsageError naming --out.
 */
export function ensureOutDir(dir: string): void {
  const abs = resolve(dir);
  const missing: string[] = [];
  let cur = abs;
  while (!existsSync(cur)) {
    missing.unshift(cur);
    const up = dirname(cur);
    if (up === cur) break;
    cur = up;
  }
  if (!statSync(cur).isDirectory())
    throw new UsageError(`--out ${dir}: ${cur === abs ? 'is a file' : `${cur} is a file`}; give a directory`);
  try {
    for (const d of missing) mkdirSync(d);
  } catch (e) {
    throw new UsageError(
      `--out ${dir}: cannot create the directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
}

/**
 * Writes several files so that none is half-written: each goes to a temporary file in the same
 * directory first, and only when all are written are they renamed into place. On failure the temporary
 * files are removed and earlier versions of the files stay as they were.
 */
export function writeFilesAtomically(dir: string, files: ReadonlyMap<string, string>): string[] {
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
