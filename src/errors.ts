/**
 * Errors the user can fix by changing their input: a config, a flag, a file. The CLI prints the message
 * alone (no stack) and exits with code 2. Everything else is a run failure (exit 1).
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A problem located in a config file; the message already names file, line:column and key. */
export class ConfigError extends UsageError {
  override name = 'ConfigError';
  constructor(
    message: string,
    readonly issues: readonly string[] = [message],
  ) {
    super(message);
  }
}

/** True for errors whose message is meant for the user as-is (exit code 2). */
export function isUsageError(e: unknown): e is UsageError {
  return e instanceof UsageError;
}

/**
 * A problem with one value, located by its path in the config (e.g. `['pruner', 'schedule', 'end']`).
 * The config loader turns it into a {@link ConfigError} naming file, line:column and key.
 */
export class PathError extends UsageError {
  override name = 'PathError';
  constructor(
    readonly path: readonly (string | number)[],
    message: string,
  ) {
    super(message);
  }
}

/** Several located problems found together (one block of a config checked whole), each a {@link PathError}. */
export class PathErrors extends UsageError {
  override name = 'PathErrors';
  constructor(readonly errors: readonly PathError[]) {
    super(errors.map((e) => `${e.path.join('.')}: ${e.message}`).join('\n'));
  }
}

/**
 * Databases this process has opened, by path as given, kept after they close: an error SQLite raises in a
 * query (a damaged file) names no file, and reaches the CLI after the command closed its store in a `finally`,
 * so the CLI names these (see `main`).
 */
export const openDatabases = new Set<string>();

/** Whether an error is SQLite's report of a damaged database file (a truncated or overwritten copy). */
export function isDamagedDatabase(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB';
}

/** What to say of a damaged database: which file, and what to do. */
export function damagedDatabaseMessage(paths: readonly string[], detail: string): string {
  const which = paths.length === 0 ? 'a database' : paths.join(' or ');
  return `${which} is damaged (${detail}): a truncated or partly overwritten copy? Restore it from a good copy (finished trials are in the shards, if merged from them), or try \`sqlite3 <db> ".recover"\``;
}
