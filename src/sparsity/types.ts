import type { z } from 'zod';
import type { Rng } from '../util/rng.js';

/**
 * A prunable weight matrix as the pruner sees it: plain data, no tensors.
 * Shape is [n_in, n_out] (activations multiply on the left: y = x · W), so "along the input dimension"
 * means down a column.
 */
export interface LayerRef {
  name: string;
  shape: [number, number];
  /**
   * True for an embedding matrix made prunable by a distribution's `embeddings` option. Embeddings are not
   * counted in N and get their own sparsity (1 − sqrt(1 − S)); see distributions/layer-filter.ts.
   */
  embedding?: boolean;
  /** Separate matrices packed side by side along n_out (3 for q, k, v in one [d, 3d]); absent = 1. */
  parts?: number;
}

/** 1 = weight kept, 0 = pruned; row-major like the weights. */
export type Mask = Uint8Array;

/** Shared shape of every piece: a registry name, words for `sparsebench pruners`, and its own options. */
export interface PieceInfo<O> {
  name: string;
  summary: string;
  /** Options this piece accepts; parsing fills defaults. */
  options: z.ZodType<O>;
}

/**
 * Pattern: which masks are allowed. Turns per-weight scores into a mask at a given sparsity.
 * (JaxPruner calls this the sparsity type; N:M and constant fan-in are patterns, not pruners.)
 */
export interface Pattern<O = unknown> extends PieceInfo<O> {
  /** Keep the highest-scoring weights so that exactly round(sparsity · size) weights are pruned. */
  select(scores: Float32Array, shape: [number, number], sparsity: number, options: O): Mask;
  /**
   * The sparsity nearest to `sparsity` that this pattern can hold exactly in a layer of this shape (constant
   * fan-in keeps a whole number k of inputs per column). Absent: every sparsity is exact. The Pruner uses it
   * for the per-layer targets, and the N accounting uses it too, so planned N equals achieved N.
   */
  achievable?(shape: [number, number], sparsity: number, options: O): number;
  /** Fills options that follow from the trial's sparsity (N:M's n = (1 − S)·m when the config omits it). */
  complete?(options: O, sparsity: number): O;
  /**
   * Why this pattern cannot serve a trial at global sparsity `sparsity` with this distribution, or null
   * (N:M holds exactly 1 − n/m in every layer).
   */
  incompatibility?(
    sparsity: number,
    distribution: { name: string; [k: string]: unknown },
    options: O,
  ): string | null;
}

/** Distribution: how one global sparsity spreads over layers. Returns a sparsity per layer, same order. */
export interface Distribution<O = unknown> extends PieceInfo<O> {
  allocate(layers: readonly LayerRef[], sparsity: number, options: O): number[];
  /**
   * Per-layer sparsities while a gradual schedule stands at global sparsity `sparsity` on its way to `target`;
   * absent = {@link allocate} at `sparsity`, which is the same thing for a distribution that gives every
   * pruned layer the global sparsity.
   */
  allocateOnTheWay?(layers: readonly LayerRef[], sparsity: number, target: number, options: O): number[];
  /**
   * The options a trial under a gradual schedule records, defaults filled in: set only where
   * {@link allocateOnTheWay} decides something, so only those trials' ids name how the way was allocated.
   */
  underGradualSchedule?(options: O): O;
}

/** What a schedule may know of the rest of the pruner (the N:M staircase reads the pattern's n and m). */
export interface ScheduleContext {
  pattern: { name: string; [k: string]: unknown };
}

/** Schedule: when masks change, and the global sparsity at step t (t = training steps completed). */
export interface Schedule<O = unknown> extends PieceInfo<O> {
  /** Whether the sparsity passes between 0 and the target during training (cubic, the N:M staircase). */
  gradual?: boolean;
  isUpdateStep(step: number, totalSteps: number, options: O, ctx?: ScheduleContext): boolean;
  /**
   * The steps of 1..totalSteps at which isUpdateStep holds, in order, without visiting the others: for checks
   * that count updates before a trial of any length trains. Absent: those checks ask isUpdateStep of every step.
   */
  updateSteps?(totalSteps: number, options: O, ctx?: ScheduleContext): Iterable<number>;
  sparsityAt(step: number, totalSteps: number, target: number, options: O, ctx?: ScheduleContext): number;
  /**
   * Fraction of the active weights a drop/grow algorithm replaces at an update step (SET, RigL), or absent
   * when the schedule has no such notion. It anneals: never higher at a later step (checks rely on it to stop
   * counting updates once it reaches 0).
   */
  updateFraction?(step: number, totalSteps: number, options: O): number;
  /** Patterns this schedule works with (registry names); absent = all. */
  patterns?: readonly string[];
}

/** One layer's data at a mask update. */
export interface LayerState {
  ref: LayerRef;
  /** Master weights: masked under hard application, dense under soft application (STE family). */
  weights: Float32Array;
  /** Gradient of the loss w.r.t. the weights at this step; present when the algorithm asks for it. */
  grads: Float32Array | null;
  mask: Mask;
  /** Sparsity this layer must have after the update (from schedule × distribution). */
  target: number;
}

/** What an algorithm sees at a mask update. */
export interface UpdateContext<O> {
  step: number;
  totalSteps: number;
  layers: LayerState[];
  /** Turns scores into a mask under the trial's pattern. */
  select(scores: Float32Array, shape: [number, number], sparsity: number): Mask;
  rng: Rng;
  options: O;
  /** The algorithm's own state from the previous update (JSON-serialisable). */
  state: unknown;
  /** The schedule's drop/grow fraction at this step, when it has one (periodic). */
  updateFraction?: number;
}

/** What an algorithm returns at a mask update. */
export interface AlgorithmUpdate {
  masks: Mask[];
  /**
   * Per layer, weights newly grown (mask 0 → 1), or null. The trainer sets them to zero and resets their
   * optimiser moments, as drop/grow methods require (RigL, SET).
   */
  regrown?: (Mask | null)[];
  state?: unknown;
  /**
   * Per layer, a pruned count the algorithm legitimately holds instead of the schedule's, or null. Only
   * sparser than scheduled, by less than one weight per output neuron (SRigL's neuron ablation leaves the
   * remainder of k·n_out / n_active unassigned). The Pruner checks the mask against this count instead.
   */
  pruned?: (number | null)[];
}

/** What an algorithm sees before the first step. */
export interface InitContext<O> {
  totalSteps: number;
  layers: { ref: LayerRef; weights: Float32Array; target: number }[];
  select(scores: Float32Array, shape: [number, number], sparsity: number): Mask;
  rng: Rng;
  options: O;
}

/**
 * Algorithm: how weights are scored, dropped and grown. Composed with a pattern, distribution and
 * schedule into a {@link Pruner}.
 */
export interface Algorithm<O = unknown> extends PieceInfo<O> {
  /** Paper the method comes from. */
  paper: string;
  /** Schedule used when the config names none. */
  defaultSchedule: { name: string; [k: string]: unknown };
  /** Whether `update` needs gradients (the trainer computes them at update steps only). */
  needsGradients: boolean;
  /**
   * On its update steps the optimiser step is skipped: the masks change from the weights as they stood and that
   * step's gradient, and no weight, moment or Adam step count moves (RigL's Algorithm 1, Evci et al. 2020,
   * https://arxiv.org/abs/1911.11134; JaxPruner's `skip_gradients`, on for SET and RigL). Not where the update
   * replaces no weight (drop fraction 0). Absent = the optimiser steps first and the masks change from the updated
   * weights (gradual magnitude pruning).
   */
  skipsOptimizerOnUpdate?: boolean;
  /** Masks before the first step (e.g. all ones for gradual pruning, random for static sparse). */
  init(ctx: InitContext<O>): { masks: Mask[]; state?: unknown };
  update(ctx: UpdateContext<O>): AlgorithmUpdate;
  /** Patterns it works with (registry names); absent = every pattern. */
  patterns?: readonly string[];
  /** Schedules it works with (registry names); absent = every schedule. */
  schedules?: readonly string[];
  /**
   * Ranks weights across layers (global magnitude): per-layer counts are the algorithm's choice, so the
   * Pruner checks the total over layers instead of each layer.
   */
  globalRanking?: boolean;
  /** How the trainer applies the masks; absent = hard masking (weights zeroed after every step). */
  application?: MaskApplication<O>;
  /** Why these options cannot serve this trial (e.g. global ranking with pruned embeddings), or null. */
  incompatibility?(ctx: {
    distribution: { name: string; [k: string]: unknown };
    options: O;
  }): { key: 'distribution' | 'options'; message: string } | null;
  /**
   * Starting weights instead of the model's random initialisation (pruning a pretrained dense model), by
   * parameter name. Called once before training; the trainer checks names and shapes.
   */
  initialWeights?(options: O): ReadonlyMap<string, Float32Array>;
  /**
   * Why these options do not fit the model's prunable layers, or the model itself (its spec and every parameter,
   * when the caller knows them), checked when the trial is planned; or null.
   */
  layerMismatch?(layers: readonly LayerRef[], options: O, model?: PlannedModel): string | null;
}

/** The model a trial is planned with: its spec (family and shape) and every parameter, embeddings and norms too. */
export interface PlannedModel {
  spec: object;
  params: readonly { name: string; shape: readonly number[] }[];
}

/**
 * Soft mask application (STE family): the master weights stay dense and receive every gradient
 * (straight-through); the forward pass sees w ⊙ (m + β(1 − m)). β = 0 is plain STE. At the end of training
 * the masks are applied hard, so the final weights are exactly sparse.
 */
export interface MaskApplication<O = unknown> {
  mode: 'soft';
  /** β after `step` completed steps (mask decay); absent = 0. */
  prunedScale?(step: number, totalSteps: number, options: O): number;
  /** λ of SR-STE: λ·(1 − m) ⊙ w is added to the gradient of the pruned weights; absent = 0. */
  prunedDecay?(options: O): number;
}
