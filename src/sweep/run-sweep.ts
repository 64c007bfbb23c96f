import type { SweepPlan } from '../config/load.js';
import { families } from '../models/registry.js';
import { newOwner } from '../store/owner.js';
import { LeaseLostError, type Store } from '../store/store.js';
import { weightsPath, writeSafetensors } from '../store/weights.js';
import { TrialFailure, TrialInterrupted, trainTrial } from '../train/trainer.js';
import { fmt, fmtDuration } from '../util/format.js';
import { checkpointPath, dropCheckpoint, loadCheckpoint, saveCheckpoint } from './checkpoints.js';
import { SilentReporter, type SweepReporter } from './progress.js';

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
  /** Being trained by another live process. */
  busy: number;
  interrupted: boolean;
}

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
}

/** Ten minutes: far longer than any gap between two heartbeats of a live trainer. */
const DEFAULT_LEASE_MS = 10 * 60 * 1000;
/** A kill loses at most ten minutes of a long trial; short trials never pay for a checkpoint. */
const DEFAULT_CHECKPOINT_MINUTES = 10;

/**
 * Runs a planned sweep against a store: records the sweep, then trains every trial that is not finished,
 * one at a time. Finished trials are never retrained; a trial left running by a dead process or
 * interrupted resumes from its last checkpoint (or restarts when it has none); failed ones are retried,
 * from scratch, only with `retryFailed`.
 */
export async function runSweep(
  plan: SweepPlan,
  store: Store,
  opts: SweepRunOptions = {},
): Promise<SweepSummary> {
  const reporter = opts.reporter ?? new SilentReporter();
  const owner = newOwner();
  store.saveSweep(plan);
  const before = new Map(store.listTrials(plan.name).map((t) => [t.id, t.status]));
  const chosen = opts.only ? opts.only.map((i) => [i, plan.trials[i]] as const) : [...plan.trials.entries()];
  const summary: SweepSummary = {
    sweep: plan.name,
    total: chosen.length,
    alreadyFinished: chosen.filter(([, t]) => before.get(t.id) === 'finished').length,
    trained: 0,
    failed: 0,
    skippedFailed: 0,
    busy: 0,
    interrupted: false,
  };
  reporter.start(summary.total, summary.alreadyFinished);
  try {
    for (const [index, trial] of chosen) {
      if (opts.shouldStop?.()) {
        summary.interrupted = true;
        break;
      }
      const infos = families[trial.spec.model.family].model.params(trial.spec.model);
      const ckptPath = checkpointPath(store.path, trial.id);
      const previous = before.get(trial.id);
      // a failed trial retried starts over; an interrupted or killed one resumes from its checkpoint
      const resume = previous === 'failed' ? null : loadCheckpoint(ckptPath, trial.id, infos);
      const claim = store.claimTrial(trial.id, owner, {
        retryFailed: opts.retryFailed ?? false,
        leaseMs: opts.leaseMs ?? DEFAULT_LEASE_MS,
        keepMetricsThrough: resume?.step,
      });
      if (claim === 'failed') summary.skippedFailed++;
      if (claim === 'busy') summary.busy++;
      if (claim !== 'claimed') {
        reporter.trialEnd(trial, 'skipped', claim);
        continue;
      }
      reporter.trialStart(trial, index, resume?.step ?? 0);
      try {
        const out = await trainTrial(trial.spec, {
          onProgress: (p) => reporter.trialProgress(p),
          onMetrics: (points) => store.appendMetrics(trial.id, owner, points),
          shouldStop: opts.shouldStop,
          resume: resume ?? undefined,
          checkpoint: {
            everySteps: opts.checkpointSteps ?? 0,
            everySeconds: (opts.checkpointMinutes ?? DEFAULT_CHECKPOINT_MINUTES) * 60,
            save: (state) => saveCheckpoint(ckptPath, trial.id, state, infos),
          },
        });
        // weights first: a trial is finished only once everything it produced is on disk
        writeSafetensors(weightsPath(store.path, trial.id), out.weights, {
          format: 'sparsebench',
          trial_id: trial.id,
          spec: JSON.stringify(trial.spec),
        });
        store.finishTrial(trial.id, owner, out.result, out.lastPoints);
        dropCheckpoint(ckptPath);
        summary.trained++;
        const r = out.result;
        reporter.trialEnd(
          trial,
          'finished',
          `val loss ${r.finalValLoss.toFixed(4)}, sparsity ${r.achievedSparsity.toFixed(3)}, N ${fmt(r.nonzeroParams)}, ` +
            `${fmt(r.tokensPerSecond)} tok/s, ${fmtDuration(r.wallSeconds)}`,
        );
      } catch (e) {
        if (e instanceof TrialInterrupted) {
          store.endTrial(trial.id, owner, 'interrupted', { step: e.step, lastPoints: e.pending });
          reporter.trialEnd(trial, 'interrupted', `at step ${e.step}`);
          summary.interrupted = true;
          break;
        }
        if (e instanceof LeaseLostError) {
          reporter.trialEnd(trial, 'skipped', 'taken over by another process');
          continue;
        }
        const step = e instanceof TrialFailure ? e.step : undefined;
        const pending = e instanceof TrialFailure ? e.pending : [];
        const message = (e as Error).message;
        store.endTrial(trial.id, owner, 'failed', { error: message, step, lastPoints: pending });
        dropCheckpoint(ckptPath);
        summary.failed++;
        reporter.trialEnd(trial, 'failed', `${trial.id}: ${message}`);
      }
    }
  } finally {
    reporter.stop();
  }
  return summary;
}
