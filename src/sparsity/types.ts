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
}

/** Distribution: how one global sparsity spreads over layers. Returns a sparsity per layer, same order. */
export interface Distribution<O = unknown> extends PieceInfo<O> {
  allocate(layers: readonly LayerRef[], sparsity: number, options: O): number[];
}

/** Schedule: when masks change, and the global sparsity at step t (t = optimizer steps completed). */
export interface Schedule<O = unknown> extends PieceInfo<O> {
  isUpdateStep(step: number, totalSteps: number, options: O): boolean;
  sparsityAt(step: number, totalSteps: number, target: number, options: O): number;
}

/** One layer's data at a mask update. */
export interface LayerState {
  ref: LayerRef;
  /** Current (masked) weights. */
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
  /** Masks before the first step (e.g. all ones for gradual pruning, random for static sparse). */
  init(ctx: InitContext<O>): { masks: Mask[]; state?: unknown };
  update(ctx: UpdateContext<O>): AlgorithmUpdate;
}
