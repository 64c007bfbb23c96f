import { CommanderError } from 'commander';
import { damagedDatabaseMessage, isDamagedDatabase, isUsageError, openDatabases } from '../errors.js';
import { buildProgram } from './program.js';

/** Exit status when the database or the files beside it could not be written: temporary, run again (EX_TEMPFAIL). */
const STORAGE_EXIT = 75;

/**
 * Entry point: runs the program and maps errors to exit codes. Usage and config errors exit 2 with their
 * message alone; a database that could not be written exits 75; anything else exits 1 (with the stack when
 * SPARSEBENCH_DEBUG is set).
 */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(nestedHelp(argv));
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version "errors" are successes; every other commander error is bad usage
      return e.exitCode === 0 ? 0 : 2;
    }
    if (isUsageError(e)) {
      process.stderr.write(`sparsebench: ${e.message}\n`);
      return 2;
    }
    const err = e as Error;
    if (isDamagedDatabase(e)) {
      process.stderr.write(`sparsebench: ${damagedDatabaseMessage([...openDatabases], err.message)}\n`);
      return 2;
    }
    process.stderr.write(`sparsebench: ${err.message}\n`);
    // by name: importing the store here would load SQLite for every command, --help included
    if (err.name === 'StoreWriteError') return STORAGE_EXIT;
    if (process.env.SPARSEBENCH_DEBUG) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
}

/**
 * `sparsebench help runs list` as `sparsebench runs list --help`: commander's help command reads one level of
 * command only, and would show the help of `runs`. `argv` as node gives it (node, script, ...args).
 */
export function nestedHelp(argv: readonly string[]): string[] {
  const [node, script, first, ...rest] = argv;
  if (first !== 'help' || rest.length < 2) return [...argv];
  return [node, script, ...rest, '--help'];
}

/** The output streams whose reader has gone (`sparsebench runs list --json | head`). */
const readerGone = new Set<NodeJS.WriteStream>();

/**
 * Once the reader of stdout or stderr has closed its end of a pipe (EPIPE), or the terminal has hung up (EIO), what is
 * written there is dropped rather than thrown (a stack trace, exit 1): the command finishes its work (a sweep keeps
 * training and recording, or checkpoints and stops on the SIGHUP) and exits with its own status.
 */
function dropOutputWhenReaderGoes(stream: NodeJS.WriteStream): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE' && e.code !== 'EIO') throw e;
    readerGone.add(stream);
    stream.write = (() => true) as typeof stream.write;
  });
}
dropOutputWhenReaderGoes(process.stdout);
dropOutputWhenReaderGoes(process.stderr);

/** Resolves once everything written to a stream so far has been handed to the OS (pipes are asynchronous). */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  if (readerGone.has(stream)) return Promise.resolve();
  return new Promise((resolve) => {
    stream.write('', () => resolve());
    // a pipe whose reader goes while this waits calls back with the error, or not at all
    stream.once('error', () => resolve());
  });
}

main(process.argv).then(
  async (code) => {
    // tfjs and the wasm runtime can keep handles open, so exit explicitly, but only after the output is out:
    // exiting with a large JSON document still in a pipe's buffer would cut it short
    await Promise.all([drained(process.stdout), drained(process.stderr)]);
    process.exit(code);
  },
  (e) => {
    process.stderr.write(`sparsebench: ${(e as Error).stack}\n`);
    process.exit(1);
  },
);
