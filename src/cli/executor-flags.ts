import { UsageError } from '../errors.js';

/** `sweep` flags that only a cluster executor reads, with the executors that read each. */
const EXECUTOR_FLAGS = {
  out: ['slurm', 'k8s'],
  partition: ['slurm'],
  time: ['slurm'],
  cpusPerTask: ['slurm', 'k8s'],
  gpus: ['slurm', 'k8s'],
  maxParallel: ['slurm', 'k8s'],
  image: ['k8s'],
  pvc: ['k8s'],
} as const;

/** `maxParallel` → `--max-parallel`. */
const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * `sweep` flags that only a sweep training on this machine reads, with why a cluster run has no use for them
 * (`--checkpoint-minutes`, `--checkpoint-steps` and `--retry-failed` go on to every task's run-trial).
 */
const LOCAL_FLAGS = {
  workers:
    'every cluster task trains one trial in its own process (--max-parallel sets how many run at once)',
  json: 'a cluster run prints the files it wrote; leave it out',
} as const;

/**
 * Refuses cluster flags that the chosen executor would ignore: without `--executor` a sweep trains here and
 * `--partition` or `--gpus` would silently do nothing; with `--executor k8s`, `--partition` likewise. With
 * `--executor`, refuses the flags only a local sweep reads (`--workers`, `--json`) when given on the command
 * line (`given`: commander fills in their defaults), and drops the defaults of the flags passed on to the tasks,
 * so that only what was asked for reaches them.
 */
export function checkExecutorFlags(
  opts: { executor?: string } & Record<string, unknown>,
  given: (key: string) => boolean = (key) => opts[key] !== undefined,
): void {
  if (opts.executor) {
    for (const [key, why] of Object.entries(LOCAL_FLAGS))
      if (opts[key] !== undefined && given(key))
        throw new UsageError(`${flagName(key)} is not read by --executor ${opts.executor}: ${why}`);
    for (const key of ['checkpointMinutes', 'checkpointSteps', 'workers']) if (!given(key)) delete opts[key];
  }
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
