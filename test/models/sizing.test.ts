import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lmFamily } from '../../src/models/lm.js';
import {
  lmHparamsSchema,
  lmMinPrunable,
  lmPrunableCount,
  SizingError,
  sizeLm,
} from '../../src/models/sizing.js';
import { countParams } from '../../src/models/types.js';

const h = lmHparamsSchema.parse({});
const ctx = { vocabSize: 256, seqLen: 64 };

describe('lm sizing', () => {
  it('reproduces the reference model from its size', () => {
    const s = sizeLm(786_432, 0, h, ctx);
    expect(s).toMatchObject({ n_layers: 4, d_model: 128, d_ff: 512 });
  });

  it('hits N within 5% across the range and counts only attention + MLP matrices', () => {
    fc.assert(
      fc.property(
        fc.double({ min: Math.log(3000), max: Math.log(5e7), noNaN: true }),
        fc.constantFrom(0, 0.25, 0.5, 0.75, 0.875, 0.9, 0.95),
        (logN, sparsity) => {
          const n = Math.exp(logN);
          const s = sizeLm(n, sparsity, h, ctx);
          const prunable = lmPrunableCount(s);
          expect(countParams(lmFamily.params(s)).prunable).toBe(prunable);
          expect(Math.abs(prunable * (1 - sparsity) - n) / n).toBeLessThan(0.05);
          expect(s.d_model % h.head_dim).toBe(0);
          expect(s.n_heads * h.head_dim).toBe(s.d_model);
          expect(s.d_ff / s.d_model).toBeGreaterThanOrEqual(1);
          expect(s.d_ff / s.d_model).toBeLessThanOrEqual(16);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('grows depth with size along the aspect ratio', () => {
    expect(sizeLm(12_000, 0, h, ctx).n_layers).toBe(1);
    expect(sizeLm(3e6, 0, h, ctx).n_layers).toBe(6);
    // depth rounds to the nearest layer count, not down: 50k is 2 layers of width 48
    expect(sizeLm(50_000, 0, h, ctx)).toMatchObject({ n_layers: 2, d_model: 48, d_ff: 164 });
  });

  it('says which N are reachable when one is not', () => {
    expect(lmMinPrunable(h)).toBe(4 * 16 * 16 + 2 * 16 * 16);
    expect(() => sizeLm(100, 0.5, h, ctx)).toThrow(SizingError);
    expect(() => sizeLm(100, 0.5, h, ctx)).toThrow(
      /reaches 1.54k to 100B, i.e. N from 768 to 50B at this sparsity/,
    );
  });
});
