import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coreCombos } from '../../src/config/core-combos.js';
import { ZIPPABLE_AXES } from '../../src/config/schema.js';
import { planOf } from '../helpers/config.js';

describe('coreCombos', () => {
  it('crosses sparsity, N and D without zip, in that order (hand case)', () => {
    const combos = coreCombos({ sparsity: [0, 0.5], nonzero_params: [1, 2], tokens: [10] });
    expect(combos).toEqual([
      { sparsity: 0, ni: 0, di: 0 },
      { sparsity: 0, ni: 1, di: 0 },
      { sparsity: 0.5, ni: 0, di: 0 },
      { sparsity: 0.5, ni: 1, di: 0 },
    ]);
  });

  it('advances the zipped axes together where the first of them stands (hand case)', () => {
    const s = { sparsity: [0.5, 0.75], nonzero_params: [6000, 3000], tokens: [1e6, 2e6] };
    expect(coreCombos({ ...s, zip: ['sparsity', 'nonzero_params'] })).toEqual([
      { sparsity: 0.5, ni: 0, di: 0 },
      { sparsity: 0.5, ni: 0, di: 1 },
      { sparsity: 0.75, ni: 1, di: 0 },
      { sparsity: 0.75, ni: 1, di: 1 },
    ]);
    // N with D (a fixed tokens-per-parameter ratio), crossed with S
    expect(coreCombos({ ...s, zip: ['tokens', 'nonzero_params'] })).toEqual([
      { sparsity: 0.5, ni: 0, di: 0 },
      { sparsity: 0.5, ni: 1, di: 1 },
      { sparsity: 0.75, ni: 0, di: 0 },
      { sparsity: 0.75, ni: 1, di: 1 },
    ]);
  });

  it('gives every combination once: the product of the units, zipped ones at equal indices', () => {
    fc.assert(
      fc.property(
        fc.record({
          s: fc.integer({ min: 1, max: 4 }),
          n: fc.integer({ min: 1, max: 4 }),
          d: fc.integer({ min: 1, max: 4 }),
        }),
        fc.subarray([...ZIPPABLE_AXES]),
        ({ s, n, d }, zipRaw) => {
          const zip = zipRaw.length >= 2 ? zipRaw : undefined;
          const lengths: Record<string, number> = { sparsity: s, nonzero_params: n, tokens: d };
          // zipped axes have equal lengths: give them the first one's
          if (zip) for (const k of zip) lengths[k] = lengths[zip[0]];
          const sweep = {
            sparsity: Array.from({ length: lengths.sparsity }, (_, i) => i / 10),
            nonzero_params: Array.from({ length: lengths.nonzero_params }, (_, i) => i + 1),
            tokens: Array.from({ length: lengths.tokens }, (_, i) => i + 1),
            zip,
          };
          const combos = coreCombos(sweep);
          const keys = combos.map((c) => `${c.sparsity}|${c.ni}|${c.di}`);
          const product = ZIPPABLE_AXES.filter((k) => !zip?.includes(k)).reduce((a, k) => a * lengths[k], 1);
          const expected = zip ? product * lengths[zip[0]] : product;
          const index = (c: (typeof combos)[number], k: string) =>
            k === 'sparsity' ? Math.round(c.sparsity * 10) : k === 'nonzero_params' ? c.ni : c.di;
          return (
            new Set(keys).size === keys.length &&
            combos.length === expected &&
            combos.every((c) => (zip ?? []).every((k) => index(c, k) === index(c, zip![0])))
          );
        },
      ),
    );
  });
});

describe('sweep.zip in a config', () => {
  const config = (zip: string) => `name: z
data: {source: synthetic, vocab_size: 16, branching: 2, train_tokens: 20000, validation_tokens: 2000}
train: {batch_size: 8, seq_len: 16}
sweep:
  sparsity: [0.5, 0.75]
  nonzero_params: [4000, 2000]
  tokens: 4096
  ${zip}
`;

  it('plans the pairs alone: one model shape pruned to two sparsities (N = N_dense·(1 − S))', () => {
    const plan = planOf(config('zip: [sparsity, nonzero_params]'));
    expect(plan.trials.map((t) => [t.spec.sparsity, t.spec.nonzero_params])).toEqual([
      [0.5, 4000],
      [0.75, 2000],
    ]);
    expect(new Set(plan.trials.map((t) => t.dense_params)).size).toBe(1);
    expect(planOf(config('')).trials).toHaveLength(4);
  });

  it('lets zipped axes repeat a value (two dense shapes, each pruned to two sparsities), not a combination', () => {
    const twoShapes = `name: z
data: {source: synthetic, vocab_size: 16, branching: 2, train_tokens: 20000, validation_tokens: 2000}
train: {batch_size: 8, seq_len: 16}
sweep:
  sparsity: [0.5, 0.75, 0.5, 0.75]
  nonzero_params: [4000, 2000, 8000, 4000]
  tokens: [4096]
  zip: [sparsity, nonzero_params]
`;
    const plan = planOf(twoShapes);
    expect(plan.trials.map((t) => [t.spec.sparsity, t.spec.nonzero_params])).toEqual([
      [0.5, 4000],
      [0.75, 2000],
      [0.5, 8000],
      [0.75, 4000],
    ]);
    expect(new Set(plan.trials.map((t) => t.dense_params)).size).toBe(2);
    // the same pair twice is refused where it is written; an axis outside the zip still takes each value once
    expect(() => planOf(twoShapes.replace('[4000, 2000, 8000, 4000]', '[4000, 2000, 4k, 4000]'))).toThrow(
      'sweep.sparsity[2]: 0.5: with nonzero_params at [2], the same sparsity, nonzero_params as at [0] (0.5, 4000)',
    );
    expect(() => planOf(twoShapes.replace('tokens: [4096]', 'tokens: [4096, 4096]'))).toThrow(
      'sweep.tokens[1]: 4096: listed twice (also at [0])',
    );
  });

  it('refuses axes of different lengths, naming them', () => {
    expect(() => planOf(config('zip: [sparsity, tokens]'))).toThrow(
      'sweep.zip: a list (["sparsity","tokens"]): the axes it names advance together, so they need as many values each: sparsity has 2, tokens has 1',
    );
  });
});
