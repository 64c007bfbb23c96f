import { CommanderError } from 'commander';
import { isUsageError } from '../errors.js';
import { buildProgram } from './program.js';

/**
 * Entry point: runs the program and maps errors to exit codes. Usage and config errors exit 2 with their
 * message alone; anything else exits 1 (with the stack when SPARSEBENCH_DEBUG is set).
 */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
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
    process.stderr.write(`sparsebench: ${err.message}\n`);
    if (process.env.SPARSEBENCH_DEBUG) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
}

main(process.argv).then(
  (code) => {
    // tfjs and the wasm runtime can keep handles open; a command is done when it says so.
    process.exit(code);
  },
  (e) => {
    process.stderr.write(`sparsebench: ${(e as Error).stack}\n`);
    process.exit(1);
  },
);
