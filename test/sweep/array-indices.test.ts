import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arrayRanges, unfinishedArray } from '../../src/sweep/executors/array-indices.js';

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
    expect(unfinishedArray(ids, new Set())).toEqual({ array: null, pending: 4 });
    expect(unfinishedArray(ids, new Set(['b', 'x']), 2)).toEqual({ array: '0,2-3%2', pending: 3 });
    expect(unfinishedArray(ids, new Set(ids))).toEqual({ array: '', pending: 0 });
  });
});
