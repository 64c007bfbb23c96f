import { describe, expect, it } from 'vitest';
import { cubic } from '../../src/sparsity/schedules/cubic.js';

const o = { start: 0.25, end: 0.75, interval: 100 };

describe('cubic schedule (Zhu & Gupta)', () => {
  it('is 0 at the start, S·(1 − 0.5³) in the middle and S at the end', () => {
    // 1000 steps: t_start = 250, t_end = 750, middle = 500 (p = 0.5)
    expect(cubic.sparsityAt(0, 1000, 0.8, o)).toBe(0);
    expect(cubic.sparsityAt(250, 1000, 0.8, o)).toBe(0);
    expect(cubic.sparsityAt(500, 1000, 0.8, o)).toBeCloseTo(0.8 * (1 - 0.125), 12);
    expect(cubic.sparsityAt(750, 1000, 0.8, o)).toBe(0.8);
    expect(cubic.sparsityAt(1000, 1000, 0.8, o)).toBe(0.8);
    // p = 0.2 at t = 350: 0.8 · (1 − 0.8³) = 0.3904
    expect(cubic.sparsityAt(350, 1000, 0.8, o)).toBeCloseTo(0.3904, 12);
  });

  it('updates every interval from start, and always at the end', () => {
    const updates = Array.from({ length: 1001 }, (_, t) => t).filter((t) => cubic.isUpdateStep(t, 1000, o));
    expect(updates).toEqual([250, 350, 450, 550, 650, 750]);
    const odd = Array.from({ length: 331 }, (_, t) => t).filter((t) =>
      cubic.isUpdateStep(t, 330, { ...o, interval: 60 }),
    );
    // t_start = round(82.5) = 83, t_end = round(247.5) = 248
    expect(odd).toEqual([83, 143, 203, 248]);
  });

  it('rejects end before start', () => {
    expect(cubic.options.safeParse({ start: 0.6, end: 0.5 }).success).toBe(false);
    expect(cubic.options.parse({})).toEqual(o);
  });
});
