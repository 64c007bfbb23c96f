import type { TrialSpec } from '../config/trial-spec.js';
import type { RunEnvironment } from '../util/environment.js';

/** Trial status values. */
export const TRIAL_STATUSES = ['pending', 'running', 'finished', 'failed', 'interrupted'] as const;
export type TrialStatus = (typeof TRIAL_STATUSES)[number];

/**
 * Whether a trial of this status was started in its database and not finished (interrupted, running or failed):
 * a checkpoint beside that database is its own, one a rerun resumes from.
 */
export function startedUnfinished(status: string | null | undefined): boolean {
  return status === 'interrupted' || status === 'running' || status === 'failed';
}

/** A trial as stored: plan, status and (once finished) results. */
export interface TrialRecord {
  id: string;
  spec: TrialSpec;
  status: TrialStatus;
  sparsity: number;
  pruner: string;
  nonzeroTarget: number;
  tokensTarget: number;
  seed: number;
  denseParams: number;
  totalParams: number;
  embeddingParams: number;
  plannedNonzero: number;
  plannedFlops: number;
  /** Achieved, measured from the final weights. */
  nonzeroParams: number | null;
  achievedSparsity: number | null;
  /** Tokens trained. */
  tokens: number | null;
  steps: number | null;
  finalValLoss: number | null;
  finalValAccuracy: number | null;
  finalTrainLoss: number | null;
  wallSeconds: number | null;
  tokensPerSecond: number | null;
  /** Backend actually used. */
  backend: string | null;
  error: string | null;
  errorStep: number | null;
  /** Final density per prunable layer, by name. */
  layerDensity: Record<string, number> | null;
  /** Machine and library versions of the run that finished it (null for trials finished before v0.1 recorded it). */
  environment: RunEnvironment | null;
  attempts: number;
  /**
   * While running: the process that holds the trial (host:pid:nonce) and its last heartbeat (ms since the
   * epoch); null otherwise. Absent in records built without them (tests).
   */
  owner?: string | null;
  heartbeatAt?: number | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Sweep axis values, when read through a sweep. */
  axes?: Record<string, unknown>;
}

/** One logged value. Names in use: train_loss, val_loss, val_accuracy (classifiers), lr, sparsity. */
export interface MetricPoint {
  name: string;
  step: number;
  tokens: number;
  value: number;
}

/** What a finished trial records. */
export interface TrialResult {
  nonzeroParams: number;
  achievedSparsity: number;
  tokens: number;
  steps: number;
  finalValLoss: number;
  /** Classifiers only; null for language models. */
  finalValAccuracy: number | null;
  finalTrainLoss: number;
  wallSeconds: number;
  tokensPerSecond: number;
  backend: string;
  layerDensity: Record<string, number>;
  /** Machine and library versions the trial trained on. */
  environment?: RunEnvironment;
}

/** A sweep as stored. */
export interface SweepRecord {
  name: string;
  configPath: string;
  config: unknown;
  axes: { key: string; values: unknown[] }[];
  createdAt: string;
  updatedAt: string;
}

/** A stored law fit: what was fitted, how, and the result, with the ids of its input trials. */
export interface FitRecord {
  id: number;
  /** Sweep whose trials were fitted; null for external points (CSV). */
  sweep: string | null;
  /** `db` for trials of a sweep, else the CSV path. */
  source: string;
  form: string;
  options: unknown;
  result: unknown;
  /** Trial ids (or CSV row labels) of the fitted points. */
  inputs: string[];
  converged: boolean;
  createdAt: string;
}
