import { describe, expect, it } from 'vitest';
import { DIVERGED_STEPS, divergenceWatch } from '../../src/train/divergence.js';

/** The step at which a watch over these losses (steps 1, 2, ...) fails, and its message; null when none. */
function firstFailure(losses: number[], bound = 2 * Math.log(3), outputs = 'classes') {
  const watch = divergenceWatch(bound, losses.length, outputs);
  for (const [i, loss] of losses.entries()) {
    const message = watch.check(loss, i + 1);
    if (message) return { step: i + 1, message };
  }
  return null;
}

describe('divergence', () => {
  it("lets one batch's spike above 2 ln K pass when the loss comes back (a 3-class trial that recovered)", () => {
    // the measured curve of a 3-class vit: 2 ln 3 = 2.197, passed once at step 4
    expect(firstFailure([0.283, 0.437, 1.585, 2.261, 0.499, 0.423, 0.4, 0.3])).toBeNull();
  });

  it(`fails a loss that stays above it for ${DIVERGED_STEPS} steps in a row, naming where the run began`, () => {
    const losses = [1, 1, ...Array(DIVERGED_STEPS + 5).fill(5)];
    expect(firstFailure(losses, 2 * Math.log(256), 'vocab')).toBeNull(); // 5 < 2 ln 256 = 11.09
    const r = firstFailure(losses);
    expect(r).toEqual({
      step: 2 + DIVERGED_STEPS,
      message: `diverged: training loss 5.000 at step ${2 + DIVERGED_STEPS} is above 2 ln(classes) = 2.197, twice that of uniform guessing, for ${DIVERGED_STEPS} steps in a row, from step 3`,
    });
  });

  it('starts the count again after a step below the bound', () => {
    const high = Array(DIVERGED_STEPS - 1).fill(5);
    expect(firstFailure([...high, 1, ...high, 1])).toBeNull();
  });

  it('fails a loss that is not finite at once, and one above the bound for the last 3 steps, not a last spike', () => {
    expect(firstFailure([1, Number.NaN, 1])).toEqual({ step: 2, message: 'training loss is NaN at step 2' });
    // one noisy last batch, or two, are a spike
    expect(firstFailure([1, 1, 1, 5])).toBeNull();
    expect(firstFailure([1, 1, 5, 5])).toBeNull();
    expect(firstFailure([1, 5, 5, 5])).toEqual({
      step: 4,
      message:
        'diverged: training loss 5.000 at step 4 is above 2 ln(classes) = 2.197, twice that of uniform guessing, for 3 steps in a row, from step 2, to its end',
    });
    // a trial shorter than that: all of it above
    expect(firstFailure([5, 5])?.message).toMatch(/for 2 steps in a row, from step 1, to its end$/);
    expect(firstFailure([5])?.message).toMatch(/at its only step$/);
  });

  it('counts a run above the bound that a stop cut in two whole, from the run start a checkpoint kept', () => {
    const bound = 2 * Math.log(3);
    const before = divergenceWatch(bound, 30, 'classes');
    for (let step = 1; step <= 6; step++) expect(before.check(step < 3 ? 1 : 5, step)).toBeNull();
    expect(before.runStart).toBe(3);
    // resumed after step 6: steps 7-11 complete the run of 10 that began at step 3
    const after = divergenceWatch(bound, 30, 'classes', before.runStart);
    for (let step = 7; step <= 11; step++) expect(after.check(5, step)).toBeNull();
    expect(after.check(5, 12)).toMatch(/for 10 steps in a row, from step 3$/);
    // a watch started afresh would have let it run on
    expect(divergenceWatch(bound, 30, 'classes').check(5, 12)).toBeNull();
  });
});
