import { spawnSync } from 'node:child_process';
import { basename, join } from 'node:path';
import type { SweepPlan } from '../../config/load.js';
import { UsageError } from '../../errors.js';
import { makeDirs } from '../../util/dirs.js';
import { count } from '../../util/format.js';
import { ensureOutDir, fsReason, type OutFile, writeFilesAtomically } from '../../util/out-files.js';
import { shArg } from '../../util/shell.js';
import { planFileText } from '../plan-file.js';
import { type HostCopy, planWithFilesIn } from './host-files.js';
import { type K8sOptions, k8sIndexedJob, k8sMergeJob, k8sPodPaths, k8sRunScript } from './k8s.js';
import type { ClusterLayout } from './layout.js';
import { assertSlurmPath, type SlurmOptions, slurmArrayScript, slurmMergeScript } from './slurm.js';

/** How messages call the output folder: `--out <dir>`, unless the caller passes how a default folder is named. */
const outName = (l: ClusterLayout, name?: string) => name ?? `--out ${l.dir}`;

/**
 * Creates the output folder and the given folders inside it, or throws UsageError naming the folder: the
 * tasks write their shards and logs there, and Slurm drops the log of a task whose folder is missing.
 */
function makeOutDirs(l: ClusterLayout, name: string, inside: string[]): void {
  ensureOutDir(l.dir, name);
  for (const d of inside) {
    try {
      makeDirs(d);
    } catch (e) {
      throw new UsageError(`${name}: cannot create ${d} (${fsReason(e)})`);
    }
  }
}

/**
 * Writes the frozen plan and the two Slurm scripts, all or none (see {@link writeFilesAtomically});
 * returns the files written. `name` is how errors call the folder (default `--out <dir>`).
 */
export function writeSlurmRun(plan: SweepPlan, l: ClusterLayout, o: SlurmOptions, name?: string): string[] {
  assertSlurmPath(l.logs, outName(l, name));
  makeOutDirs(l, outName(l, name), [l.shards, l.logs]);
  const files = new Map<string, OutFile>([
    [basename(l.plan), { text: planFileText(plan) }],
    ['array.sbatch', { text: slurmArrayScript(l, o), executable: true }],
    ['merge.sbatch', { text: slurmMergeScript(l, o), executable: true }],
  ]);
  return writeFilesAtomically(l.dir, files, 'the cluster run', outName(l, name));
}

/**
 * Writes the frozen plan, the Indexed Job, the merge Job and a run script, all or none; returns the files
 * written. `name` is how errors call the folder (default `--out <dir>`).
 */
export function writeK8sRun(
  plan: SweepPlan,
  l: ClusterLayout,
  o: K8sOptions,
  name?: string,
): { files: string[]; copies: HostCopy[] } {
  makeOutDirs(l, outName(l, name), []);
  // the pods read the files a trial names on this machine from the claim, where run.sh says to copy them
  const onClaim = planWithFilesIn(plan, k8sPodPaths(l).files);
  const run = { ...o, copies: onClaim.copies };
  const files = new Map<string, OutFile>([
    [basename(l.plan), { text: planFileText(onClaim.plan) }],
    ['job.yaml', { text: k8sIndexedJob(l, run) }],
    ['merge-job.yaml', { text: k8sMergeJob(l, run) }],
    ['run.sh', { text: k8sRunScript(l, run), executable: true }],
  ]);
  return {
    files: writeFilesAtomically(l.dir, files, 'the cluster run', outName(l, name)),
    copies: onClaim.copies,
  };
}

/** sbatch ran and failed; `detail` is what it said. */
class SbatchError extends Error {
  override name = 'SbatchError';
  constructor(
    message: string,
    readonly detail: string,
  ) {
    super(message);
  }
}

/** Whether sbatch's message says it could not reach the cluster (rather than that the cluster refused the job). */
export function unreachable(detail: string): boolean {
  return /configuration source|configuration file|cannot stat file|fetch_config|contact slurm controller|connection refused|timed out|zero bytes were transmitted|unable to (contact|establish|connect)/i.test(
    detail,
  );
}

/**
 * Runs `sbatch --parsable <args>`; returns the job id, or throws with sbatch's message and `unsent`, which says
 * what was not submitted and how to submit it by hand.
 */
function sbatch(args: string[], unsent = ''): string {
  const r = spawnSync('sbatch', ['--parsable', ...args], { encoding: 'utf8' });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new UsageError(
      `sbatch not found on this machine: run the sweep on a Slurm login node${unsent ? `. ${unsent}` : ''}`,
    );
  }
  if (r.status !== 0) {
    const detail = (r.stderr || r.stdout).trim();
    throw new SbatchError(
      `sbatch ${args.map(shArg).join(' ')} failed: ${detail}${unsent ? `\n${unsent}` : ''}`,
      detail,
    );
  }
  return r.stdout.trim().split(';')[0]; // "<id>" or "<id>;<cluster>"
}

/**
 * Jobs of an earlier submission from folder `dir` still in Slurm's queue (pending or running): those whose batch
 * script is that folder's array.sbatch or merge.sbatch, as `squeue` names it; their job ids (an array job's once).
 * Empty when squeue is missing or cannot reach a cluster: then nothing can be told, and nothing is refused.
 */
export function queuedJobsIn(dir: string): string[] {
  const r = spawnSync('squeue', ['-h', '-o', '%F|%o'], { encoding: 'utf8', timeout: 30_000 });
  if (r.error || r.status !== 0) return [];
  const scripts = ['array.sbatch', 'merge.sbatch'].map((f) => join(dir, f));
  const ids = new Set<string>();
  for (const line of r.stdout.split('\n')) {
    const bar = line.indexOf('|');
    if (bar < 0) continue;
    const command = line.slice(bar + 1);
    // squeue prints the script's path, then any arguments it was given
    if (scripts.some((s) => command === s || command.startsWith(`${s} `))) ids.add(line.slice(0, bar).trim());
  }
  return [...ids];
}

/** The shell command that submits the array job (`array`: the `--array` that overrides the script's, if any). */
export function arraySubmitCommand(l: ClusterLayout, array: string | null): string {
  return `sbatch${array ? ` --array=${array}` : ''} ${shArg(join(l.dir, 'array.sbatch'))}`;
}

/** The shell command that submits the merge job to run after array job `arrayJob` (afterany). */
export function mergeSubmitCommand(l: ClusterLayout, arrayJob: string): string {
  return `sbatch --dependency=afterany:${arrayJob} ${shArg(join(l.dir, 'merge.sbatch'))}`;
}

/**
 * Submits the array job (only the tasks of `array`, when given: the `--array` that overrides the script's; `trials`
 * tasks in all) and
 * the merge job that depends on it (afterany); returns both job ids. When the array fails to submit, nothing was:
 * where sbatch could not reach the cluster, the error says the scripts are written and gives the commands that submit
 * them; where the cluster refused the job (a partition it lacks, a time over its limit), a UsageError says which flags
 * wrote what it refused. When the merge fails to
 * submit, the array job is already queued: the error says so, and gives the command that submits the merge and
 * the one that cancels the trials, since running the sweep again would submit the trials a second time.
 */
export function submitSlurm(
  l: ClusterLayout,
  array: string | null = null,
  trials = l.trials,
): { arrayJob: string; mergeJob: string } {
  let arrayJob: string;
  try {
    arrayJob = sbatch(
      [...(array ? [`--array=${array}`] : []), join(l.dir, 'array.sbatch')],
      `Nothing was submitted; the scripts are written in ${l.dir}. Once sbatch reaches the cluster (on a login node, or with SLURM_CONF naming its slurm.conf), submit them with: ${arraySubmitCommand(l, array)}, then ${mergeSubmitCommand(l, '<array id>')}`,
    );
  } catch (e) {
    const refused = e instanceof SbatchError && !unreachable(e.detail);
    if (!refused) throw e;
    // the cluster was reached and refused what the scripts ask for: the same scripts would be refused again
    const flag = /partition/i.test(e.detail) ? '--partition: ' : '';
    throw new UsageError(
      `${flag}the cluster refused the array job (${e.detail.replaceAll('\n', '; ')}). Nothing was submitted. The scripts in ${l.dir} ask for what the flags given said ` +
        '(--partition, --time, --gpus, --cpus-per-task): run the sweep again with values the cluster accepts; `sinfo -s` lists its partitions and their time limits',
    );
  }
  try {
    const mergeJob = sbatch([`--dependency=afterany:${arrayJob}`, join(l.dir, 'merge.sbatch')]);
    return { arrayJob, mergeJob };
  } catch (e) {
    throw new Error(
      `array job ${arrayJob} (${count(trials, 'trial')}) was submitted and will run, but its merge job was not: ${(e as Error).message}\n` +
        'Do not run this sweep again: that would submit the trials a second time. ' +
        `Submit the merge with: ${mergeSubmitCommand(l, arrayJob)}, or cancel the trials with: scancel ${arrayJob}`,
    );
  }
}
