import type { TrialSpec } from '../config/trial-spec.js';
import { DataUnavailableError } from '../data/spec.js';
import { families } from '../models/registry.js';
import type { MetricPoint, TrialResult } from '../store/types.js';
import { encodeWeights } from '../store/weights.js';
import type { TrainState } from '../train/state.js';
import { type TrainProgress, TrialFailure, TrialInterrupted, trainTrial } from '../train/trainer.js';
import { encodeCheckpoint } from './checkpoints.js';

/** One claimed trial to train: everything a runner needs, as plain data (it may cross a process boundary). */
export interface TrialJob {
  trialId: string;
  spec: TrialSpec;
  /** Continue from this checkpointed state; null starts from initialisation. */
  resume: TrainState | null;
  checkpointEverySteps: number;
  checkpointEverySeconds: number;
}

/** How a job ended. Files are returned as bytes: the runner computes, the sweep's one writer writes. */
export type TrialOutcome =
  | { kind: 'finished'; result: TrialResult; lastPoints: MetricPoint[]; weights: Uint8Array }
  | { kind: 'interrupted'; step: number; pending: MetricPoint[] }
  | {
      kind: 'failed';
      message: string;
      step?: number;
      pending: MetricPoint[];
      /**
       * The trial did not fail, the process training it died (killed, out of memory): its checkpoint stays,
       * and `--retry-failed` resumes from it instead of starting over.
       */
      processDied?: boolean;
      /** Its data files changed or could not be read: the checkpoint stays for when they are restored. */
      dataUnavailable?: boolean;
    };

/** What a runner reports while a job trains, in order: metrics before the checkpoint that follows them. */
export interface TrialEvents {
  onProgress(p: TrainProgress): void;
  onMetrics(points: MetricPoint[]): void;
  /** An encoded checkpoint to persist (the metrics it covers were reported before it). */
  onCheckpoint(bytes: Uint8Array): void;
}

/** Trains one job at a time, in this process or in another. */
export interface TrialRunner {
  run(job: TrialJob, events: TrialEvents): Promise<TrialOutcome>;
  /** Asks the running job to stop at the next step boundary (after a checkpoint); it ends `interrupted`. */
  stop(): void;
  close(): Promise<void>;
}

/**
 * Trains a job and turns every way it can end into a {@link TrialOutcome}: the body shared by the
 * in-process runner and worker processes.
 */
export async function executeJob(
  job: TrialJob,
  events: TrialEvents,
  shouldStop: () => boolean,
): Promise<TrialOutcome> {
  const infos = families[job.spec.model.family].model.params(job.spec.model);
  try {
    const out = await trainTrial(job.spec, {
      onProgress: events.onProgress,
      onMetrics: events.onMetrics,
      shouldStop,
      resume: job.resume ?? undefined,
      checkpoint: {
        everySteps: job.checkpointEverySteps,
        everySeconds: job.checkpointEverySeconds,
        save: (state) => events.onCheckpoint(encodeCheckpoint(job.trialId, state, infos)),
      },
    });
    const weights = encodeWeights(out.weights, {
      format: 'sparsebench',
      trial_id: job.trialId,
      spec: JSON.stringify(job.spec),
    });
    return { kind: 'finished', result: out.result, lastPoints: out.lastPoints, weights };
  } catch (e) {
    if (e instanceof TrialInterrupted) return { kind: 'interrupted', step: e.step, pending: e.pending };
    if (e instanceof TrialFailure)
      return { kind: 'failed', message: e.message, step: e.step, pending: e.pending };
    if (e instanceof DataUnavailableError)
      return { kind: 'failed', message: e.message, pending: [], dataUnavailable: true };
    return { kind: 'failed', message: (e as Error).message ?? String(e), pending: [] };
  }
}

/** Trains jobs in this process: the runner of a one-worker sweep and of cluster array tasks. */
export class InProcessRunner implements TrialRunner {
  private stopping = false;

  /** `shouldStop`, when given, is polled every step as well (a signal seen by this process). */
  constructor(private readonly shouldStop?: () => boolean) {}

  async run(job: TrialJob, events: TrialEvents): Promise<TrialOutcome> {
    this.stopping = false;
    return executeJob(job, events, () => this.stopping || (this.shouldStop?.() ?? false));
  }
  stop(): void {
    this.stopping = true;
  }
  async close(): Promise<void> {}
}
