import { describe, expect, it } from 'vitest';
import { maskUpdates, scheduleWarnings, skippedStepsWarning } from '../../src/sparsity/schedule-check.js';
import { resolvePrunerSpec } from '../../src/sparsity/spec.js';

const trial = (
  name: string,
  steps: number,
  schedule: Record<string, unknown> = {},
  id = 'abcdef0123456789',
) => ({
  id,
  spec: { steps, pruner: resolvePrunerSpec({ name, options: {}, schedule }, 0.75) },
});

describe('schedule check', () => {
  it('counts a trial of any length at once, stopping at atMost', () => {
    // 1e15 steps: a scan of every step would never end; cubic and periodic list their update steps
    expect(maskUpdates(trial('gmp', 1e15).spec.pruner, 1e15, 3)).toBe(3);
    expect(maskUpdates(trial('rigl', 1e15).spec.pruner, 1e15, 3)).toBe(3);
    expect(scheduleWarnings([trial('gmp', 1e15), trial('rigl', 1e15)])).toEqual([]);
    // none of RigL's updates replaces anything with f0 = 0: counted at once too
    expect(maskUpdates(trial('rigl', 1e15, { drop_fraction: 0 }).spec.pruner, 1e15, 3)).toBe(0);
  });

  it('counts the mask updates of a schedule that can change a mask (hand cases)', () => {
    // cubic 25%-75% of 62 steps = steps 16..47 (rounded 15.5 → 16, 46.5 → 47): at 16, where s = 0 and nothing
    // is pruned, and at the end, 47: one that prunes
    expect(maskUpdates(trial('gmp', 62).spec.pruner, 62)).toBe(1);
    // interval 5 from 16: 16 (s = 0), 21, ..., 46 (6) and 47
    expect(maskUpdates(trial('gmp', 62, { interval: 5 }).spec.pruner, 62)).toBe(7);
    // periodic every 100 steps until 75%: none in 62 steps, 7 in 1000 (100..700, f > 0 at each)
    expect(maskUpdates(trial('rigl', 62).spec.pruner, 62)).toBe(0);
    expect(maskUpdates(trial('rigl', 1000).spec.pruner, 1000)).toBe(7);
    // 400 steps: T_end = 300, updates at 100, 200 and 300, where the cosine has decayed f to 0
    expect(maskUpdates(trial('rigl', 400).spec.pruner, 400)).toBe(2);
    // the same with constant decay and T_end = 100%: 100, 200, 300, and none on the last step, 400
    expect(maskUpdates(trial('rigl', 400, { end: 1, decay: 'constant' }).spec.pruner, 400)).toBe(3);
    // STE recomputes its masks every step at a fixed sparsity: each update counts
    expect(maskUpdates(trial('ste', 10).spec.pruner, 10)).toBe(10);
    // RigL replacing nothing (f0 = 0) trains a static mask
    expect(maskUpdates(trial('rigl', 1000, { drop_fraction: 0 }).spec.pruner, 1000)).toBe(0);
  });

  it('warns once per schedule, naming the worst trial and the key to change', () => {
    const w = scheduleWarnings([
      trial('rigl', 62, {}, 'aaaaaaaa00000000'),
      trial('rigl', 250, {}, 'bbbbbbbb00000000'), // updates at 100 only: 1
      trial('rigl', 1000, {}, 'cccccccc00000000'),
      trial('gmp', 62, {}, 'dddddddd00000000'),
      trial('gmp', 62, { interval: 5 }, 'eeeeeeee00000000'),
    ]);
    expect(w).toHaveLength(2);
    expect(w[0]).toMatch(
      /^2 trials get fewer than 3 mask updates that change anything from the periodic schedule \(aaaaaaaa: 0 in 62 steps/,
    );
    expect(w[0]).toMatch(
      /never change.*pruner\.schedule\.interval lower \(each rigl update replaces an optimizer step: keep them under 5% of the steps\)/,
    );
    expect(w[1]).toMatch(
      /^1 trial gets fewer than 3 mask updates that change anything from the cubic schedule \(dddddddd: 1 in 62 steps at interval 100\)/,
    );
    expect(scheduleWarnings([trial('gmp', 62, { interval: 5 }), trial('static', 10)])).toEqual([]);
  });

  it('warns of drop/grow updates that replace more than 5% of the optimizer steps, which D still counts', () => {
    // interval 1 over 156 steps: T_end 117, cosine f > 0 at steps 1..116: 116 skipped (74%)
    expect(maskUpdates(trial('rigl', 156, { interval: 1 }).spec.pruner, 156)).toBe(116);
    const w = skippedStepsWarning([
      trial('rigl', 156, { interval: 1 }, 'aaaaaaaa00000000'),
      trial('set', 1000, { interval: 10 }, 'bbbbbbbb00000000'), // 74 of 1000 (7.4%)
      trial('rigl', 1000, { interval: 20 }, 'cccccccc00000000'), // 37 of 1000: within
      trial('gmp', 156, { interval: 1 }, 'dddddddd00000000'), // the optimizer steps at every gmp update
    ]);
    expect(w).toBe(
      "2 trials spend more than 5% of their steps on mask updates that replace the optimizer's step (aaaaaaaa, rigl: 116 of 156 steps at interval 1, as in RigL's Algorithm 1): " +
        "D counts those steps' tokens, though they move no weight, so they train on up to 74% less data than D says; set pruner.schedule.interval higher (RigL uses 100), or train longer",
    );
    // RigL's own ΔT = 100 and T_end 75%: under 1%; no update replaces anything with f0 = 0
    expect(skippedStepsWarning([trial('rigl', 1000), trial('set', 1e6)])).toBeNull();
    expect(skippedStepsWarning([trial('rigl', 156, { interval: 1, drop_fraction: 0 })])).toBeNull();
  });
});
