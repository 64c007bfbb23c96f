import { spawnSync } from 'node:child_process';
import { basename, join } from 'node:path';
import type { SweepPlan } from '../../config/load.js';
import { UsageError } from '../../errors.js';
import { makeDirs } from '../../util/dirs.js';
import { count } from '../../util/format.js';
import { ensureOutDir, fsReason, type OutFile, writeFilesAtomically } from '../../util/out-files.js';
import { shArg } from '../../util/shell.js';
import { planFileText } from '../plan-file.js';
import { type ArrayChunk, DEFAULT_MAX_ARRAY_SIZE } from './array-indices.js';
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

/**
 * The cluster's MaxArraySize, from `scontrol show config`; Slurm's default (1001) where that cannot be read (no
 * scontrol, no cluster reached: a dry run on a laptop).
 */
export function maxArraySize(): number {
  const r = spawnSync('scontrol', ['show', 'config'], { encoding: 'utf8', timeout: 30_000 });
  const m = r.status === 0 ? /^MaxArraySize\s*=\s*(\d+)/m.exec(r.stdout) : null;
  const n = m ? Number(m[1]) : Number.NaN;
  return Number.isInteger(n) && n >= 1 ? n : DEFAULT_MAX_ARRAY_SIZE;
}

/** sbatch's arguments for one array job: its offset into the plan, its tasks, and the job it waits for, if any. */
function arrayArgs(l: ClusterLayout, chunk: ArrayChunk, after: string | null): string[] {
  return [
    ...(chunk.offset > 0 ? [`--export=ALL,SPARSEBENCH_INDEX_OFFSET=${chunk.offset}`] : []),
    ...(chunk.array !== null ? [`--array=${chunk.array}`] : []),
    ...(after ? [`--dependency=afterany:${after}`] : []),
    join(l.dir, 'array.sbatch'),
  ];
}

/** The shell command that submits one array job (`after`: the job it waits for, when array jobs are chained). */
export function arraySubmitCommand(l: ClusterLayout, chunk: ArrayChunk, after: string | null = null): string {
  return `sbatch ${arrayArgs(l, chunk, after).map(shArg).join(' ')}`;
}

/** The shell command that submits the merge job to run after the array jobs `arrayJobs` (afterany). */
export function mergeSubmitCommand(l: ClusterLayout, arrayJobs: readonly string[]): string {
  return `sbatch --dependency=afterany:${arrayJobs.join(':')} ${shArg(join(l.dir, 'merge.sbatch'))}`;
}

/**
 * The commands that submit every array job and then the merge, in order, for a user to run by hand: a chained
 * job (`chain`: max-parallel holds over several array jobs) and the merge name the jobs before them as `<array id
 * k>`.
 */
export function submitCommands(l: ClusterLayout, chunks: readonly ArrayChunk[], chain: boolean): string[] {
  const id = (k: number) => (chunks.length === 1 ? '<array id>' : `<array id ${k + 1}>`);
  return [
    ...chunks.map((c, k) => arraySubmitCommand(l, c, chain && k > 0 ? id(k - 1) : null)),
    mergeSubmitCommand(
      l,
      chunks.map((_, k) => id(k)),
    ),
  ];
}

/**
 * Submits the array jobs (one per chunk: a plan over the cluster's MaxArraySize takes several, each given its offset
 * into the plan; chained one after another when `chain`, so that max-parallel holds over all of them) and the merge
 * job that depends on all of them (afterany); returns the job ids. When the first array job fails to submit, nothing
 * was: where sbatch could not reach the cluster, the error says the scripts are written and gives the commands that
 * submit them; where the cluster refused the job (a partition it lacks, a time over its limit, more tasks than it
 * takes), a UsageError says which flags wrote what it refused. When a later one or the merge fails to submit, array
 * jobs are already queued: the error says which, and gives the commands that submit the rest and the one that cancels
 * the trials, since running the sweep again would submit the trials a second time.
 */
export function submitSlurm(
  l: ClusterLayout,
  chunks: readonly ArrayChunk[],
  chain = false,
): { arrayJobs: string[]; mergeJob: string } {
  const arrayJobs: string[] = [];
  for (const [k, chunk] of chunks.entries()) {
    const after = chain && k > 0 ? arrayJobs[k - 1] : null;
    try {
      arrayJobs.push(
        sbatch(
          arrayArgs(l, chunk, after),
          k === 0
            ? `Nothing was submitted; the scripts are written in ${l.dir}. Once sbatch reaches the cluster (on a login node, or with SLURM_CONF naming its slurm.conf), submit them with: ${submitCommands(l, chunks, chain).join(', then ')}`
            : '',
        ),
      );
    } catch (e) {
      if (k > 0) throw partlySubmitted(l, chunks, chain, arrayJobs, e as Error);
      const refused = e instanceof SbatchError && !unreachable(e.detail);
      if (!refused) throw e;
      // the cluster was reached and refused what the scripts ask for: the same scripts would be refused again
      const flag = /partition/i.test(e.detail) ? '--partition: ' : '';
      const size = /array/i.test(e.detail)
        ? " If it names the array: each array job holds at most the cluster's MaxArraySize tasks, read from `scontrol show config` (1001 where that cannot be read); a cluster whose limit is lower than it says refuses them."
        : '';
      throw new UsageError(
        `${flag}the cluster refused the array job (${e.detail.replaceAll('\n', '; ')}). Nothing was submitted. The scripts in ${l.dir} ask for what the flags given said ` +
          `(--partition, --time, --gpus, --cpus-per-task): run the sweep again with values the cluster accepts; \`sinfo -s\` lists its partitions and their time limits.${size}`,
      );
    }
  }
  try {
    const mergeJob = sbatch([`--dependency=afterany:${arrayJobs.join(':')}`, join(l.dir, 'merge.sbatch')]);
    return { arrayJobs, mergeJob };
  } catch (e) {
    throw partlySubmitted(l, chunks, chain, arrayJobs, e as Error);
  }
}

/**
 * The error when some array jobs were submitted and a later one, or the merge, was not: what is queued, what is not,
 * and the commands that submit the rest (with the queued jobs' ids filled in) or cancel the trials.
 */
function partlySubmitted(
  l: ClusterLayout,
  chunks: readonly ArrayChunk[],
  chain: boolean,
  arrayJobs: readonly string[],
  e: Error,
): Error {
  const rest = chunks.slice(arrayJobs.length);
  const ids = [...arrayJobs, ...rest.map((_, k) => `<array id ${arrayJobs.length + k + 1}>`)];
  const commands = [
    ...rest.map((c, k) => arraySubmitCommand(l, c, chain ? ids[arrayJobs.length + k - 1] : null)),
    mergeSubmitCommand(l, ids),
  ];
  const queued = arrayJobs.length === 1 ? `array job ${arrayJobs[0]}` : `array jobs ${arrayJobs.join(', ')}`;
  const what =
    rest.length > 0
      ? `${rest.length} more array ${rest.length === 1 ? 'job' : 'jobs'} and the merge job were not`
      : 'its merge job was not';
  return new Error(
    `${queued} (${count(
      chunks.slice(0, arrayJobs.length).reduce((n, c) => n + c.tasks, 0),
      'trial',
    )}) ${arrayJobs.length === 1 ? 'was' : 'were'} submitted and will run, but ${what}: ${e.message}\n` +
      'Do not run this sweep again: that would submit the trials a second time. ' +
      `Submit ${rest.length > 0 ? 'the rest' : 'the merge'} with: ${commands.join(', then ')}, or cancel the trials with: scancel ${arrayJobs.join(' ')}`,
  );
}
