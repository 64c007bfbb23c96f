import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { spreadIndices } from '../../src/data/held-out.js';
import { imageSource } from '../../src/data/image-source.js';
import { planOf } from '../helpers/config.js';

describe('spreadIndices', () => {
  it('spreads a few units over many (hand-computed)', () => {
    expect(spreadIndices(10, 4)).toEqual([0, 2, 5, 7]);
    expect(spreadIndices(1000, 3)).toEqual([0, 333, 666]);
    expect(spreadIndices(5, 5)).toEqual([0, 1, 2, 3, 4]);
    expect(spreadIndices(3, 8)).toEqual([0, 1, 2]);
  });

  it('gives min(wanted, available) distinct units in order, evenly spaced, from the first to the last stretch', () =>
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 5000 }),
        (available, wanted) => {
          const ix = spreadIndices(available, wanted);
          const n = Math.min(available, wanted);
          expect(ix).toHaveLength(n);
          expect(ix[0]).toBe(0);
          expect(ix[n - 1]).toBeLessThan(available);
          // the last one lies in the last 1/n of the units: the set reaches the end of the split
          expect(ix[n - 1]).toBeGreaterThanOrEqual(available - Math.ceil(available / n));
          const gaps = ix.slice(1).map((v, i) => v - ix[i]);
          for (const g of gaps) expect(g).toBeGreaterThanOrEqual(1);
          if (gaps.length) expect(Math.max(...gaps) - Math.min(...gaps)).toBeLessThanOrEqual(1);
        },
      ),
    ));
});

describe('the fixed held-out set samples the whole validation split', () => {
  it('MNIST (its validation images are ordered by digit): 100 held-out images hold every digit', () => {
    const { spec } = planOf(`name: v
model: {family: vit, patch_size: 7}
data: {source: mnist}
train: {batch_size: 32, eval_tokens: 100}
sweep: {sparsity: 0, nonzero_params: 20k, tokens: 64}
`).trials[0];
    const held = imageSource(spec).validation;
    expect(held.reduce((a, b) => a + b.batchSize, 0)).toBe(100);
    expect(new Set(held.flatMap((b) => [...b.labels])).size).toBe(10);
  });
});
