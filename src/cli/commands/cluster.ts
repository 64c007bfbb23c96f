import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadSweep, type SweepPlan } from '../../config/load.js';
import { planWarnings } from '../../config/plan-warnings.js';
import { assertBackendAvailable, type BackendName } from '../../engine/backends.js';
import { nativeWarning } from '../../engine/native.js';
import { UsageError } from '../../errors.js';
import { mergeDatabases } from '../../store/merge.js';
import { DEFAULT_LEASE_MS } from '../../store/owner.js';
import { type DroppedTrials, Store } from '../../store/store.js';
import { resumeFromStudy } from '../../store/study-resume.js';
import { trialStatusIn } from '../../store/study-status.js';
import { unfinishedArrays } from '../../sweep/executors/array-indices.js';
import { k8sPodPaths } from '../../sweep/executors/k8s.js';
import { clusterLayout } from '../../sweep/executors/layout.js';
import {
  maxArraySize,
  queuedJobsIn,
  submitCommands,
  submitSlurm,
  writeK8sRun,
  writeSlurmRun,
} from '../../sweep/executors/write.js';
import { isPlanFile, readPlanFile, taskIndex, writePlanFile } from '../../sweep/plan-file.js';
import { LineReporter } from '../../sweep/progress.js';
import { runSweep } from '../../sweep/run-sweep.js';
import { count, flagNumber } from '../../util/format.js';
import { fsReason } from '../../util/out-files.js';
import { assertNotInput, assertOutputFile, assertReplaceable } from '../../util/out-guard.js';
import { type CheckpointFlags, checkpointCadence } from '../checkpoint-flags.js';
import { droppedNote } from '../dropped-note.js';
import { listenForStop } from '../stop-signals.js';

/** `sparsebench plan <config> --out plan.json`: the expanded trials, frozen, with their ids. */
export async function planCommand(
  config: string,
  opts: { out: string; backend?: BackendName },
): Promise<number> {
  assertOutputFile('--out', opts.out);
  assertNotInput('--out', opts.out, [{ what: 'config', path: config }]);
  assertReplaceable('--out', opts.out, 'sparsebench plan', isPlanFile);
  const plan = loadSweep(config, { backend: opts.backend });
  for (const w of planWarnings(plan)) process.stderr.write(`warning: ${w}\n`);
  try {
    writePlanFile(opts.out, plan);
  } catch (e) {
    throw new UsageError(`--out ${opts.out}: cannot write the plan (${fsReason(e)})`);
  }
  process.stdout.write(`${opts.out}: ${count(plan.trials.length, 'trial')} of sweep ${plan.name}\n`);
  return 0;
}

/**
 * `sparsebench run-trial <plan> [--index I] --db shard.db [--skip-from main.db]`: exactly one trial. Exit
 * status as `sweep`'s: 0 finished, 1 failed, 3 held by another process, 130/143 stopped by a signal (the
 * trial checkpointed and marked interrupted: a rerun of the task resumes it).
 */
export async function runTrialCommand(
  planPath: string,
  opts: {
    index?: string;
    db: string;
    skipFrom?: string;
    retryFailed?: boolean;
    takeOver?: boolean;
  } & CheckpointFlags,
): Promise<number> {
  const cadence = checkpointCadence(opts);
  const plan = readPlanFile(planPath);
  const index = taskIndex(opts.index, process.env, plan.trials.length);
  const trial = plan.trials[index];
  if (opts.skipFrom) {
    // before the first merge there is no study database yet; said, so that a mistyped path shows in the task's log
    if (!existsSync(opts.skipFrom))
      process.stderr.write(
        `sparsebench: note: --skip-from ${opts.skipFrom} does not exist (yet: the merge job writes it); training the trial\n`,
      );
    // read as-is: every task of the array reads the study database, which the merge job writes
    const done =
      trialStatusIn(opts.skipFrom, trial.id, '--skip-from', (why) =>
        process.stderr.write(`sparsebench: warning: ${why}\n`),
      ) === 'finished';
    if (done) {
      process.stdout.write(
        `trial ${index} (${trial.id}) is already finished in ${opts.skipFrom}; nothing to do, and no shard written at ${opts.db} (leave it out of merge)\n`,
      );
      return 0;
    }
  }
  await assertBackendAvailable(
    trial.spec.backend,
    `${planPath}: trial ${index}: backend ${trial.spec.backend}`,
  );
  const native = nativeWarning();
  if (native) process.stderr.write(`warning: ${native}\n`);
  const store = Store.open(opts.db, { create: true });
  const stop = listenForStop('the trial');
  try {
    if (opts.skipFrom) {
      // a trial this shard never started that the study holds checkpointed (it moved to another index when the
      // plan changed, or its shard was deleted) resumes from the study's checkpoint instead of step 0
      store.saveSweep(plan);
      const from = resumeFromStudy(store, opts.skipFrom, trial.id);
      if (from !== null)
        process.stdout.write(
          `trial ${index} (${trial.id}): resumes from the checkpoint at step ${from} in ${opts.skipFrom}, copied to this shard with the metrics before it\n`,
        );
    }
    const summary = await runSweep(plan, store, {
      only: [index],
      // the lease of a killed earlier attempt of this task: expired at once
      ...(opts.takeOver ? { leaseMs: 0 } : {}),
      reporter: new LineReporter(),
      retryFailed: opts.retryFailed,
      shouldStop: () => stop.received() !== null,
      checkpointMinutes: cadence.minutes,
      checkpointSteps: cadence.steps,
    });
    const t = store.findTrial(trial.id)!;
    process.stdout.write(
      `trial ${index} (${t.id}): ${t.status}${t.finalValLoss !== null ? `, val loss ${t.finalValLoss.toFixed(4)}` : ''}\n`,
    );
    // what became of the trial decides, even when a signal came as it ended
    if (t.status === 'finished') return 0;
    if (t.status === 'failed') {
      if (summary.skippedFailed > 0)
        process.stderr.write(`trial ${index} failed in an earlier run; --retry-failed trains it again\n`);
      return 1;
    }
    const stopped = stop.exitCode();
    if (stopped !== null) return stopped;
    // not finished here and not stopped: another process holds it (a task started twice, or one killed with no
    // time to mark its trial, on another host: its lease has not run out yet)
    const beat =
      t.heartbeatAt != null
        ? `, last heartbeat ${Math.max(0, Math.round((Date.now() - t.heartbeatAt) / 1000))} s ago`
        : '';
    process.stderr.write(
      `trial ${index} is held by another process (${t.owner ?? 'owner unknown'}${beat}) in ${opts.db}; nothing trained. ` +
        `It is taken over once that process is gone from this host or its heartbeat is older than ${DEFAULT_LEASE_MS / 60_000} minutes: run this task again then ` +
        '(or with --take-over, when a scheduler runs one task of this index at a time, so that the holder was an earlier attempt)\n',
    );
    return 3;
  } finally {
    stop.release();
    store.close();
  }
}

/** `sparsebench merge shard*.db --into study.db`. */
export async function mergeCommand(
  shards: string[],
  opts: { into: string; json?: boolean },
): Promise<number> {
  const r = mergeDatabases(opts.into, shards);
  for (const n of r.notes) process.stderr.write(`warning: ${n}\n`);
  if (opts.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  else {
    // taken: the shard's record went in (new to the target, or a better record than the target's); a shard of one
    // cluster task lists every trial of the plan, its own finished and the rest pending
    if (r.shards.length > 0)
      process.stdout.write(
        "per shard: its trials, how many it finished, and the records taken from it (new to the target, or better than the target's)\n",
      );
    for (const s of r.shards)
      process.stdout.write(
        `${s.path}: ${count(s.trials, 'trial')} (${s.finished} finished), ${s.taken} taken\n`,
      );
    process.stdout.write(
      `merged ${count(r.shards.length, 'shard')} into ${r.into}: ${r.added} added, ${r.updated} updated, ${r.unchanged} unchanged, ${count(r.fits, 'fit')}\n`,
    );
  }
  return 0;
}

export interface ExecutorOptions {
  executor: 'slurm' | 'k8s';
  db: string;
  out?: string;
  dryRun?: boolean;
  backend?: BackendName;
  partition?: string;
  time?: string;
  gpus?: string;
  maxParallel?: string;
  cpusPerTask?: string;
  image?: string;
  pvc?: string;
  /** Passed on to every task's run-trial, when given. */
  retryFailed?: boolean;
  checkpointMinutes?: string;
  checkpointSteps?: string;
}

/**
 * The run-trial flags a cluster run passes on to every task: the checkpoint cadence and `--retry-failed`, as
 * given to `sweep` (validated here, so a bad value is refused before anything is written).
 */
function taskFlags(opts: ExecutorOptions): string[] {
  const cadence = checkpointCadence(opts);
  return [
    ...(opts.checkpointMinutes !== undefined ? ['--checkpoint-minutes', String(cadence.minutes)] : []),
    ...(opts.checkpointSteps !== undefined ? ['--checkpoint-steps', String(cadence.steps)] : []),
    ...(opts.retryFailed ? ['--retry-failed'] : []),
  ];
}

function positiveInt(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = flagNumber(text);
  if (!Number.isInteger(v) || v < 1) throw new UsageError(`${flag} ${text}: expected a whole number >= 1`);
  return v;
}

/** Whether `name` is a Kubernetes object name (a DNS-1123 subdomain), as a PersistentVolumeClaim's must be. */
function isK8sName(name: string): boolean {
  return name.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name);
}

/** A Slurm partition list: names of letters, digits, '_', '-' and '.', separated by commas (no space, no newline). */
export function isSlurmPartition(value: string): boolean {
  return /^[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*$/.test(value);
}

/** A container image reference: `[host[:port]/]path[:tag][@digest]`, as docker and Kubernetes read one. */
export function isImageReference(value: string): boolean {
  const host = String.raw`[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:[0-9]+)?`;
  const part = String.raw`[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`;
  const tag = '(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?';
  const digest = '(@[A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?';
  return value.length <= 255 && new RegExp(`^(${host}/)?${part}(/${part})*${tag}${digest}$`).test(value);
}

/**
 * Warnings when the GPUs a cluster run gives each task (`--gpus`) do not fit its trials' `backends`: a GPU for
 * trials on a backend that uses none (wasm, cpu) sits idle, and trials on webgpu without one find no GPU on their
 * node. `asked` names a backend as the user chose it (the flag, or the config's key). Empty when they fit.
 */
export function gpuWarnings(
  backends: readonly string[],
  gpus: number | undefined,
  asked: (backend: string) => string,
): string[] {
  const warnings: string[] = [];
  const cpuOnly = backends.filter((b) => b === 'wasm' || b === 'cpu');
  if (gpus && cpuOnly.length > 0)
    warnings.push(
      `--gpus ${gpus}: the trials run on the ${cpuOnly.join(' and ')} backend${cpuOnly.length > 1 ? 's' : ''}, which ${cpuOnly.length > 1 ? 'use' : 'uses'} no GPU; give --backend webgpu (or auto, which takes a GPU where one is found)`,
    );
  if (!gpus && backends.includes('webgpu'))
    warnings.push(
      `${asked('webgpu')} without --gpus: no task asks the cluster for a GPU, so the trials find none for webgpu and fail (or train on a software Vulkan driver, slower than wasm); give --gpus 1 for a GPU per trial`,
    );
  return warnings;
}

/** `sparsebench sweep <config> --executor slurm|k8s`: write (and for Slurm submit) a cluster run. */
export async function clusterSweepCommand(config: string, opts: ExecutorOptions): Promise<number> {
  const gpus = positiveInt('--gpus', opts.gpus);
  const maxParallel = positiveInt('--max-parallel', opts.maxParallel);
  const cpusPerTask = positiveInt('--cpus-per-task', opts.cpusPerTask) ?? 1;
  const runTrialFlags = taskFlags(opts);
  if (opts.time !== undefined && !/^(\d+-)?\d+(:\d{1,2}){0,2}$/.test(opts.time)) {
    throw new UsageError(`--time ${opts.time}: expected Slurm time syntax, e.g. 30, 2:00:00 or 1-12:00:00`);
  }
  // written into the batch script's #SBATCH lines: a space or newline there would cut or add directives
  if (opts.partition !== undefined && !isSlurmPartition(opts.partition))
    throw new UsageError(
      `--partition ${JSON.stringify(opts.partition)}: not a Slurm partition name (letters, digits, '_', '-' and '.'; several separated by commas, no spaces)`,
    );
  if (opts.image !== undefined && !isImageReference(opts.image))
    throw new UsageError(
      `--image ${JSON.stringify(opts.image)}: not a container image reference ([registry[:port]/]name[:tag][@sha256:digest], e.g. ghcr.io/lab/sparsebench:1.0)`,
    );
  // a claim name Kubernetes would refuse, at `kubectl apply` after the files were written: refused here
  if (opts.pvc !== undefined && !isK8sName(opts.pvc))
    throw new UsageError(
      `--pvc ${opts.pvc}: not a Kubernetes name (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters)`,
    );
  const plan = loadSweep(config, { backend: opts.backend, db: opts.db });
  for (const w of planWarnings(plan)) process.stderr.write(`warning: ${w}\n`);
  // named as the user asked for it: the flag, or the config's key
  const asked = (b: string) => (opts.backend ? `--backend ${b}` : `${config}: backend: ${b}`);
  const backends = [...new Set(plan.trials.map((t) => t.spec.backend))];
  for (const w of gpuWarnings(backends, gpus, asked)) process.stderr.write(`warning: ${w}\n`);
  // as a local sweep says it: once merged, this plan's trials replace an earlier plan's in the study's sweep
  const study = studyState(opts.db, plan);
  const dropping = study.dropped;
  if (dropping && dropping.trials > 0)
    process.stderr.write(
      `${droppedNote(plan.name, dropping).replace(/^note: /, `note: once merged into ${opts.db}: `)}\n`,
    );
  const dir = opts.out ?? join(dirname(resolve(opts.db)), `${plan.name}.${opts.executor}`);
  const layout = clusterLayout(plan.name, plan.trials.length, dir, opts.db);
  // how errors call the folder: the flag that chose it, or the flag that would choose another
  const outName =
    opts.out !== undefined
      ? `--out ${opts.out}`
      : `${dir} (the default folder beside --db; choose another with --out)`;
  if (opts.executor === 'slurm') {
    // an earlier submission's tasks read plan.json by index when they start: rewriting it under them would
    // train this plan's trials in their place (or fail their indices), and submitting again trains trials twice
    const queued = queuedJobsIn(layout.dir);
    if (queued.length > 0)
      throw new UsageError(
        `${outName}: ${queued.length === 1 ? 'job' : 'jobs'} ${queued.join(', ')} of an earlier submission from this folder ${queued.length === 1 ? 'is' : 'are'} still queued or running; ` +
          `${queued.length === 1 ? 'its' : 'their'} tasks read ${layout.plan}, which this would rewrite, and the trials would be submitted twice. ` +
          `Wait until ${queued.length === 1 ? 'it leaves' : 'they leave'} the queue (squeue -j ${queued.join(',')}), cancel ${queued.length === 1 ? 'it' : 'them'} (scancel ${queued.join(' ')}), or give another --out`,
      );
    const files = writeSlurmRun(
      plan,
      layout,
      {
        partition: opts.partition,
        time: opts.time,
        gpus,
        maxParallel,
        cpusPerTask,
        taskFlags: runTrialFlags,
      },
      outName,
    );
    process.stdout.write(`wrote ${files.join(', ')}\n`);
    // the trials the study database has finished are left out of the submission: their tasks would do nothing;
    // so are those failed there, as a local sweep leaves them, unless --retry-failed (a task would only exit 1)
    const known = study;
    const trialIds = plan.trials.map((t) => t.id);
    const failedOut = opts.retryFailed ? [] : trialIds.filter((id) => known.failed.has(id));
    const arrayLimit = maxArraySize();
    const { chunks, pending } = unfinishedArrays(
      trialIds,
      new Set([...known.finished, ...failedOut]),
      maxParallel,
      arrayLimit,
    );
    // max-parallel holds over several array jobs only when each waits for the one before
    const chain = maxParallel !== undefined && chunks.length > 1;
    const arrays = chunks
      .map((c) => `${c.offset > 0 ? `offset ${c.offset}: ` : ''}--array=${c.array ?? `0-${c.tasks - 1}`}`)
      .join('; ');
    const done = trialIds.filter((id) => known.finished.has(id)).length;
    const of = `of the ${count(plan.trials.length, 'trial')}`;
    const told = [
      ...(done > 0 ? [`${done} ${of} ${done === 1 ? 'is' : 'are'} finished in ${opts.db}`] : []),
      ...(failedOut.length > 0
        ? [
            `${failedOut.length} ${of} failed in ${opts.db} (left out: --retry-failed submits ${failedOut.length === 1 ? 'it' : 'them'} again)`,
          ]
        : []),
    ];
    if (told.length > 0)
      process.stdout.write(
        `${told.join('; ')}${pending > 0 ? `: submitting the other ${pending} (${arrays})` : ''}\n`,
      );
    if (pending === 0) {
      if (failedOut.length > 0) {
        process.stdout.write(
          'nothing to submit: every trial of the plan is finished or failed (--retry-failed submits the failed ones again)\n',
        );
        return 1;
      }
      process.stdout.write('nothing to submit: every trial of the plan is finished\n');
      return 0;
    }
    const several =
      chunks.length > 1
        ? `: ${chunks.length} array jobs, since a task id must be below the cluster's MaxArraySize (${arrayLimit})${chain ? ', each waiting for the one before so that --max-parallel holds' : ''}`
        : '';
    if (opts.dryRun) {
      process.stdout.write(
        `not submitted (--dry-run)${several}; to submit: ${submitCommands(layout, chunks, chain).join(', then ')}\n`,
      );
      return 0;
    }
    const ids = submitSlurm(layout, chunks, chain);
    const arrayJobs = ids.arrayJobs.join(', ');
    process.stdout.write(
      `submitted array ${ids.arrayJobs.length === 1 ? 'job' : 'jobs'} ${arrayJobs} (${count(pending, 'trial')}${several}) and merge job ${ids.mergeJob}\n` +
        `watch them with: squeue -j ${[...ids.arrayJobs, ids.mergeJob].join(',')}; each task's log is in ${layout.logs}/. ` +
        `${opts.db} gets their trials when the merge job has run (runs list shows them then)\n`,
    );
    return 0;
  }
  const image = opts.image ?? 'sparsebench:latest';
  const pvc = opts.pvc ?? 'sparsebench-data';
  const finishedIds = study.finished;
  const finished = plan.trials.filter((t) => finishedIds.has(t.id)).length;
  const { files, copies } = writeK8sRun(
    plan,
    layout,
    { image, pvc, maxParallel, gpus, cpus: cpusPerTask, taskFlags: runTrialFlags, finishedLocally: finished },
    outName,
  );
  const pod = k8sPodPaths(layout);
  const notes = [
    `run it with: ${join(dir, 'run.sh')} (kubectl apply, wait, merge), after its step 1, done by hand (its first lines say how: plan.json onto the claim)`,
    ...(copies.length > 0
      ? [
          `the trials read ${count(copies.length, 'file')} of this machine (${copies.map((c) => c.from).join(', ')}): plan.json reads ${copies.length === 1 ? 'it' : 'them'} from ${pod.files}/ on the claim, and step 1 of run.sh says how to copy ${copies.length === 1 ? 'it' : 'them'} there`,
        ]
      : []),
    ...(finished > 0
      ? [
          `${finished} of the ${count(plan.trials.length, 'trial')} ${finished === 1 ? 'is' : 'are'} finished in ${opts.db}; the pods skip only those finished in ${pod.db} on the claim, so copy them there first (step 1 of run.sh says how) or they train again`,
        ]
      : []),
    `the merged study is written to ${pod.db} on the claim "${pvc}", not to ${opts.db}: step 4 of run.sh says how to copy it back and merge it in`,
    ...(opts.image === undefined ? [`image ${image} (the default; --image names yours)`] : []),
  ];
  process.stdout.write(`wrote ${files.join(', ')}\n${notes.join('\n')}\n`);
  return 0;
}

/**
 * What the study database at `db` already holds of this plan, read once: the ids of the trials finished and of those
 * failed there, and the trials its sweep of this name has that `plan` does not ({@link Store.droppedBy}, null when
 * none can be told). Nothing when it does not exist; nothing, with a warning, when it cannot be read (every trial is
 * then submitted, and each task's --skip-from still skips one finished there).
 */
function studyState(
  db: string,
  plan: SweepPlan,
): { finished: Set<string>; failed: Set<string>; dropped: DroppedTrials | null } {
  const none = { finished: new Set<string>(), failed: new Set<string>(), dropped: null };
  if (!existsSync(resolve(db))) return none;
  let store: Store | null = null;
  try {
    store = Store.open(db, { create: false, read: 'only' });
    const ids = (status: 'finished' | 'failed') => new Set(store!.listTrials(null, status).map((t) => t.id));
    return { finished: ids('finished'), failed: ids('failed'), dropped: store.droppedBy(plan) };
  } catch (e) {
    process.stderr.write(
      `warning: --db ${db} cannot be read to leave out its finished trials (${(e as Error).message}); every trial is submitted, and each skips itself if finished there\n`,
    );
    return none;
  } finally {
    store?.close();
  }
}
