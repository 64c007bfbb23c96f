import type { PrunerState } from '../sparsity/pruner.js';
import type { RngState } from '../util/rng.js';
import type { AdamWState } from './adamw.js';

/**
 * Everything a trial's training depends on after `step` training steps, as plain data: a checkpoint.
 * Restoring it continues the trial exactly as if it had never stopped (same losses on cpu and wasm).
 */
export interface TrainState {
  /**
   * Training steps completed (batches consumed). `adam.step` counts optimizer updates: fewer, where a drop/grow
   * update took a step's place (SET, RigL, SRigL).
   */
  step: number;
  /** Master (host) values of every parameter: masked entries zero, except for straight-through methods, whose dense weights are kept. */
  params: Map<string, Float32Array>;
  adam: AdamWState;
  pruner: PrunerState;
  /** Batch order: the data position is the state of this stream. */
  dataRng: RngState;
  pruneRng: RngState;
  /** Last training and validation losses (for progress and the final record). */
  loss: number;
  valLoss: number | null;
  /** Training time spent before this state. */
  wallSeconds: number;
  /**
   * First step of the run of training losses above the divergence bound that reaches this state (null: the last
   * loss was below it; absent in checkpoints written before it was kept, read as null).
   */
  divergedSince?: number | null;
}

/** When and where to save checkpoints during a trial. */
export interface CheckpointPolicy {
  /** Save every this many steps; 0 turns step-based saving off. */
  everySteps: number;
  /** Save once this many seconds have passed since the last save; 0 turns time-based saving off. */
  everySeconds: number;
  /** Persist a state (synchronously; the arrays are live and change after it returns). */
  save(state: TrainState): void;
}
