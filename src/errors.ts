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
