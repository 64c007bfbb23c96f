import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where a cluster run keeps its files, all absolute (cluster nodes share the file system). */
export interface ClusterLayout {
  sweep: string;
  trials: number;
  /** Output folder: scripts or manifests, the frozen plan, shards and logs. */
  dir: string;
  plan: string;
  shards: string;
  logs: string;
  /** The study database the shards are merged into. */
  db: string;
  /** The Node.js binary and CLI entry the tasks run. */
  node: string;
  cli: string;
}

/** The CLI entry of this installation (bin/sparsebench.js), resolved from this module's location. */
export function cliPath(): string {
  // src/sweep/executors/ and dist/sweep/executors/ are both three levels below the package root
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'sparsebench.js');
}

/** Lays out a cluster run of `trials` trials of sweep `sweep` in `dir`, merging into `db`. */
export function clusterLayout(sweep: string, trials: number, dir: string, db: string): ClusterLayout {
  const d = resolve(dir);
  return {
    sweep,
    trials,
    dir: d,
    plan: join(d, 'plan.json'),
    shards: join(d, 'shards'),
    logs: join(d, 'logs'),
    db: resolve(db),
    node: process.execPath,
    cli: cliPath(),
  };
}

/** Why a merge finds no shard, as the merge scripts say it. */
export const NO_SHARDS =
  "every task found its trial finished in the study database, or none got as far as writing one (see the tasks' logs)";
