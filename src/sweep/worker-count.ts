import { availableParallelism, freemem } from 'node:os';
import type { TrialPlan } from '../config/plan.js';
import { requestedThreads } from '../engine/threads-env.js';
import { families } from '../models/registry.js';
import { WORKER_OLD_SPACE_MB } from './process-runner.js';

/** What decides how many trials train at once. */
export interface WorkerBudget {
  /** Cores this process may use (`os.availableParallelism()`). */
  cores: number;
  /** Threads one trial's kernels use (1 unless the engine is told otherwise). */
  threadsPerTrial: number;
  /** Memory free for new processes, in bytes. */
  freeBytes: number;
}

/** A chosen worker count and the reason, in words, for the sweep's first line. */
export interface WorkerChoice {
  workers: number;
  reason: string;
}

/** Node, tfjs and the wasm heap's floor (what an idle worker holds), plus the old space a worker may fill before collecting it. */
const PROCESS_BYTES = 150e6 + WORKER_OLD_SPACE_MB * 2 ** 20;
/** Memory beyond this share of what is free is left to the rest of the machine. */
const MEMORY_SHARE = 0.8;

/**
 * Rough peak memory of one trial's process: the floor, eight float copies of every parameter (host and
 * device values, gradients, two AdamW moments, masks, checkpoint and transfer copies) and the activations a
 * step keeps for backprop, taken as one float per d_model forward FLOPs of a batch.
 */
export function trialBytes(t: TrialPlan): number {
  const entry = families[t.spec.model.family];
  const fwdPerBatch = entry.model.forwardFlopsPerUnit(t.spec.model as never) * entry.unitsPerBatch(t.spec);
  const activations = (4 * fwdPerBatch) / t.spec.model.d_model;
  return PROCESS_BYTES + 32 * t.total_params + activations;
}

/** Engines that use a whole device (a GPU, or TensorFlow's own thread pool): one process should own it. */
const WHOLE_DEVICE_ENGINES = ['webgpu', 'tensorflow'];

/**
 * How many trials of a sweep to train at once: one per core (divided by the threads each trial's kernels
 * use), no more than the memory allows for the largest trial, and no more than there are trials to train.
 * Small trials on the wasm backend use one core each, so one process per core is what fills the machine.
 * Trials on an engine that uses a whole device (`engines`: webgpu, tensorflow) train one at a time.
 */
export function chooseWorkers(
  trials: readonly TrialPlan[],
  budget: WorkerBudget,
  engines: ReadonlySet<string> = new Set(),
): WorkerChoice {
  if (trials.length === 0) return { workers: 1, reason: 'auto: nothing to train' };
  const device = WHOLE_DEVICE_ENGINES.find((e) => engines.has(e));
  if (device) return { workers: 1, reason: `auto: 1 (the ${device} backend uses a whole device)` };
  const byCores = Math.max(1, Math.floor(budget.cores / Math.max(1, budget.threadsPerTrial)));
  const largest = trials.reduce((m, t) => Math.max(m, trialBytes(t)), 0);
  const byMemory =
    largest > 0 ? Math.max(1, Math.floor((MEMORY_SHARE * budget.freeBytes) / largest)) : byCores;
  const workers = Math.max(1, Math.min(byCores, byMemory, trials.length));
  const limits = [
    `${budget.cores} cores${budget.threadsPerTrial > 1 ? ` / ${budget.threadsPerTrial} threads per trial` : ''}`,
    `memory for ${byMemory} of the largest trial (~${Math.round(largest / 1e6)} MB each)`,
    `${trials.length} ${trials.length === 1 ? 'trial' : 'trials'} to train`,
  ];
  return { workers, reason: `auto: ${workers} (limits: ${limits.join(', ')})` };
}

/**
 * A warning when the largest trial to train needs more memory than is free for it ({@link trialBytes} against
 * {@link MEMORY_SHARE} of the free memory): training it would be killed for memory, or swap, part-way. Names the
 * trial, its parameters and both sizes; null when it fits. A sparsity near 1 makes this easy to meet: sizing gives
 * a sparse trial the dense shape of N/(1−S) parameters.
 */
export function memoryWarning(
  trials: readonly TrialPlan[],
  budget: Pick<WorkerBudget, 'freeBytes'>,
): string | null {
  if (trials.length === 0) return null;
  const largest = trials.reduce((a, b) => (trialBytes(b) > trialBytes(a) ? b : a));
  const need = trialBytes(largest);
  const free = MEMORY_SHARE * budget.freeBytes;
  if (need <= free) return null;
  const gb = (b: number) => `${(b / 1e9).toPrecision(2)} GB`;
  return (
    `trial ${largest.id.slice(0, 8)} (S = ${largest.spec.sparsity}, ${largest.total_params.toExponential(2)} parameters as trained) ` +
    `needs about ${gb(need)} of memory, more than the ${gb(free)} free for it here: it may be killed for memory part-way` +
    (largest.spec.sparsity > 0
      ? ' (a sparse trial trains the dense shape of N/(1 − S) parameters, masked)'
      : '')
  );
}

/** This machine's budget: cores, free memory, and `SPARSEBENCH_THREADS` (threads per trial, default 1). */
export function machineBudget(env: NodeJS.ProcessEnv = process.env): WorkerBudget {
  return {
    cores: availableParallelism(),
    threadsPerTrial: requestedThreads(env),
    freeBytes: freemem(),
  };
}
