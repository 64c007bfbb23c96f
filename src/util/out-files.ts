import { chmodSync, existsSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { makeDirs } from './dirs.js';
import { storeFolder } from './out-guard.js';

/**
 * Why a file-system call failed, for a message: "EACCES: permission denied" (Node's message without the
 * path it names, which may be a temporary file), or the message of an error without a code.
 */
export function fsReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code && err.message.startsWith(`${err.code}:`)) return err.message.split(', ')[0];
  return err.code ?? err.message;
}

/**
 * Creates `dir` (and missing parents, one level at a time from the nearest existing ancestor: Node's
 * recursive mkdir can spin on pseudo filesystems) or throws UsageError. `name` is how messages call the
 * folder: `--out <dir>` unless the folder is a default.
 */
export function ensureOutDir(dir: string, name = `--out ${dir}`): void {
  const abs = resolve(dir);
  if (existsSync(abs) && !statSync(abs).isDirectory())
    throw new UsageError(`${name}: is a file; give a directory`);
  const store = storeFolder(abs);
  if (store)
    throw new UsageError(
      `${name}: is the folder where database ${basename(store.db)} keeps its trials' ${store.kind}; files written there would be taken for a trial's, give another directory`,
    );
  try {
    makeDirs(abs);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UsageError(
      err.code
        ? `${name}: cannot create the directory (${fsReason(err)})`
        : `${name}: ${err.message}; give a directory`,
    );
  }
}

/** A file to write with {@link writeFilesAtomically}: its text, and whether to make it executable. */
export interface OutFile {
  text: string;
  executable?: boolean;
}

/**
 * Writes several files so that none is half-written: each goes to a temporary file in the same
 * directory first, and only when all are written are they renamed into place. On failure the temporary
 * files are removed, earlier versions of the files stay as they were, and a UsageError says that `what`
 * (e.g. "the report") could not be written to the folder `name` (default `--out <dir>`).
 */
export function writeFilesAtomically(
  dir: string,
  files: ReadonlyMap<string, string | OutFile>,
  what: string,
  name = `--out ${dir}`,
): string[] {
  // a directory where a file goes would fail its rename after others were renamed: refuse before writing any
  for (const file of files.keys()) {
    const path = join(dir, file);
    if (existsSync(path) && statSync(path).isDirectory())
      throw new UsageError(`${name}: ${file} there is a directory; remove it or give another --out`);
  }
  const temps: [string, string][] = [];
  try {
    for (const [file, content] of files) {
      const path = join(dir, file);
      const tmp = join(dir, `.${file}.${process.pid}.tmp`);
      temps.push([tmp, path]);
      const { text, executable } = typeof content === 'string' ? { text: content } : content;
      writeFileSync(tmp, text);
      if (executable) chmodSync(tmp, 0o755);
    }
  } catch (e) {
    for (const [tmp] of temps) rmSync(tmp, { force: true });
    throw new UsageError(`${name}: cannot write ${what} (${fsReason(e)})`);
  }
  for (const [tmp, path] of temps) renameSync(tmp, path);
  return temps.map(([, path]) => path);
}
