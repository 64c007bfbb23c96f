import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SweepPlan } from '../../config/load.js';
import { UsageError } from '../../errors.js';
import { makeDirs } from '../../util/dirs.js';
import { writePlanFile } from '../plan-file.js';
import { type K8sOptions, k8sIndexedJob, k8sMergeJob, k8sRunScript } from './k8s.js';
import type { ClusterLayout } from './layout.js';
import { type SlurmOptions, slurmArrayScript, slurmMergeScript } from './slurm.js';

function write(path: string, text: string, executable = false): string {
  writeFileSync(path, text);
  if (executable) chmodSync(path, 0o755);
  return path;
}

/** Writes the frozen plan and the two Slurm scripts; returns the files written. */
export function writeSlurmRun(plan: SweepPlan, l: ClusterLayout, o: SlurmOptions): string[] {
  for (const d of [l.dir, l.shards, l.logs]) makeDirs(d);
  writePlanFile(l.plan, plan);
  return [
    l.plan,
    write(join(l.dir, 'array.sbatch'), slurmArrayScript(l, o), true),
    write(join(l.dir, 'merge.sbatch'), slurmMergeScript(l, o), true),
  ];
}

/** Writes the frozen plan, the Indexed Job, the merge Job and a run script; returns the files written. */
export function writeK8sRun(plan: SweepPlan, l: ClusterLayout, o: K8sOptions): string[] {
  makeDirs(l.dir);
  writePlanFile(l.plan, plan);
  return [
    l.plan,
    write(join(l.dir, 'job.yaml'), k8sIndexedJob(l, o)),
    write(join(l.dir, 'merge-job.yaml'), k8sMergeJob(l, o)),
    write(join(l.dir, 'run.sh'), k8sRunScript(l, o), true),
  ];
}

function sbatch(args: string[]): string {
  const r = spawnSync('sbatch', ['--parsable', ...args], { encoding: 'utf8' });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new UsageError(
      'sbatch not found: run this on a Slurm login node, or pass --dry-run to only write the scripts',
    );
  }
  if (r.status !== 0) throw new Error(`sbatch ${args.join(' ')} failed: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout.trim().split(';')[0]; // "<id>" or "<id>;<cluster>"
}

/** Submits the array job and the merge job that depends on it (afterany); returns both job ids. */
export function submitSlurm(l: ClusterLayout): { arrayJob: string; mergeJob: string } {
  const arrayJob = sbatch([join(l.dir, 'array.sbatch')]);
  const mergeJob = sbatch([`--dependency=afterany:${arrayJob}`, join(l.dir, 'merge.sbatch')]);
  return { arrayJob, mergeJob };
}
