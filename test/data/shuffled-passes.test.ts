import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShuffledPasses, windowPasses } from '../../src/data/shuffled-passes.js';

describe('shuffled passes', () => {
  it('reads every example once in each pass, in an order that differs by pass and by seed', () => {
    const passes = new ShuffledPasses(10, 1, 7);
    const read = Array.from({ length: 30 }, (_, k) => passes.position(k));
    for (let p = 0; p < 3; p++) {
      const pass = read.slice(p * 10, p * 10 + 10);
      expect(pass.every((x) => x.pass === p && x.offset === 0)).toBe(true);
      expect(pass.map((x) => x.index).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
    const orderOf = (p: number, seed = 7) =>
      Array.from({ length: 10 }, (_, i) => new ShuffledPasses(10, 1, seed).position(p * 10 + i).index);
    expect(orderOf(0)).not.toEqual(orderOf(1));
    expect(orderOf(0)).not.toEqual(orderOf(0, 8));
    expect(orderOf(0)).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // a uniform shuffle (Fisher–Yates), not a cyclic one (Sattolo's, which never leaves an example in place): of two
    // examples, either may come first
    const firsts = new Set(
      Array.from({ length: 20 }, (_, seed) => new ShuffledPasses(2, 1, seed).position(0).index),
    );
    expect(firsts).toEqual(new Set([0, 1]));
  });

  it('gives batch b of B the examples first + b·B on', () => {
    const passes = new ShuffledPasses(7, 3, 4);
    // batch 2 of 3 from example 5: examples 11, 12, 13 (13 is the second pass's 6th)
    expect(passes.batch(2, 3, 5)).toEqual([11, 12, 13].map((k) => passes.position(k)));
    expect(passes.batch(0, 2)).toEqual([0, 1].map((k) => passes.position(k)));
  });

  it('gives the same position for an example however the passes were read before (resume)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 9 }),
        fc.nat(1000),
        fc.array(fc.nat(400), { minLength: 1, maxLength: 20 }),
        (count, offsets, seed, ks) => {
          const walked = new ShuffledPasses(count, offsets, seed);
          for (const k of ks) {
            const fresh = new ShuffledPasses(count, offsets, seed).position(k);
            const p = walked.position(k);
            expect(p).toEqual(fresh);
            expect(p.pass).toBe(Math.floor(k / count));
            expect(p.index).toBeGreaterThanOrEqual(0);
            expect(p.index).toBeLessThan(count);
            expect(p.offset).toBeGreaterThanOrEqual(0);
            expect(p.offset).toBeLessThan(offsets);
          }
        },
      ),
    );
  });

  it('reads no example twice before a pass is done (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.nat(10_000), fc.nat(3), (count, seed, pass) => {
        const passes = new ShuffledPasses(count, 1, seed);
        const seen = new Set<number>();
        for (let i = 0; i < count; i++) seen.add(passes.position(pass * count + i).index);
        expect(seen.size).toBe(count);
      }),
    );
  });

  it('cuts a stream into windows that fit at every offset a pass may start at (property)', () => {
    // hand case: 10 tokens, windows of 4: 1 window (2 would need 8 + an offset up to 3); offsets 0..3
    expect(windowPasses(10, 4)).toEqual({ count: 1, offsets: 4 });
    expect(windowPasses(11, 4)).toEqual({ count: 2, offsets: 4 });
    expect(windowPasses(5, 4)).toEqual({ count: 1, offsets: 2 });
    expect(windowPasses(4, 4)).toEqual({ count: 1, offsets: 1 });
    expect(() => windowPasses(3, 4)).toThrow(/holds no window/);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 0, max: 2000 }), (width, extra) => {
        const length = width + extra;
        const { count, offsets } = windowPasses(length, width);
        expect(count).toBeGreaterThanOrEqual(1);
        expect(offsets).toBeGreaterThanOrEqual(1);
        expect(offsets).toBeLessThanOrEqual(width);
        // the last window at the largest offset ends inside the stream
        expect(offsets - 1 + count * width).toBeLessThanOrEqual(length);
        // and no more than one window a pass is given up to the offsets
        expect(count).toBeGreaterThanOrEqual(Math.floor(length / width) - 1);
      }),
    );
  });
});
