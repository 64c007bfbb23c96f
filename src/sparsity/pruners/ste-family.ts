import type { AlgorithmUpdate, InitContext, Mask, UpdateContext } from '../types.js';
import { magnitudeScores } from './score-pruning.js';

/**
 * The mask of every straight-through method: the largest |w| of the dense master weights under the pattern
 * at the layer's target, recomputed from scratch (pruned weights keep learning and may come back).
 */
export function steUpdate<O>(ctx: UpdateContext<O>): AlgorithmUpdate {
  return { masks: ctx.layers.map((l) => ctx.select(magnitudeScores(l), l.ref.shape, l.target)) };
}

/** Initial masks of a straight-through method: magnitude under the pattern where the target is above 0. */
export function steInit<O>({ layers, select }: InitContext<O>): { masks: Mask[] } {
  return {
    masks: layers.map((l) =>
      l.target > 0
        ? select(magnitudeScores(l), l.ref.shape, l.target)
        : new Uint8Array(l.ref.shape[0] * l.ref.shape[1]).fill(1),
    ),
  };
}

/**
 * Masks recomputed every step until the end, at the target from the start, no drop/grow fraction: SR-STE and
 * Kao et al. recompute the N:M mask from the dense weights at every iteration.
 */
export const EVERY_STEP = { name: 'periodic', interval: 1, end: 1, drop_fraction: 0 } as const;
