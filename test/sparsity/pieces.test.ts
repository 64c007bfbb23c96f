import { describe, expect, it } from 'vitest';
import { unstructured } from '../../src/sparsity/patterns/unstructured.js';
import { dropCount, dropGrowLayer, dropSmallest } from '../../src/sparsity/pruners/drop-grow.js';
import { globalSelect } from '../../src/sparsity/pruners/global-magnitude.js';
import { maskDecayBeta } from '../../src/sparsity/pruners/mask-decay.js';
import {
  fanInAfterAblation,
  neuronsToAblate,
  salientPerColumn,
} from '../../src/sparsity/pruners/neuron-ablation.js';
import { gradientMagnitude } from '../../src/sparsity/pruners/rigl.js';
import { saliencyScores } from '../../src/sparsity/pruners/saliency.js';
import { magnitudeScores } from '../../src/sparsity/pruners/score-pruning.js';
import { ablationThreshold, srigl } from '../../src/sparsity/pruners/srigl.js';
import type { LayerState, UpdateContext } from '../../src/sparsity/types.js';

const f32 = (xs: number[]) => Float32Array.from(xs);
const u8 = (xs: number[]) => Uint8Array.from(xs);

function layer(weights: number[], mask: number[], grads: number[] | null = null): LayerState {
  return {
    ref: { name: 'l', shape: [weights.length, 1] },
    weights: f32(weights),
    grads: grads ? f32(grads) : null,
    mask: u8(mask),
    target: 0.5,
  };
}

describe('scores', () => {
  it('magnitude: w = [0.1, 0.9, −0.2, 0.5] → [0.1, 0.9, 0.2, 0.5]', () => {
    expect([...magnitudeScores({ weights: f32([0.1, 0.9, -0.2, 0.5]) })]).toEqual([
      ...f32([0.1, 0.9, 0.2, 0.5]),
    ]);
  });

  it('rigl grows by |g|: g = [−0.5, 0.25, 0, −2] → [0.5, 0.25, 0, 2]', () => {
    const s = gradientMagnitude(layer([0, 0, 0, 0], [1, 1, 0, 0], [-0.5, 0.25, 0, -2]));
    expect([...s]).toEqual([0.5, 0.25, 0, 2]);
  });

  it('saliency: |w·g| with g = [1, −0.1, 2, 0] → [0.1, 0.09, 0.4, 0]', () => {
    const s = saliencyScores(layer([0.1, 0.9, -0.2, 0.5], [1, 1, 1, 1], [1, -0.1, 2, 0]));
    // float32 products: close, not equal
    for (const [i, v] of [0.1, 0.09, 0.4, 0].entries()) expect(s[i]).toBeCloseTo(v, 6);
  });
});

describe('drop and grow', () => {
  it("drops floor(f · active) weights, as RigL's reference code", () => {
    expect(dropCount(5, 0.3)).toBe(1);
    expect(dropCount(10, 0.25)).toBe(2);
    expect(dropCount(3, 0.3)).toBe(0);
  });

  it('drops the smallest active |w|; inactive weights never count as kept', () => {
    expect([...dropSmallest(f32([0.1, 0.9, -0.2, 0.5]), u8([1, 1, 1, 0]), 2)]).toEqual([0, 1, 1, 0]);
  });

  it('regrows the best grow scores back to the count, just-dropped weights included (hand case)', () => {
    // active 0, 1, 2; f = 1/3 drops floor(1) = 1: index 0 (|0.1|). Grow scores: index 3 (0.7) wins.
    const ctx = {
      select: (s: Float32Array, shape: [number, number], sp: number) => unstructured.select(s, shape, sp, {}),
    } as unknown as UpdateContext<unknown>;
    const l = layer([0.1, 0.9, -0.2, 0, 0, 0], [1, 1, 1, 0, 0, 0]);
    const out = dropGrowLayer(ctx, l, 1 / 3, f32([0.5, 0, 0, 0.7, 0.2, 0.1]));
    expect([...out.mask]).toEqual([0, 1, 1, 1, 0, 0]);
    expect([...out.regrown]).toEqual([0, 0, 0, 1, 0, 0]);
    // a just-dropped weight with the best grow score comes straight back and is not "regrown"
    const back = dropGrowLayer(ctx, l, 1 / 3, f32([0.9, 0, 0, 0.7, 0.2, 0.1]));
    expect([...back.mask]).toEqual([1, 1, 1, 0, 0, 0]);
    expect([...back.regrown]).toEqual([0, 0, 0, 0, 0, 0]);
    // rigl's own scores: the inactive weight of the largest |g| is regrown though its gradient is negative
    const withGrads = layer([0.1, 0.9, -0.2, 0, 0, 0], [1, 1, 1, 0, 0, 0], [0, 0, 0, 0.3, -0.8, 0.1]);
    const rigl = dropGrowLayer(ctx, withGrads, 1 / 3, gradientMagnitude(withGrads));
    expect([...rigl.mask]).toEqual([0, 1, 1, 0, 1, 0]);
  });
});

describe('global magnitude', () => {
  it('ranks across layers and prunes the total the layers would (hand case)', () => {
    // a: [0.1, 0.9] at 0.5, b: [0.2, 0.5, 0.3, 0.8] at 0.5 → prune 1 + 2 = 3: 0.1, 0.2, 0.3
    const masks = globalSelect([
      { scores: f32([0.1, 0.9]), size: 2, target: 0.5 },
      { scores: f32([0.2, 0.5, 0.3, 0.8]), size: 4, target: 0.5 },
      { scores: f32([0.0, 0.0]), size: 2, target: 0 }, // kept dense, not ranked
    ]);
    expect(masks.map((m) => [...m])).toEqual([
      [0, 1],
      [0, 1, 0, 1],
      [1, 1],
    ]);
  });
});

describe('SRigL neuron ablation', () => {
  it('counts salient weights per neuron: kept by |w| or wanted by |g|', () => {
    // [2, 3] layer, row-major; |w| keeps the 2 largest active: indices 1 (0.9) and 5 (0.8) → columns 1, 2;
    // |g| grows the largest 1: index 4 (0.7) → column 1
    const drop = f32([0.1, 0.9, -Infinity, 0.2, 0.3, 0.8]);
    const grow = f32([0, 0.1, 0.2, 0.3, 0.7, 0.1]);
    expect([...salientPerColumn([2, 3], drop, 2, grow, 1)]).toEqual([0, 2, 1]);
  });

  it('needs floor(γ·k) salient weights of a neuron, at least 1', () => {
    expect(ablationThreshold(0.3, 5)).toBe(1);
    expect(ablationThreshold(0.3, 10)).toBe(3);
    expect(ablationThreshold(0.05, 5)).toBe(1);
    expect(ablationThreshold(1, 2)).toBe(2);
  });

  it('ablates neurons below the threshold, but never so many that the rest cannot hold the budget', () => {
    // threshold 1: column 0 (0 salient) goes; budget 4 in n_in 2 needs at least 2 live neurons
    expect([...neuronsToAblate(Int32Array.from([0, 2, 1]), 1, 4, 2)]).toEqual([1, 0, 0]);
    expect([...neuronsToAblate(Int32Array.from([0, 0, 1]), 2, 4, 2)]).toEqual([1, 0, 0]);
    // the survivors share the budget: 3 neurons × k 2 = 6 over 2 live → k' = 3, capped at n_in
    expect(fanInAfterAblation(6, 2, 4)).toBe(3);
    expect(fanInAfterAblation(7, 2, 4)).toBe(3); // one weight left unassigned: declared to the Pruner
    expect(fanInAfterAblation(6, 1, 4)).toBe(4);
  });

  it("keeps the largest |w| of the neurons that stay, none of an ablated neuron's", () => {
    // [4, 3] layer (index r·3 + c), k 2 per column in rows 0-1; f 0.5 drops 3 of 6, so |w| keeps 3: 0 (0.9, col 0),
    // 1 (0.8) and 4 (0.7); |g| wants 7, 8 and 11 (cols 1, 2, 2). Column 0 has 1 salient weight < γ·k = 2: ablated,
    // and its 1-2 inputs go to the others (k' = 3). Of columns 1-2 the 3 largest |w| are 1, 4 and 2 (0.6), so column
    // 2 keeps 2 and grows 8 and 11; a survivor spent on column 0 would have left 2 to lose to the tiny |g| of 5.
    const ctx = {
      step: 4,
      totalSteps: 100,
      layers: [
        {
          ref: { name: 'l', shape: [4, 3] },
          weights: f32([0.9, 0.8, 0.6, 0.05, 0.7, 0.5, 0, 0, 0, 0, 0, 0]),
          grads: f32([0.01, 0, 0.01, 0, 0, 0.02, 0, 0.9, 0.8, 0, 0, 0.7]),
          mask: u8([1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]),
          target: 0.5,
        },
      ],
      options: { ablation_threshold: 1 },
      state: null,
      updateFraction: 0.5,
    } as unknown as UpdateContext<{ ablation_threshold: number }>;
    const out = srigl.update(ctx);
    expect([...out.masks[0]]).toEqual([0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 0, 1]);
    expect([...out.regrown![0]!]).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1]);
    expect(out.pruned![0]).toBe(12 - 2 * 3);
  });
});

describe('mask decay', () => {
  it('β falls linearly or exponentially from start to end, then is 0 (fine-tuning)', () => {
    const lin = { decay: 'linear' as const, start: 0.2, end: 0.6, rate: 5 };
    expect(maskDecayBeta(100, 1000, lin)).toBe(1);
    expect(maskDecayBeta(200, 1000, lin)).toBe(1);
    expect(maskDecayBeta(300, 1000, lin)).toBeCloseTo(0.75, 12);
    expect(maskDecayBeta(599, 1000, lin)).toBeCloseTo(0.0025, 12);
    expect(maskDecayBeta(600, 1000, lin)).toBe(0);
    const exp = { ...lin, decay: 'exponential' as const };
    expect(maskDecayBeta(400, 1000, exp)).toBeCloseTo(Math.exp(-2.5), 12);
    // the rate given, not the default 5: halfway at rate 2 is e^-1
    expect(maskDecayBeta(400, 1000, { ...exp, rate: 2 })).toBeCloseTo(Math.exp(-1), 12);
  });
});
