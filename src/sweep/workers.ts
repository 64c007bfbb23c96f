import { type ChildProcess, spawn } from 'node:child_process';
import { cliPath } from './executors/layout.js';

/** A helper process training trials of the same sweep beside this one. */
export interface Worker {
  child: ChildProcess;
  done: Promise<number>;
}

/**
 * Starts `count` extra `sparsebench sweep` processes on the same config and database. They share the work
 * through the trials' leases (each trial is claimed by exactly one process and written by it in short
 * IMMEDIATE transactions), so no trial is trained twice. Their progress lines go to our stderr, prefixed.
 */
export function startWorkers(count: number, args: readonly string[], quiet: boolean): Worker[] {
  return Array.from({ length: count }, (_, i) => {
    const child = spawn(process.execPath, [cliPath(), 'sweep', ...args, '--worker'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let partial = '';
    child.stderr?.on('data', (d: Buffer) => {
      if (quiet) return;
      const lines = (partial + d.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line) process.stderr.write(`[worker ${i + 2}] ${line}\n`);
    });
    const done = new Promise<number>((resolve) =>
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))),
    );
    return { child, done };
  });
}
