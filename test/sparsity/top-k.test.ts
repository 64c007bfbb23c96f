import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countPruned, kthLargest, topKMask, topKMaskJs } from '../../src/sparsity/top-k.js';
import { addon, skipNative, skipReason } from '../helpers/native.js';

// topKMask runs in the native addon when it is built: every case below holds for it and for the JavaScript
describe.each([
  ['topKMask', topKMask],
  ['topKMaskJs', topKMaskJs],
])('%s', (_name, topKMask) => {
  it('keeps the largest scores (hand case)', () => {
    const scores = Float32Array.from([0.1, 0.9, 0.2, 0.5]);
    expect([...topKMask(scores, 2)]).toEqual([0, 1, 0, 1]);
    expect([...topKMask(scores, 0)]).toEqual([0, 0, 0, 0]);
    expect([...topKMask(scores, 4)]).toEqual([1, 1, 1, 1]);
  });

  it('breaks ties towards the lower index', () => {
    expect([...topKMask(Float32Array.from([1, 1, 1, 1]), 2)]).toEqual([1, 1, 0, 0]);
    expect([...topKMask(Float32Array.from([0, 2, 1, 1, 1]), 3)]).toEqual([0, 1, 1, 1, 0]);
  });

  it('keeps exactly k, and every kept score is at least every dropped one', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 300 }),
        fc.nat(),
        (values, kRaw) => {
          const scores = Float32Array.from(values);
          const k = kRaw % (scores.length + 1);
          const mask = topKMask(scores, k);
          if (scores.length - countPruned(mask) !== k) return false;
          let minKept = Number.POSITIVE_INFINITY;
          let maxDropped = Number.NEGATIVE_INFINITY;
          mask.forEach((m, i) => {
            if (m) minKept = Math.min(minKept, scores[i]);
            else maxDropped = Math.max(maxDropped, scores[i]);
          });
          return minKept >= maxDropped;
        },
      ),
    );
  });
});

describe.each([
  ['topKMask', topKMask],
  ['topKMaskJs', topKMaskJs],
])('%s with NaN and infinite scores', (_name, topKMask) => {
  it('ranks NaN as the smallest score (hand case: NaNs tied at the cut are kept lowest index first)', () => {
    expect([...topKMask(Float32Array.from([Number.NaN, Number.NaN, 1]), 2)]).toEqual([1, 0, 1]);
    expect([...topKMask(Float32Array.from([Number.NEGATIVE_INFINITY, Number.NaN, 0]), 2)]).toEqual([1, 0, 1]);
  });

  it('keeps exactly k whatever the scores hold', () => {
    fc.assert(
      fc.property(fc.array(fc.float(), { minLength: 1, maxLength: 200 }), fc.nat(), (values, kRaw) => {
        const scores = Float32Array.from(values);
        const k = kRaw % (scores.length + 1);
        return scores.length - countPruned(topKMask(scores, k)) === k;
      }),
    );
  });
});

/** Scores with many ties and every special value: NaN, ±0, ±∞, subnormals, the largest finite. */
const trickyScore = fc.oneof(
  fc.constantFrom(
    Number.NaN,
    -0,
    0,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    1e-45,
    -1e-45,
    3.4e38,
  ),
  fc.integer({ min: -4, max: 4 }),
  fc.float(),
);

describe.skipIf(skipNative)(`the native top-k${skipReason}`, () => {
  it('gives the JavaScript mask, entry for entry, whatever the scores and k', () => {
    fc.assert(
      fc.property(fc.array(trickyScore, { minLength: 1, maxLength: 3000 }), fc.nat(), (values, kRaw) => {
        const scores = Float32Array.from(values);
        const k = kRaw % (scores.length + 1);
        const mask = new Uint8Array(scores.length);
        addon!.topKMask(scores, mask, k);
        expect([...mask]).toEqual([...topKMaskJs(scores, k)]);
      }),
      { numRuns: 300 },
    );
  });

  it('gives the JavaScript mask on a layer-sized array of normal scores', () => {
    const scores = new Float32Array(50_000);
    for (let i = 0; i < scores.length; i++) scores[i] = Math.abs(Math.sin(i * 12.9898) * 43758.5453) % 1;
    for (const k of [1, 12_345, 25_000, 49_999]) {
      const mask = new Uint8Array(scores.length);
      addon!.topKMask(scores, mask, k);
      const js = topKMaskJs(scores, k);
      expect(mask.filter((m, i) => m !== js[i]).length).toBe(0);
      expect(scores.length - countPruned(mask)).toBe(k);
    }
  });

  it('refuses a mask of another type or length, and a k beyond the scores', () => {
    const scores = Float32Array.from([3, 1, 2]);
    expect(() => addon!.topKMask(scores, new Uint8Array(2), 1)).toThrow(/mask has 2 elements, needs 3/);
    expect(() => addon!.topKMask(scores, new Float32Array(3) as never, 1)).toThrow(
      /mask must be a Uint8Array/,
    );
    expect(() => addon!.topKMask(scores, new Uint8Array(3), 4)).toThrow(/keeps more entries/);
    expect(() => addon!.topKMask(scores, new Uint8Array(3), -1)).toThrow(/non-negative integers/);
  });
});

describe('kthLargest', () => {
  it('matches sorting', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 100 }),
        fc.nat(),
        (xs, kr) => {
          const k = (kr % xs.length) + 1;
          const sorted = [...xs].sort((a, b) => b - a);
          return kthLargest(Float32Array.from(xs), k) === sorted[k - 1];
        },
      ),
    );
  });
});

describe('countPruned', () => {
  it('counts the zero entries, whatever the others hold (hand case)', () => {
    expect(countPruned(Uint8Array.from([0, 1, 0, 255, 2, 0, 128]))).toBe(3);
    expect(countPruned(new Uint8Array(0))).toBe(0);
  });

  it('matches counting one by one', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        return countPruned(bytes) === bytes.filter((b) => b === 0).length;
      }),
    );
  });
});
