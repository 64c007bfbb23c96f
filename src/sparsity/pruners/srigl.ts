import { z } from 'zod';
import { f32, i32, u8 } from '../arrays.js';
import { fanIn, topKPerColumn } from '../patterns/constant-fan-in.js';
import { countPruned } from '../top-k.js';
import type { Algorithm, LayerState, Mask, UpdateContext } from '../types.js';
import { dropCount, dropSmallest } from './drop-grow.js';
import { fanInAfterAblation, neuronsToAblate, salientPerColumn } from './neuron-ablation.js';
import { gradientMagnitude, rigl } from './rigl.js';

/** SRigL's options. */
export interface SriglOptions {
  /**
   * γ_sal: a neuron with fewer than max(1, floor(γ·k)) salient weights is ablated (γ·k rounded down, as the
   * authors' implementation does); 0 turns ablation off.
   */
  ablation_threshold: number;
}

function updateLayer(
  ctx: UpdateContext<SriglOptions>,
  layer: LayerState,
): { mask: Mask; regrown: Mask; pruned: number } {
  const [nIn, nOut] = layer.ref.shape;
  const size = nIn * nOut;
  const budget = nOut * fanIn(nIn, layer.target); // the constant fan-in count of the schedule's target
  let active = 0;
  for (let i = 0; i < size; i++) active += layer.mask[i];
  const keep = active - dropCount(active, ctx.updateFraction ?? 0);
  const grow = gradientMagnitude(layer);
  const drop = f32(size, (i) => (layer.mask[i] ? Math.abs(layer.weights[i]) : Number.NEGATIVE_INFINITY));
  const k = fanIn(nIn, layer.target);
  const threshold = ablationThreshold(ctx.options.ablation_threshold, k);
  const ablated =
    ctx.options.ablation_threshold > 0
      ? neuronsToAblate(
          salientPerColumn(layer.ref.shape, drop, keep, grow, active - keep),
          threshold,
          budget,
          nIn,
        )
      : new Uint8Array(nOut);
  let alive = 0;
  for (let j = 0; j < nOut; j++) alive += 1 - ablated[j];
  const kNew = fanInAfterAblation(budget, alive, nIn);
  const perColumn = i32(nOut, (j) => (ablated[j] ? 0 : kNew));
  // drop by |w| among the neurons that stay (the authors' code ranks an ablated neuron's weights last, so none of
  // the `keep` survivors is spent on a neuron about to go), then no column keeps more than its new fan-in
  // [n_in, n_out] row-major: entry i is in column i % n_out
  const live = u8(size, (i) => layer.mask[i] & (1 - ablated[i % nOut]));
  let liveActive = 0;
  for (let i = 0; i < size; i++) liveActive += live[i];
  const survivors = dropSmallest(layer.weights, live, Math.min(keep, liveActive));
  const trimmed = topKPerColumn(
    f32(size, (i) => (survivors[i] ? drop[i] : Number.NEGATIVE_INFINITY)),
    layer.ref.shape,
    i32(nOut, (j) => Math.min(perColumn[j], countColumn(survivors, nOut, j))),
  );
  // grow each surviving neuron back to its fan-in by |g|
  const lifted = f32(size, (i) => (trimmed[i] ? Number.POSITIVE_INFINITY : grow[i]));
  const mask = topKPerColumn(lifted, layer.ref.shape, perColumn);
  const regrown = u8(size, (i) => mask[i] & (1 - layer.mask[i]));
  return { mask, regrown, pruned: size - alive * kNew };
}

function countColumn(mask: Mask, cols: number, j: number): number {
  let c = 0;
  for (let i = j; i < mask.length; i += cols) c += mask[i];
  return c;
}

/**
 * The salient weights a neuron needs to stay: ⌊γ_sal · k⌋ of its fan-in k, at least 1 (SRigL, Lasby et al. 2023,
 * https://arxiv.org/abs/2305.02299): γ 0.3 at k 5 is 1, at k 10 it is 3.
 */
export function ablationThreshold(gamma: number, k: number): number {
  return Math.max(1, Math.floor(gamma * k));
}

/**
 * Structured RigL (Lasby et al. 2023, arXiv:2305.02299): RigL under constant fan-in. Drop the smallest |w|
 * layer-wide among the neurons that stay, then regrow each neuron (column) back to k inputs by |g|. Neuron
 * ablation: a neuron with fewer than γ·k salient weights (kept by magnitude or wanted by the gradient) is removed
 * and its share of the layer's k·n_out weights goes to the others, k' = floor(k·n_out / n_active); the layer may
 * then be sparser than scheduled by less than one weight per neuron, which SRigL declares to the Pruner's check.
 */
export const srigl: Algorithm<SriglOptions> = {
  ...(rigl as unknown as Algorithm<SriglOptions>),
  name: 'srigl',
  summary:
    'SRigL: RigL with constant fan-in; neurons with < γ·k salient weights ablated, their weights shared among the rest, rounded down (a layer may end sparser by under one weight per neuron)',
  paper: 'https://arxiv.org/abs/2305.02299',
  options: z.strictObject({
    // γ_sal = 0.3, the paper's setting
    ablation_threshold: z
      .number()
      .min(0)
      .max(1)
      .default(0.3)
      .describe('γ_sal: ablate neurons with fewer than γ·k salient weights; 0 = no ablation'),
  }),
  patterns: ['constant-fan-in'],
  update(ctx) {
    const out = ctx.layers.map((layer) =>
      layer.target <= 0 || (ctx.updateFraction ?? 0) <= 0
        ? { mask: layer.mask, regrown: null, pruned: countPruned(layer.mask) } // as ablation left it
        : updateLayer(ctx, layer),
    );
    return {
      masks: out.map((o) => o.mask),
      regrown: out.map((o) => o.regrown),
      pruned: out.map((o) => o.pruned),
    };
  },
};
