import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { constantFanIn, fanIn, topKPerColumn } from '../../src/sparsity/patterns/constant-fan-in.js';
import { nm, nmMask } from '../../src/sparsity/patterns/nm.js';
import { countPruned } from '../../src/sparsity/top-k.js';
import { groupCounts } from './simulate.js';

const f32 = (xs: number[]) => Float32Array.from(xs);

function columnCounts(mask: Uint8Array, [rows, cols]: [number, number]): number[] {
  return Array.from({ length: cols }, (_, j) => {
    let c = 0;
    for (let i = 0; i < rows; i++) c += mask[i * cols + j];
    return c;
  });
}

const shapes = fc.tuple(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 12 }));
const scoresFor = (n: number) =>
  fc.array(fc.float({ noNaN: true, min: -10, max: 10 }), { minLength: n, maxLength: n });

describe('N:M pattern', () => {
  it('keeps the n largest of each m consecutive weights down a column (hand case)', () => {
    // [4, 2] weights, row-major; column 0 = [0.1, 0.9, 0.2, 0.5], column 1 = [0.4, 0.3, 0.8, 0.7]
    const scores = f32([0.1, 0.4, 0.9, 0.3, 0.2, 0.8, 0.5, 0.7]);
    // 2:4 → column 0 keeps rows 1 and 3, column 1 keeps rows 2 and 3
    expect([...nm.select(scores, [4, 2], 0.5, { n: 2, m: 4 })]).toEqual([0, 0, 1, 0, 0, 1, 1, 1]);
    // 1:2 → groups (rows 0-1, rows 2-3): column 0 keeps 1, 3; column 1 keeps 0, 2
    expect([...nmMask(scores, [4, 2], 1, 2)]).toEqual([0, 1, 1, 0, 0, 1, 1, 0]);
    // ties break towards the lower row: 2:4 of four equal scores keeps rows 0 and 1
    expect([...nmMask(f32([1, 1, 1, 1]), [4, 1], 2, 4)]).toEqual([1, 1, 0, 0]);
  });

  it('trims to the exact count when a partial group would leave too many', () => {
    // one column of 6 rows, 2:4: groups [0..3] and [4, 5]; the partial group keeps min(2, 2) = 2 → 4 winners,
    // but round(0.5 · 6) = 3 must be pruned: the lowest-scoring winner goes
    const scores = f32([0.6, 0.1, 0.5, 0.2, 0.3, 0.4]);
    const mask = nm.select(scores, [6, 1], 0.5, { n: 2, m: 4 });
    expect([...mask]).toEqual([1, 0, 1, 0, 0, 1]);
  });

  it('trims the partial group first, so every full group keeps its n (hand case)', () => {
    // the partial group [4, 5] scores highest, yet the full group [0..3] must hold its 2 for 2:4 to hold:
    // 3 kept = rows 0 and 2 from the full group, then the partial group's best (row 4)
    const scores = f32([0.1, 0.05, 0.2, 0.02, 0.9, 0.8]);
    expect([...nm.select(scores, [6, 1], 0.5, { n: 2, m: 4 })]).toEqual([1, 0, 1, 0, 1, 0]);
  });

  it('derives n from the sparsity and refuses sparsities no n:m holds', () => {
    expect(nm.complete!({ m: 4 }, 0.75)).toEqual({ m: 4, n: 1 });
    expect(nm.complete!({ m: 4 }, 0.6)).toEqual({ m: 4 });
    expect(nm.incompatibility!(0.6, { name: 'uniform' }, { m: 4 })).toMatch(
      /valid sparsities are 0.75, 0.5, 0.25/,
    );
    expect(nm.incompatibility!(0.75, { name: 'uniform' }, { n: 2, m: 4 })).toMatch(
      /2:4 prunes exactly .* 0.5/,
    );
    expect(nm.incompatibility!(0.5, { name: 'erk' }, { n: 2, m: 4 })).toMatch(/distribution uniform/);
    expect(nm.incompatibility!(0.5, { name: 'uniform' }, { n: 2, m: 4 })).toBeNull();
  });

  it('suggests sparsities that pass as written, for an m that does not divide a power of ten', () => {
    const message = nm.incompatibility!(0.333333, { name: 'uniform' }, { m: 3 })!;
    const suggested = /valid sparsities are (.*)$/.exec(message)![1].split(', ').map(Number);
    expect(suggested).toEqual([0.6666666667, 0.3333333333]);
    for (const s of suggested) {
      const o = nm.complete!({ m: 3 }, s) as { m: number; n?: number };
      expect(o.n).toBe(Math.round((1 - s) * 3));
      expect(nm.incompatibility!(s, { name: 'uniform' }, o)).toBeNull();
    }
    const held = nm.incompatibility!(0.3, { name: 'uniform' }, { n: 2, m: 3 })!;
    const use = Number(/use sparsity ([\d.]+)/.exec(held)![1]);
    expect(nm.incompatibility!(use, { name: 'uniform' }, { n: 2, m: 3 })).toBeNull();
  });

  it('holds at most n per group at 1 - n/m and exactly round(s·size) pruned at any s (property)', () => {
    fc.assert(
      fc.property(
        shapes,
        fc.integer({ min: 2, max: 8 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer(),
        ([rows, cols], m, frac, seed) => {
          const n = 1 + (Math.abs(seed) % (m - 1));
          const size = rows * cols;
          const scores = Float32Array.from({ length: size }, (_, i) => Math.sin(seed + i * 7.1));
          const target = 1 - n / m;
          const at = nm.select(scores, [rows, cols], target, { n, m });
          expect(countPruned(at)).toBe(Math.round(target * size));
          for (const c of groupCounts(at, [rows, cols], m)) expect(c).toBeLessThanOrEqual(n);
          // on the way there (gradual schedules): exact count, groups ≤ ceil((1 - s)·m)
          const s = frac * target;
          const mid = nm.select(scores, [rows, cols], s, { n, m });
          expect(countPruned(mid)).toBe(Math.round(s * size));
          for (const c of groupCounts(mid, [rows, cols], m))
            expect(c).toBeLessThanOrEqual(Math.ceil((1 - s) * m - 1e-9));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('constant fan-in pattern', () => {
  it('keeps k = round((1 - s)·n_in) inputs per output neuron (hand case)', () => {
    // [4, 2]: column 0 = [0.1, 0.9, 0.2, 0.5], column 1 = [0.4, 0.3, 0.8, 0.7]; s = 0.5 → k = 2
    const scores = f32([0.1, 0.4, 0.9, 0.3, 0.2, 0.8, 0.5, 0.7]);
    expect([...constantFanIn.select(scores, [4, 2], 0.5, {})]).toEqual([0, 0, 1, 0, 0, 1, 1, 1]);
    expect(fanIn(4, 0.5)).toBe(2);
    expect(fanIn(10, 0.99)).toBe(1); // never a dead neuron
    expect(fanIn(10, 0)).toBe(10);
    // 7 inputs at s = 0.5: k = round(3.5) = 4, so the layer holds 3/7, not 0.5
    expect(constantFanIn.achievable!([7, 3], 0.5, {})).toBeCloseTo(3 / 7, 12);
    expect([...topKPerColumn(scores, [4, 2], [1, 0])]).toEqual([0, 0, 1, 0, 0, 0, 0, 0]);
  });

  it('every column holds exactly k and the layer exactly its achievable sparsity (property)', () => {
    fc.assert(
      fc.property(
        shapes.chain(([r, c]) => fc.tuple(fc.constant<[number, number]>([r, c]), scoresFor(r * c))),
        fc.double({ min: 0, max: 0.99, noNaN: true }),
        ([shape, values], s) => {
          const target = constantFanIn.achievable!(shape, s, {});
          const mask = constantFanIn.select(Float32Array.from(values), shape, target, {});
          const k = fanIn(shape[0], s);
          for (const c of columnCounts(mask, shape)) expect(c).toBe(k);
          expect(countPruned(mask)).toBe(Math.round(target * shape[0] * shape[1]));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('N:M with large groups', () => {
  it('agrees with small-group selection semantics (sort path, m > 32)', () => {
    // one column of 40 rows, 5:40: the 5 largest scores survive, ties towards the lower row
    const scores = Float32Array.from({ length: 40 }, (_, i) => (i % 7) / 7);
    const mask = nmMask(scores, [40, 1], 5, 40);
    expect([...mask.keys()].filter((i) => mask[i])).toEqual([6, 13, 20, 27, 34]);
  });
});
