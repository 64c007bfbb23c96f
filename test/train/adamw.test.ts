import { describe, expect, it } from 'vitest';
import { adamwUpdate, clipScale, initAdamW, resetMoments } from '../../src/train/adamw.js';
import { lrAt, warmupSteps } from '../../src/train/lr-schedule.js';

const o = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.1 };

describe('adamw', () => {
  it('takes a hand-computed first step', () => {
    // t = 1: m̂ = g, v̂ = g², so the step is lr · g/(|g| + ε) ≈ lr · sign(g); decay shrinks w by lr·λ first
    const w = Float32Array.from([1, -2, 0.5]);
    const g = Float32Array.from([0.3, -0.1, 0]);
    const slot = initAdamW(new Map([['w', 3]])).slots.get('w')!;
    adamwUpdate(w, g, slot, 1, 0.01, o, true);
    expect(w[0]).toBeCloseTo(1 * (1 - 0.001) - 0.01, 6);
    expect(w[1]).toBeCloseTo(-2 * (1 - 0.001) + 0.01, 6);
    expect(w[2]).toBeCloseTo(0.5 * (1 - 0.001), 6);
    expect(slot.m[0]).toBeCloseTo(0.03, 7);
    expect(slot.v[0]).toBeCloseTo(0.001 * 0.09, 9);
  });

  it('skips decay where told and resets moments of regrown weights', () => {
    const w = Float32Array.from([1]);
    const slot = { m: Float32Array.from([0.5, 0.5]), v: Float32Array.from([1, 1]) };
    adamwUpdate(
      w,
      Float32Array.from([0]),
      { m: new Float32Array(1), v: new Float32Array(1) },
      1,
      0.01,
      o,
      false,
    );
    expect(w[0]).toBe(1);
    resetMoments(slot, Uint8Array.from([0, 1]));
    expect([...slot.m]).toEqual([0.5, 0]);
    expect([...slot.v]).toEqual([1, 0]);
  });

  it('clips the global norm', () => {
    const grads = [Float32Array.from([3]), Float32Array.from([4])];
    expect(clipScale(grads, 10)).toEqual({ scale: 1, norm: 5 });
    expect(clipScale(grads, 1).scale).toBeCloseTo(0.2, 6);
    expect(clipScale(grads, null).scale).toBe(1);
  });

  it("leaves a pruned weight's gradient out of the norm", () => {
    // live entries 3 and 4 (norm 5); the pruned 12 would make it 13
    const terms = [
      { grad: Float32Array.from([3, 12]), mask: Uint8Array.from([1, 0]) },
      { grad: Float32Array.from([4]), mask: null },
    ];
    expect(clipScale(terms, 10)).toEqual({ scale: 1, norm: 5 });
    expect(clipScale(terms, 1).scale).toBeCloseTo(0.2, 6);
    expect(clipScale([Float32Array.from([3, 12]), Float32Array.from([4])], 20).norm).toBe(13);
  });
});

describe('lr schedule', () => {
  const s = { name: 'cosine' as const, warmup: 0.1, min_lr_ratio: 0.1 };
  it('warms up linearly, then decays by cosine to min_lr at the last step', () => {
    expect(warmupSteps(100, s)).toBe(10);
    expect(lrAt(0, 100, 1, s)).toBeCloseTo(0.1, 12);
    expect(lrAt(9, 100, 1, s)).toBeCloseTo(1, 12);
    expect(lrAt(10, 100, 1, s)).toBeCloseTo(1, 12);
    expect(lrAt(99, 100, 1, s)).toBeCloseTo(0.1, 12);
    // halfway through the decay: min + (1 − min)/2
    expect(lrAt(10 + 44.5, 100, 1, s)).toBeCloseTo(0.55, 12);
    expect(warmupSteps(100, { ...s, warmup: 25 })).toBe(25);
    // 1 and above count steps: warmup 1 is one step, not all of training
    expect(warmupSteps(100, { ...s, warmup: 1 })).toBe(1);
    expect(lrAt(1, 100, 1, { ...s, warmup: 1 })).toBeCloseTo(1, 12);
  });
});
