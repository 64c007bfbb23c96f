import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arrayRanges, unfinishedArrays } from '../../src/sweep/executors/array-indices.js';

/** The indices a Slurm `--array` list names (ranges a-b and single indices, no step or throttle). */
function expand(list: string): number[] {
  return list.split(',').flatMap((part) => {
    const [a, b] = part.split('-').map(Number);
    return b === undefined ? [a] : Array.from({ length: b - a + 1 }, (_, i) => a + i);
  });
}

describe('array indices', () => {
  it('writes runs of consecutive indices as ranges', () => {
    expect(arrayRanges([0, 1, 2, 5, 7, 8])).toBe('0-2,5,7-8');
    expect(arrayRanges([3])).toBe('3');
    expect(arrayRanges([4, 2, 3, 3])).toBe('2-4');
  });

  it('names exactly the indices given (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(200), { minLength: 1, maxLength: 60 }), (xs) => {
        expect(expand(arrayRanges(xs))).toEqual([...xs].sort((a, b) => a - b));
      }),
    );
  });

  it("submits the unfinished trials only, with the throttle; the script's own range when none is finished", () => {
    const ids = ['a', 'b', 'c', 'd'];
    expect(unfinishedArrays(ids, new Set())).toEqual({
      chunks: [{ offset: 0, array: null, tasks: 4 }],
      pending: 4,
    });
    expect(unfinishedArrays(ids, new Set(['b', 'x']), 2)).toEqual({
      chunks: [{ offset: 0, array: '0,2-3%2', tasks: 3 }],
      pending: 3,
    });
    expect(unfinishedArrays(ids, new Set(ids))).toEqual({ chunks: [], pending: 0 });
  });

  it('cuts a plan over MaxArraySize into array jobs whose task ids stay below it, each with its offset', () => {
    // 7 trials, MaxArraySize 3: task ids 0-2 at offsets 0, 3 and 6; trial 4 finished
    const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    expect(unfinishedArrays(ids, new Set(['e']), undefined, 3)).toEqual({
      chunks: [
        { offset: 0, array: '0-2', tasks: 3 },
        { offset: 3, array: '0,2', tasks: 2 },
        { offset: 6, array: '0', tasks: 1 },
      ],
      pending: 6,
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: 1, max: 1001 }),
        fc.uniqueArray(fc.nat(2999)),
        (n, limit, done) => {
          const all = Array.from({ length: n }, (_, i) => String(i));
          const finished = new Set(done.filter((i) => i < n).map(String));
          const { chunks, pending } = unfinishedArrays(all, finished, undefined, limit);
          // every unfinished index exactly once, as offset + task id, every task id below the limit
          const indices = chunks.flatMap((c) =>
            (c.array === null ? all.map((_, i) => i) : expand(c.array)).map((t) => {
              expect(t).toBeLessThan(limit);
              return c.offset + t;
            }),
          );
          expect(indices).toEqual(all.flatMap((id, i) => (finished.has(id) ? [] : [i])));
          expect(pending).toBe(indices.length);
          expect(chunks.reduce((k, c) => k + c.tasks, 0)).toBe(pending);
        },
      ),
      { numRuns: 50 },
    );
  });
});
