import type { AlgorithmUpdate, LayerState, Mask, UpdateContext } from '../types.js';

/**
 * The shared step of every score-based pruner (JaxPruner's base): score each weight, keep the best under
 * the pattern at the layer's target sparsity. Weights already pruned score −∞, so pruning only tightens
 * (gradual pruning never revives a weight).
 */
export function pruneByScore<O>(
  ctx: UpdateContext<O>,
  score: (layer: LayerState) => Float32Array,
): AlgorithmUpdate {
  const masks: Mask[] = ctx.layers.map((layer) => {
    const s = score(layer);
    for (let i = 0; i < s.length; i++) if (layer.mask[i] === 0) s[i] = Number.NEGATIVE_INFINITY;
    return ctx.select(s, layer.ref.shape, layer.target);
  });
  return { masks };
}

/** |w|: the magnitude score. w = [0.1, −0.9] → [0.1, 0.9]. */
export function magnitudeScores(layer: LayerState): Float32Array {
  const out = new Float32Array(layer.weights.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.abs(layer.weights[i]);
  return out;
}

/** All-ones masks, one per layer: the start of dense and gradual training. */
export function denseMasks(layers: readonly { ref: { shape: [number, number] } }[]): Mask[] {
  return layers.map((l) => new Uint8Array(l.ref.shape[0] * l.ref.shape[1]).fill(1));
}
