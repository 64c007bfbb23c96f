import { closeSync, existsSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';

/** The first 16 bytes of every SQLite 3 database file. */
const SQLITE_HEADER = 'SQLite format 3\0';

/** Whether `path` is an existing file that starts like a SQLite database. */
export function isSqliteFile(path: string): boolean {
  const abs = resolve(path);
  if (!existsSync(abs) || !statSync(abs).isFile()) return false;
  const head = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(abs, 'r');
  try {
    return readSync(fd, head, 0, head.length, 0) === head.length && head.toString('latin1') === SQLITE_HEADER;
  } finally {
    closeSync(fd);
  }
}

/**
 * Refuses an output path (`--out` of a command that writes one file) that names a database: writing over it
 * would lose every trial it holds, and it is almost always a slip (--out where --db was meant).
 */
export function assertNotDatabase(flag: string, path: string): void {
  if (isSqliteFile(path))
    throw new UsageError(
      `${flag} ${path}: is a SQLite database; writing there would destroy it, give another path`,
    );
}

/** The folders a database keeps its files in, beside it: `<database>.weights` and `<database>.checkpoints`. */
const STORE_FOLDERS = ['.weights', '.checkpoints'];

/**
 * Refuses an output path inside the weights or checkpoint folder of a database (`s.db.weights/<id>.safetensors`):
 * a file written there would stand for a trial's weights or its checkpoint, which the trial's exports, resumes and
 * from-dense starts would then read.
 */
export function assertNotStoreFile(flag: string, path: string): void {
  const folder = canonical(dirname(resolve(path))); // through links: a linked folder may be the store's
  const store = storeFolder(folder);
  if (store)
    throw new UsageError(
      `${flag} ${path}: is in ${basename(folder)}, where database ${basename(store.db)} keeps its trials' ${store.kind}; a file written there would be taken for a trial's, give another path`,
    );
}

/**
 * The database whose weights or checkpoint folder `dir` is (`s.db.weights` beside the database `s.db`), with what
 * it keeps there; null for any other folder.
 */
export function storeFolder(dir: string): { db: string; kind: string } | null {
  const folder = canonical(dir);
  const suffix = STORE_FOLDERS.find((s) => folder.endsWith(s));
  if (suffix === undefined) return null;
  const db = folder.slice(0, -suffix.length);
  return isSqliteFile(db) ? { db, kind: suffix.slice(1) } : null;
}

/**
 * Refuses an output path of a command that writes one file when it names a database ({@link assertNotDatabase}),
 * a file of a database's own folders ({@link assertNotStoreFile}) or a directory (the write would fail only at
 * the end, with the file system's bare EISDIR).
 */
export function assertOutputFile(flag: string, path: string): void {
  assertNotDatabase(flag, path);
  assertNotStoreFile(flag, path);
  const abs = resolve(path);
  if (existsSync(abs) && statSync(abs).isDirectory())
    throw new UsageError(`${flag} ${path}: is a directory; give the path of a file`);
}

/**
 * Refuses an output path that names an existing file of another kind than the command writes (`runs export --out
 * sweep.yaml` would replace a config with a safetensors file): only a file of that kind (`isKind`, the check its
 * format's module gives) is written over; never a device, pipe or socket. A directory is left to the caller.
 */
export function assertReplaceable(
  flag: string,
  path: string,
  kind: string,
  isKind: (path: string) => boolean,
): void {
  const abs = resolve(path);
  if (!existsSync(abs)) return;
  const stat = statSync(abs);
  if (stat.isDirectory()) return; // each command says so in its own words
  // /dev/null, a pipe, /dev/stdout: the file is written beside the path and renamed over it, which would replace
  // the device itself (as root, /dev/null would become a regular file)
  if (!stat.isFile())
    throw new UsageError(
      `${flag} ${path}: is not a regular file (a device, pipe or socket); the ${kind} file is written beside it and renamed into place, which would replace it: give the path of a file`,
    );
  if (isKind(abs)) return;
  throw new UsageError(
    `${flag} ${path}: exists and is not a ${kind} file; writing there would replace it, give another path or remove it first`,
  );
}

/** `path` resolved, through symbolic links where it exists. */
const canonical = (path: string) => (existsSync(path) ? realpathSync(path) : resolve(path));

/**
 * Refuses an output path that names one of the command's own inputs (`plan x.yaml --out x.yaml` would replace the
 * config with the plan it was read into). `inputs`: what each input is, and its path.
 */
export function assertNotInput(
  flag: string,
  path: string,
  inputs: readonly { what: string; path: string }[],
): void {
  const out = canonical(path);
  const same = inputs.find((i) => canonical(i.path) === out);
  if (same)
    throw new UsageError(
      `${flag} ${path}: is the ${same.what} this command reads; writing there would replace it, give another path`,
    );
}
