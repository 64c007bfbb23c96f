import { existsSync } from 'node:fs';
import type { SweepPlan } from '../config/load.js';
import type { TrialPlan } from '../config/plan.js';
import { families } from '../models/registry.js';
import { dataUnitOf, unitLabels } from '../report/units.js';
import { prunerLayers } from '../sparsity/layers.js';
import { DEFAULT_LEASE_MS, newOwner } from '../store/owner.js';
import { writeFileAtomic } from '../store/safetensors.js';
import {
  DatabaseGoneError,
  type DroppedTrials,
  LeaseLostError,
  type Store,
  StoreWriteError,
} from '../store/store.js';
import { startedUnfinished } from '../store/types.js';
import { weightsPath } from '../store/weights.js';
import { fmt, fmtDuration } from '../util/format.js';
import { adoptLegacyCheckpoint, checkpointPath, dropCheckpoint, resumeCheckpoint } from './checkpoints.js';
import { SilentReporter, type SweepReporter } from './progress.js';
import { InProcessRunner, type TrialOutcome, type TrialRunner } from './trial-runner.js';

/**
 * What the database says of a trial stopped by a failed write: nothing more is written to it (it may be the
 * database that failed), so it still reads "running" until its lease goes stale.
 */
const UNRECORDED =
  'the database still shows it running (runs list: "running (owner gone)" once this process ends) and a rerun resumes it';

/** How a sweep run went. */
export interface SweepSummary {
  sweep: string;
  total: number;
  /** Finished before this run started (not retrained). */
  alreadyFinished: number;
  /** Trained to completion by this run. */
  trained: number;
  failed: number;
  /** Failed earlier and left alone (no --retry-failed). */
  skippedFailed: number;
  /** Taken by another process after this run began, and still running there when this run ended. */
  busy: number;
  /** Taken by another process after this run began and left unfinished there (interrupted) when this run ended. */
  unfinishedElsewhere: number;
  /** Not finished when this run began; trained to completion by another process before this run ended. */
  finishedElsewhere: number;
  /** Not failed when this run began; failed in another process before this run ended. */
  failedElsewhere: number;
  /** Taken out of the database (`runs rm`) after this run began, before this run reached them: not trained. */
  removed: number;
  interrupted: boolean;
  /**
   * Trials left interrupted because their worker process alone was stopped by a signal (SIGTERM or SIGINT sent
   * to it, not to the sweep): resumable from their checkpoints, while the sweep went on with the others.
   */
  stoppedWorkers: number;
  /**
   * Trials an earlier run of this sweep (same name, another config) had that this config does not: no
   * longer in the sweep, still in the database.
   */
  dropped: DroppedTrials;
  /**
   * Trials that finished with fewer non-zero weights than their plan by more than {@link NONZERO_SHORT}
   * (weights their masks keep ended exactly zero): how many, and the one furthest below.
   */
  nonzeroShort: { count: number; id: string; got: number; planned: number } | null;
}

/** Relative shortfall of a finished trial's measured N below its plan that the sweep notes. */
export const NONZERO_SHORT = 0.01;

export interface SweepRunOptions {
  reporter?: SweepReporter;
  retryFailed?: boolean;
  /** A running trial whose heartbeat is older than this is taken over (its owner is presumed dead). */
  leaseMs?: number;
  /** Polled between steps; true stops after checkpointing the current trial as interrupted. */
  shouldStop?: () => boolean;
  /** Checkpoint a running trial every this many minutes (0: never by time). Default 10. */
  checkpointMinutes?: number;
  /** Checkpoint a running trial every this many steps (0: never by steps). Default 0. */
  checkpointSteps?: number;
  /** Train only the trials at these plan indices (one array task of a cluster job); default all. */
  only?: readonly number[];
  /**
   * Who trains: one trial at a time per runner, so the length is the number of trials in flight. Default:
   * one runner in this process. This process stays the only writer whatever the runners are.
   */
  runners?: readonly TrialRunner[];
}

/** A kill loses at most ten minutes of a long trial; short trials never pay for a checkpoint. */
const DEFAULT_CHECKPOINT_MINUTES = 10;

/**
 * Records the plan, the sweep's first write: a database locked past the busy timeout (or a full disk) there stops
 * the sweep as a storage failure (exit 75, naming the database), as it would at any later write.
 */
function saveSweepOrStop(store: Store, plan: SweepPlan): ReturnType<Store['saveSweep']> {
  try {
    return store.saveSweep(plan);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^SQLITE_(BUSY|LOCKED|FULL|IOERR|READONLY)/.test(code))
      throw new StoreWriteError(store.path, e as Error, true);
    throw e;
  }
}

/**
 * Runs a planned sweep against a store: records the sweep, then trains every trial that is not finished,
 * as many at once as there are runners. Finished trials are never retrained; a trial left running by a
 * dead process or interrupted resumes from its last checkpoint (or restarts when it has none); failed ones
 * are retried only with `retryFailed`: from scratch, or from the checkpoint of one that failed only because
 * its worker process died.
 *
 * This process claims the trials and writes everything (metrics, checkpoints, weights, results), in the
 * order the runners report it; runners only train. Weights are written before the trial is marked
 * finished, and a checkpoint only after the metrics it covers, so a kill at any moment loses nothing that
 * was recorded as done.
 */
export async function runSweep(
  plan: SweepPlan,
  store: Store,
  opts: SweepRunOptions = {},
): Promise<SweepSummary> {
  const reporter = opts.reporter ?? new SilentReporter();
  const runners = opts.runners ?? [new InProcessRunner(opts.shouldStop)];
  const owner = newOwner();
  /** The first write to the database that failed (locked past the busy timeout, disk full): training stops. */
  let storageError: Error | null = null;
  let gone: string | null = null;
  const storageFailed = (e: unknown) => {
    storageError ??= e as Error;
    for (const r of runners) r.stop();
  };
  const { dropped } = saveSweepOrStop(store, plan);
  const listed = store.listTrials(plan.name);
  const before = new Map(listed.map((t) => [t.id, t.status]));
  // where a stop (SIGINT, SIGTERM, a time limit) left trials: it wrote their checkpoints, so a missing one is lost
  const stoppedAt = new Map(
    listed
      .filter((t) => t.status === 'interrupted' && (t.errorStep ?? 0) > 0)
      .map((t) => [t.id, t.errorStep as number]),
  );
  const chosen = opts.only ? opts.only.map((i) => [i, plan.trials[i]] as const) : [...plan.trials.entries()];
  const summary: SweepSummary = {
    sweep: plan.name,
    total: chosen.length,
    alreadyFinished: chosen.filter(([, t]) => before.get(t.id) === 'finished').length,
    trained: 0,
    failed: 0,
    skippedFailed: 0,
    busy: 0,
    finishedElsewhere: 0,
    removed: 0,
    failedElsewhere: 0,
    unfinishedElsewhere: 0,
    interrupted: false,
    stoppedWorkers: 0,
    dropped,
    nonzeroShort: null,
  };
  /**
   * Trials another process took after this run began (training them, or already done with them when this
   * one reached them): how they ended is read at the end.
   */
  const elsewhere: string[] = [];
  const stopRequested = () => summary.interrupted || (opts.shouldStop?.() ?? false);
  // with several runners, the costliest trials first: the last ones to start are then short, so no
  // runner sits idle long while another finishes a big one (longest-processing-time-first scheduling)
  const order = runners.length > 1 ? [...chosen].sort(([, a], [, b]) => b.flops - a.flops) : chosen;
  /**
   * The plan's trials in order, then once more those another process had taken (it may have stopped or
   * died since: an interrupted trial or a stale lease is this run's to finish).
   */
  function* trialsToClaim() {
    yield* order;
    const again = elsewhere.splice(0);
    const byId = new Map(order.map((entry) => [entry[1].id, entry] as const));
    for (const id of again) yield byId.get(id)!;
  }
  const queue = trialsToClaim();

  /** Claims the next trial this process may train, or null when none is left (or we are stopping). */
  const claimNext = () => {
    for (let next = queue.next(); !next.done; next = queue.next()) {
      if (storageError) return null;
      // a database deleted or replaced under the sweep: what it trained next would be recorded nowhere
      gone ??= store.fileGone();
      if (gone) return null;
      if (stopRequested()) {
        summary.interrupted = true;
        return null;
      }
      const [index, trial] = next.value;
      const infos = families[trial.spec.model.family].model.params(trial.spec.model);
      // an interrupted or killed trial resumes from its checkpoint; a failed one retried starts over, unless
      // it failed only because its worker process died, which keeps the checkpoint (record, below)
      const started = before.get(trial.id);
      const startedHere = startedUnfinished(started);
      const maskSizes = prunerLayers(infos, trial.spec.pruner).map((l) => l.shape[0] * l.shape[1]);
      const {
        state: resume,
        legacy,
        problem,
      } = resumeCheckpoint(store.path, trial.id, { infos, maskSizes }, startedHere);
      const lost =
        resume === null && problem === null && stoppedAt.has(trial.id)
          ? `it was stopped at step ${stoppedAt.get(trial.id)}, but its checkpoint is not at ${checkpointPath(store.path, trial.id)} (deleted or moved, or not written at the stop?); it trains from step 0`
          : null;
      let claim: ReturnType<typeof store.claimTrial>;
      try {
        claim = store.claimTrial(trial.id, owner, {
          retryFailed: opts.retryFailed ?? false,
          leaseMs: opts.leaseMs ?? DEFAULT_LEASE_MS,
          keepMetricsThrough: resume?.step,
        });
      } catch (e) {
        storageFailed(e);
        return null;
      }
      // ended before this run began: counted already (failed ones left alone); ended by another process
      // since, or training there: see below
      const was = before.get(trial.id);
      if (claim === 'failed' && was === 'failed') summary.skippedFailed++;
      else if (claim === 'removed') {
        summary.removed++;
        reporter.trialEnd(trial, 'skipped', 'removed from the database (runs rm) while this sweep ran');
        continue;
      } else if (claim !== 'claimed' && !(claim === 'finished' && was === 'finished'))
        elsewhere.push(trial.id);
      if (claim === 'claimed') {
        if (legacy) adoptLegacyCheckpoint(store.path, trial.id);
        return { index, trial, resume, problem: problem ?? lost };
      }
      reporter.trialEnd(trial, 'skipped', claim);
    }
    return null;
  };

  /** Notes a finished trial whose measured N fell short of its plan (masks keeping weights that ended at 0). */
  const noteNonzero = (trial: TrialPlan, got: number) => {
    const planned = trial.nonzero_params;
    if (got >= planned * (1 - NONZERO_SHORT)) return;
    const worst = summary.nonzeroShort;
    const deeper = !worst || got / planned < worst.got / worst.planned;
    summary.nonzeroShort = {
      count: (worst?.count ?? 0) + 1,
      ...(deeper ? { id: trial.id, got, planned } : { id: worst.id, got: worst.got, planned: worst.planned }),
    };
  };

  /** Trains one claimed trial on `runner` and records how it ended. */
  const train = async (
    runner: TrialRunner,
    { index, trial, resume, problem }: NonNullable<ReturnType<typeof claimNext>>,
  ) => {
    const ckptPath = checkpointPath(store.path, trial.id);
    let leaseLost = false;
    // a write of this trial failed or was skipped: nothing more is written for it, its checkpoints included
    // (a checkpoint ahead of the stored metrics would resume past a gap); a rerun resumes from the last one
    let writeFailed = false;
    const failWrites = (e?: unknown) => {
      writeFailed = true;
      if (e !== undefined) storageFailed(e);
    };
    reporter.trialStart(trial, index, resume?.step ?? 0, problem ?? undefined);
    const outcome = await runner.run(
      {
        trialId: trial.id,
        spec: trial.spec,
        resume,
        checkpointEverySteps: opts.checkpointSteps ?? 0,
        checkpointEverySeconds: (opts.checkpointMinutes ?? DEFAULT_CHECKPOINT_MINUTES) * 60,
      },
      {
        onProgress: (p) => {
          reporter.trialProgress(p, trial);
          // a stop asked for mid-trial reaches the runner at its next step
          if (stopRequested()) runner.stop();
        },
        onMetrics: (points) => {
          if (leaseLost || writeFailed) return;
          // another trial's write failed: each further one could wait out the busy timeout, so none is tried
          if (storageError) return failWrites();
          try {
            store.appendMetrics(trial.id, owner, points);
          } catch (e) {
            if (!(e instanceof LeaseLostError)) return failWrites(e);
            leaseLost = true; // another process owns the trial now: write nothing more for it
            runner.stop();
          }
        },
        onCheckpoint: (bytes) => {
          if (leaseLost || writeFailed) return;
          try {
            writeFileAtomic(ckptPath, bytes);
          } catch (e) {
            failWrites(e); // a full disk: the trial stops like the others, resumable from its last checkpoint
          }
        },
      },
    );
    if (writeFailed) {
      // recorded as far as the writes went: the lease goes stale, and a rerun resumes from the last checkpoint
      reporter.trialEnd(
        trial,
        'interrupted',
        `its metrics or checkpoint could not be written; ${UNRECORDED}`,
      );
      return;
    }
    if (leaseLost) {
      elsewhere.push(trial.id);
      reporter.trialEnd(trial, 'skipped', 'taken over by another process');
      return;
    }
    record(trial, outcome, ckptPath);
  };

  const record = (trial: TrialPlan, outcome: TrialOutcome, ckptPath: string) => {
    try {
      if (outcome.kind === 'finished') {
        // weights first: a trial is finished only once everything it produced is on disk
        writeFileAtomic(weightsPath(store.path, trial.id), outcome.weights);
        store.finishTrial(trial.id, owner, outcome.result, outcome.lastPoints);
        dropCheckpoint(ckptPath);
        summary.trained++;
        const r = outcome.result;
        noteNonzero(trial, r.nonzeroParams);
        reporter.trialEnd(
          trial,
          'finished',
          `val loss ${r.finalValLoss.toFixed(4)}, sparsity ${r.achievedSparsity.toFixed(3)}, N ${fmt(r.nonzeroParams)}, ` +
            `${fmt(r.tokensPerSecond)} ${unitLabels(dataUnitOf(trial.spec.model.family)).rate}, ${fmtDuration(r.wallSeconds)}`,
        );
      } else if (outcome.kind === 'interrupted') {
        store.endTrial(trial.id, owner, 'interrupted', { step: outcome.step, lastPoints: outcome.pending });
        if (stopRequested()) {
          reporter.trialEnd(trial, 'interrupted', `at step ${outcome.step}`);
          summary.interrupted = true;
        } else {
          // only its worker was signalled: the sweep goes on with the other trials and says so at the end
          reporter.trialEnd(
            trial,
            'interrupted',
            `at step ${outcome.step}: its worker process was stopped by a signal; run the sweep again to resume it`,
          );
          summary.stoppedWorkers++;
        }
      } else {
        // not the trial's own failure (its process died, its data changed): resumable once that is put right
        const kept =
          (outcome.processDied === true || outcome.dataUnavailable === true) && existsSync(ckptPath);
        const message = kept
          ? `${outcome.message}; its checkpoint is kept, and --retry-failed resumes from it`
          : outcome.message;
        store.endTrial(trial.id, owner, 'failed', {
          error: message,
          step: outcome.step,
          lastPoints: outcome.pending,
        });
        if (!kept) dropCheckpoint(ckptPath);
        summary.failed++;
        reporter.trialEnd(trial, 'failed', message);
      }
    } catch (e) {
      if (!(e instanceof LeaseLostError)) {
        storageFailed(e);
        // its final weights are written before its record: either may be what failed, and the error says which
        reporter.trialEnd(
          trial,
          'interrupted',
          `its final weights or record could not be written (${(e as Error).message}); ${UNRECORDED}`,
        );
        return;
      }
      elsewhere.push(trial.id);
      reporter.trialEnd(trial, 'skipped', 'taken over by another process');
    }
  };

  reporter.start(summary.total, summary.alreadyFinished);
  try {
    // one loop per runner; claims happen one at a time on this thread, so no two loops take the same trial
    await Promise.all(
      runners.map(async (runner) => {
        for (let job = claimNext(); job; job = claimNext()) await train(runner, job);
      }),
    );
  } finally {
    reporter.stop();
  }
  if (storageError) throw new StoreWriteError(store.path, storageError);
  gone ??= store.fileGone();
  if (gone) throw new DatabaseGoneError(store.path, gone);
  // the other process may have ended them while this one trained: say what they are now, not what they were
  for (const id of elsewhere) {
    // by id: another run of the sweep's name may have replaced its trial list meanwhile
    const status = store.findTrial(id)?.status;
    if (status === undefined) summary.removed++;
    else if (status === 'finished') summary.finishedElsewhere++;
    else if (status === 'failed') summary.failedElsewhere++;
    else if (status === 'running') summary.busy++;
    else summary.unfinishedElsewhere++; // stopped there (interrupted), or never started
  }
  return summary;
}
