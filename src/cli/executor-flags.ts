import { UsageError } from '../errors.js';

/** `sweep` flags that only a cluster executor reads, with the executors that read each. */
const EXECUTOR_FLAGS = {
  out: ['slurm', 'k8s'],
  partition: ['slurm'],
  time: ['slurm'],
  cpusPerTask: ['slurm'],
  gpus: ['slurm', 'k8s'],
  maxParallel: ['slurm', 'k8s'],
  image: ['k8s'],
  pvc: ['k8s'],
} as const;

/** `maxParallel` → `--max-parallel`. */
const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * Refuses cluster flags that the chosen executor would ignore: without `--executor` a sweep trains here and
 * `--partition` or `--gpus` would silently do nothing; with `--executor k8s`, `--partition` likewise.
 */
export function checkExecutorFlags(opts: { executor?: string } & Record<string, unknown>): void {
  for (const [key, executors] of Object.entries(EXECUTOR_FLAGS)) {
    if (opts[key] === undefined) continue;
    if (typeof opts[key] === 'string' && opts[key].trim() === '')
      throw new UsageError(`${flagName(key)} is empty; give a value or leave the flag out for its default`);
    const wanted = (executors as readonly string[]).map((e) => `--executor ${e}`).join(' or ');
    if (!opts.executor)
      throw new UsageError(
        `${flagName(key)} is for a cluster run: it needs ${wanted}; without --executor the sweep trains on this machine`,
      );
    if (!(executors as readonly string[]).includes(opts.executor))
      throw new UsageError(
        `${flagName(key)} is not read by --executor ${opts.executor}; it is for ${wanted}`,
      );
  }
}
