import type { Rng } from '../../util/rng.js';
import type { Algorithm, AlgorithmUpdate, InitContext, LayerState, Mask, UpdateContext } from '../types.js';

/**
 * The shared step of every score-based pruner (JaxPruner's base): score each weight, keep the best under
 * the pattern at the layer's target sparsity. Weights already pruned score −∞, so pruning only tightens
 * (gradual pruning never revives a weight).
 */
export function pruneByScore<O>(
  ctx: UpdateContext<O>,
  score: (layer: LayerState) => Float32Array,
): AlgorithmUpdate {
  const masks: Mask[] = ctx.layers.map((layer) =>
    ctx.select(excludePruned(score(layer), layer.mask), layer.ref.shape, layer.target),
  );
  return { masks };
}

/**
 * Sets the score of every weight the mask has pruned to −∞, in place, and returns the scores. A top-level
 * function rather than a loop inside a pruner's per-update callback: V8 optimised such a loop anew for every
 * fresh closure (~10 ms of compile on a helper thread each, 0.75 s per 8-trial sweep), and this one once.
 */
export function excludePruned(scores: Float32Array, mask: Mask): Float32Array {
  for (let i = 0; i < scores.length; i++) if (mask[i] === 0) scores[i] = Number.NEGATIVE_INFINITY;
  return scores;
}

/** |w|: the magnitude score. w = [0.1, −0.9] → [0.1, 0.9]. */
export function magnitudeScores(layer: { weights: Float32Array }): Float32Array {
  const out = new Float32Array(layer.weights.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.abs(layer.weights[i]);
  return out;
}

/** Uniform random scores in [0, 1): random pruning and SET's random growth. */
export function randomScores(n: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.uniform();
  return out;
}

/** All-ones masks, one per layer: the start of dense and gradual training. */
export function denseMasks(layers: readonly { ref: { shape: [number, number] } }[]): Mask[] {
  return layers.map((l) => new Uint8Array(l.ref.shape[0] * l.ref.shape[1]).fill(1));
}

/**
 * Initial masks of a pruner that starts dense: all ones, unless the schedule already asks for sparsity
 * before the first step (one-shot at 0, schedule none); those layers are pruned by magnitude now, since no
 * gradient exists yet.
 */
export function denseStart<O>({ layers, select }: InitContext<O>): { masks: Mask[] } {
  return {
    masks: layers.map((l) =>
      l.target > 0
        ? select(magnitudeScores(l), l.ref.shape, l.target)
        : new Uint8Array(l.ref.shape[0] * l.ref.shape[1]).fill(1),
    ),
  };
}

/** What distinguishes one score-based pruner from another. */
export interface ScorePrunerDef<O> extends Pick<Algorithm<O>, 'name' | 'summary' | 'paper' | 'options'> {
  defaultSchedule: Algorithm<O>['defaultSchedule'];
  /** Per-weight score; higher is kept. Receives gradients when `needsGradients`. */
  score: (layer: LayerState) => Float32Array;
  needsGradients?: boolean;
}

/**
 * A pruner that is only a score (JaxPruner's design: magnitude pruning is "score = |w|", and gradual versus
 * one-shot is the schedule's business): dense start, and at every scheduled update the lowest scores of each
 * layer are zeroed until it reaches the schedule's sparsity. Works with every pattern and distribution.
 */
export function scorePruner<O>(def: ScorePrunerDef<O>): Algorithm<O> {
  return {
    name: def.name,
    summary: def.summary,
    paper: def.paper,
    options: def.options,
    defaultSchedule: def.defaultSchedule,
    needsGradients: def.needsGradients ?? false,
    init: denseStart,
    update: (ctx) => pruneByScore(ctx, def.score),
  };
}
