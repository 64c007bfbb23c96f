import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cubic } from '../../src/sparsity/schedules/cubic.js';
import { nmStaircase, staircaseLevels } from '../../src/sparsity/schedules/nm-staircase.js';
import { oneShot } from '../../src/sparsity/schedules/one-shot.js';
import { periodic } from '../../src/sparsity/schedules/periodic.js';

const steps = (total: number, f: (t: number) => boolean) =>
  Array.from({ length: total + 1 }, (_, t) => t).filter(f);

describe('one-shot schedule', () => {
  it('is dense before `at` and at the target from it, with one update', () => {
    const o = { at: 0.25 };
    expect(oneShot.sparsityAt(249, 1000, 0.8, o)).toBe(0);
    expect(oneShot.sparsityAt(250, 1000, 0.8, o)).toBe(0.8);
    expect(steps(1000, (t) => oneShot.isUpdateStep(t, 1000, o))).toEqual([250]);
    // at = 0: pruned before the first step (init), no update during training
    expect(oneShot.sparsityAt(0, 1000, 0.8, { at: 0 })).toBe(0.8);
    expect(steps(1000, (t) => oneShot.isUpdateStep(t, 1000, { at: 0 }))).toEqual([]);
  });
});

describe('periodic schedule', () => {
  const o = periodic.options.parse({}) as {
    interval: number;
    end: number;
    drop_fraction: number;
    decay: 'cosine';
  };

  it("has RigL's defaults: ΔT 100, T_end 75%, f0 0.3, cosine", () => {
    expect(o).toEqual({ interval: 100, end: 0.75, drop_fraction: 0.3, decay: 'cosine' });
  });

  it('updates every ΔT until T_end at constant sparsity', () => {
    expect(steps(1000, (t) => periodic.isUpdateStep(t, 1000, o))).toEqual([
      100, 200, 300, 400, 500, 600, 700,
    ]);
    expect(periodic.sparsityAt(0, 1000, 0.9, o)).toBe(0.9);
  });

  it('decays the update fraction as f0/2·(1 + cos(π t/T_end))', () => {
    // T_end = 750: t = 0 → 0.3; t = 375 → 0.15; t = 250 → 0.15·(1 + cos(π/3)) = 0.225; t = 750 → 0
    expect(periodic.updateFraction!(0, 1000, o)).toBeCloseTo(0.3, 12);
    expect(periodic.updateFraction!(375, 1000, o)).toBeCloseTo(0.15, 12);
    expect(periodic.updateFraction!(250, 1000, o)).toBeCloseTo(0.225, 12);
    expect(periodic.updateFraction!(750, 1000, o)).toBeCloseTo(0, 12);
    expect(periodic.updateFraction!(250, 1000, { ...o, decay: 'constant' })).toBe(0.3);
  });

  it('replaces nothing on the last step, where grown weights could not train', () => {
    const untilEnd = { ...o, end: 1, decay: 'constant' as const };
    expect(periodic.updateFraction!(900, 1000, untilEnd)).toBe(0.3);
    expect(periodic.updateFraction!(1000, 1000, untilEnd)).toBe(0);
  });
});

describe('N:M staircase (structure decay)', () => {
  it('halves the kept count from (m − 1):m down to n:m', () => {
    expect(staircaseLevels(2, 4)).toEqual([3, 2]);
    expect(staircaseLevels(1, 4)).toEqual([3, 2, 1]);
    expect(staircaseLevels(1, 8)).toEqual([7, 4, 2, 1]);
    expect(staircaseLevels(3, 8)).toEqual([7, 4, 3]);
    expect(staircaseLevels(3, 4)).toEqual([3]);
  });

  it('walks the levels in equal frames from start to end, then holds n:m', () => {
    const o = { start: 0.1, end: 0.7, interval: 50 };
    const ctx = { pattern: { name: 'nm', n: 1, m: 8 } };
    const at = (t: number) => nmStaircase.sparsityAt(t, 1000, 7 / 8, o, ctx);
    // dense to 100; frames of 200 steps: 7:8 [100, 300), 4:8 [300, 500), 2:8 [500, 700); 1:8 from 700
    expect(at(99)).toBe(0);
    expect(at(100)).toBeCloseTo(1 / 8, 12);
    expect(at(299)).toBeCloseTo(1 / 8, 12);
    expect(at(300)).toBeCloseTo(0.5, 12);
    expect(at(500)).toBeCloseTo(0.75, 12);
    expect(at(700)).toBe(7 / 8);
    // updates every interval from start, and at every level change
    const ups = steps(1000, (t) => nmStaircase.isUpdateStep(t, 1000, o, ctx));
    expect(ups.slice(0, 5)).toEqual([100, 150, 200, 250, 300]);
    expect(ups).toContain(700);
    expect(() => nmStaircase.sparsityAt(5, 10, 0.5, o, { pattern: { name: 'unstructured' } })).toThrow(
      /pattern nm/,
    );
  });
});

describe('listed update steps', () => {
  it('are exactly the steps isUpdateStep accepts (cubic, periodic; property)', () => {
    const fraction = fc.double({ min: 0, max: 1, noNaN: true });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 600 }),
        fraction,
        fraction,
        fc.integer({ min: 1, max: 120 }),
        (total, a, b, interval) => {
          const c = { start: Math.min(a, b), end: Math.max(a, b), interval };
          expect([...cubic.updateSteps!(total, c)]).toEqual(
            steps(total, (t) => cubic.isUpdateStep(t, total, c)),
          );
          const p = { interval, end: b, drop_fraction: 0.3, decay: 'cosine' as const };
          expect([...periodic.updateSteps!(total, p)]).toEqual(
            steps(total, (t) => periodic.isUpdateStep(t, total, p)),
          );
          // its drop fraction anneals, under either decay: never higher at a later step
          for (const decay of ['cosine', 'constant'] as const) {
            const f = steps(total, () => true).map((t) =>
              periodic.updateFraction!(t, total, { ...p, decay }),
            );
            expect(f.every((x, i) => i === 0 || x <= f[i - 1])).toBe(true);
          }
        },
      ),
    );
  });
});
