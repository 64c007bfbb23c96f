import { f32 } from '../arrays.js';
import { topKMask } from '../top-k.js';
import type { AlgorithmUpdate, LayerState, Mask, UpdateContext } from '../types.js';

/** Active weights to drop at fraction f: floor(f · active), as RigL's reference code. */
export function dropCount(active: number, fraction: number): number {
  return Math.floor(active * fraction);
}

/**
 * Drop: of the active weights, keep the `keep` largest |w| (inactive ones never count as kept).
 * w = [0.1, 0.9, −0.2, 0.5], mask = [1, 1, 1, 0], keep 2 → [0, 1, 1, 0].
 */
export function dropSmallest(weights: Float32Array, mask: Mask, keep: number): Mask {
  const s = new Float32Array(weights.length);
  for (let i = 0; i < s.length; i++) s[i] = mask[i] ? Math.abs(weights[i]) : Number.NEGATIVE_INFINITY;
  return topKMask(s, keep);
}

/**
 * One drop/grow update of a layer (SET and RigL; JaxPruner's and RigL's reference scheme): drop the fraction f
 * of active weights with the smallest |w|, then grow under the trial's pattern back to the layer's count,
 * the survivors first and then the highest grow scores among every other weight (just-dropped ones
 * included). `regrown` marks weights active now that were not before: the trainer zeroes them and resets
 * their optimiser moments.
 */
export function dropGrowLayer<O>(
  ctx: UpdateContext<O>,
  layer: LayerState,
  fraction: number,
  growScores: Float32Array,
): { mask: Mask; regrown: Mask } {
  let active = 0;
  for (let i = 0; i < layer.mask.length; i++) active += layer.mask[i];
  const survivors = dropSmallest(layer.weights, layer.mask, active - dropCount(active, fraction));
  const lifted = f32(growScores.length, (i) => (survivors[i] ? Number.POSITIVE_INFINITY : growScores[i]));
  const mask = ctx.select(lifted, layer.ref.shape, layer.target);
  const regrown = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) regrown[i] = mask[i] & (1 - layer.mask[i]);
  return { mask, regrown };
}

/** Drop/grow on every layer with the schedule's update fraction; layers at target 0 are left alone. */
export function dropGrow<O>(
  ctx: UpdateContext<O>,
  growScores: (layer: LayerState) => Float32Array,
): AlgorithmUpdate {
  const fraction = ctx.updateFraction ?? 0;
  const masks: Mask[] = [];
  const regrown: (Mask | null)[] = [];
  for (const layer of ctx.layers) {
    if (layer.target <= 0 || fraction <= 0) {
      masks.push(layer.mask);
      regrown.push(null);
      continue;
    }
    const out = dropGrowLayer(ctx, layer, fraction, growScores(layer));
    masks.push(out.mask);
    regrown.push(out.regrown);
  }
  return { masks, regrown };
}
