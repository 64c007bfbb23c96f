import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { erk, erkSparsities } from '../../src/sparsity/distributions/erk.js';
import { namePattern, unmatchedDense } from '../../src/sparsity/distributions/layer-filter.js';
import { uniform } from '../../src/sparsity/distributions/uniform.js';
import { resolvePrunerSpec } from '../../src/sparsity/spec.js';
import type { LayerRef } from '../../src/sparsity/types.js';

describe('ERK distribution', () => {
  it('gives density ∝ (n_in + n_out)/(n_in·n_out), scaled to the budget (hand case)', () => {
    // [4, 4]: raw 8/16 = 0.5; [2, 8]: raw 10/16 = 0.625. S = 0.5: budget 16 of 32,
    // ε = 16 / (0.5·16 + 0.625·16) = 8/9 → densities 4/9 and 5/9
    const s = erkSparsities([{ shape: [4, 4] }, { shape: [2, 8] }], 0.5);
    expect(s[0]).toBeCloseTo(5 / 9, 12);
    expect(s[1]).toBeCloseTo(4 / 9, 12);
  });

  it('makes a layer that would exceed density 1 dense and re-solves the scale (hand case)', () => {
    // [1, 100]: raw 1.01; [100, 100]: raw 0.02. S = 0.5, budget 5050: ε = 5050/301 makes the first
    // layer's density 16.9 → dense; then ε = (5050 − 100)/200 = 24.75 → density 0.495
    const s = erkSparsities([{ shape: [1, 100] }, { shape: [100, 100] }], 0.5);
    expect(s[0]).toBe(0);
    expect(s[1]).toBeCloseTo(0.505, 12);
  });

  it('scores a packed q,k,v matrix as one of its parts: the density separate [d, d] matrices would get', () => {
    // [8, 24] holding three [8, 8]: raw 16/64 per part, as the [8, 8] output projection; fused, 32/192
    const layers: LayerRef[] = [
      { name: 'qkv', shape: [8, 24], parts: 3 },
      { name: 'proj', shape: [8, 8] },
    ];
    const split = erkSparsities(layers, 0.75);
    expect(split[0]).toBeCloseTo(0.75, 12);
    expect(split[1]).toBeCloseTo(0.75, 12);
    // whole: raw 1/6 against 1/4, ε = 64 / (32 + 16) → densities 2/9 and 1/3
    const whole = erkSparsities(layers, 0.75, false);
    expect(whole[0]).toBeCloseTo(1 - 2 / 9, 12);
    expect(whole[1]).toBeCloseTo(1 - 1 / 3, 12);
    expect(erk.options.parse({})).toEqual({ fused: 'split' });
    expect(erk.allocate(layers, 0.75, { fused: 'whole' })[0]).toBeCloseTo(1 - 2 / 9, 12);
  });

  it("on a gradual schedule's way, puts every layer at the same fraction of its own final sparsity", () => {
    // hand case from above: S = 0.5 gives 5/9 and 4/9; halfway (s = 0.25), 5/18 and 4/18, not ERK at 0.25
    const layers: LayerRef[] = [
      { name: 'a', shape: [4, 4] },
      { name: 'b', shape: [2, 8] },
    ];
    const o = erk.options.parse({});
    const way = erk.allocateOnTheWay!(layers, 0.25, 0.5, o);
    expect(way[0]).toBeCloseTo(5 / 18, 12);
    expect(way[1]).toBeCloseTo(4 / 18, 12);
    // together at the global sparsity: (5/18·16 + 4/18·16) / 32 = 0.25
    expect((way[0] * 16 + way[1] * 16) / 32).toBeCloseTo(0.25, 12);
    // at the end, exactly the final allocation
    expect(erk.allocateOnTheWay!(layers, 0.5, 0.5, o)).toEqual(erk.allocate(layers, 0.5, o));
    // reallocated: ERK solved again at 0.25
    const again = erk.allocateOnTheWay!(layers, 0.25, 0.5, { ...o, gradual: 'reallocated' });
    expect(again).toEqual(erk.allocate(layers, 0.25, o));
    expect(again[0]).not.toBeCloseTo(way[0], 3);
  });

  it('records how a gradual way is allocated only in trials with a gradual schedule (their ids alone change)', () => {
    const spec = (name: string) =>
      resolvePrunerSpec({ name, options: {}, schedule: {}, distribution: { name: 'erk' } }, 0.75)
        .distribution;
    expect(spec('gmp')).toEqual({ name: 'erk', fused: 'split', gradual: 'scaled' }); // cubic
    expect(spec('rigl')).toEqual({ name: 'erk', fused: 'split' }); // periodic: sparsity at S throughout
    expect(spec('magnitude')).toEqual({ name: 'erk', fused: 'split' }); // one-shot
    expect(
      resolvePrunerSpec(
        { name: 'gmp', options: {}, schedule: {}, distribution: { name: 'erk', gradual: 'reallocated' } },
        0.75,
      ).distribution,
    ).toEqual({ name: 'erk', fused: 'split', gradual: 'reallocated' });
  });

  it('keeps the total at S with no layer above density 1 (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 64 })), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.double({ min: 0, max: 0.99, noNaN: true }),
        (shapes, S) => {
          const layers = shapes.map((shape) => ({ shape: shape as [number, number] }));
          const s = erkSparsities(layers, S);
          const sizes = shapes.map(([a, b]) => a * b);
          const total = sizes.reduce((a, b) => a + b, 0);
          const kept = s.reduce((acc, si, i) => acc + (1 - si) * sizes[i], 0);
          expect(kept).toBeCloseTo((1 - S) * total, 6);
          for (const si of s) expect(si).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });

  it('sets aside dense layers and embeddings before solving', () => {
    const layers: LayerRef[] = [
      { name: 'layers.0.attn.qkv', shape: [4, 4] },
      { name: 'layers.0.mlp.fc', shape: [2, 8] },
      { name: 'layers.1.mlp.fc', shape: [2, 8] },
      { name: 'tok_emb', shape: [16, 4], embedding: true },
    ];
    const s = erk.allocate(layers, 0.75, { dense: ['*.attn.*'], embeddings: true });
    expect(s[0]).toBe(0);
    expect(s[1]).toBeCloseTo(0.75, 12); // two equal layers share the budget equally
    expect(s[2]).toBeCloseTo(0.75, 12);
    expect(s[3]).toBeCloseTo(0.5, 12); // 1 − sqrt(1 − 0.75)
  });
});

describe('uniform distribution and layer filters', () => {
  it('gives S to pruned layers, 0 to dense ones, 1 − sqrt(1 − S) to embeddings', () => {
    const layers: LayerRef[] = [
      { name: 'layers.0.attn.qkv', shape: [4, 12] },
      { name: 'layers.0.mlp.fc', shape: [4, 16] },
      { name: 'tok_emb', shape: [16, 4], embedding: true },
    ];
    expect(uniform.allocate(layers, 0.75, {})).toEqual([0.75, 0.75, 0.5]);
    expect(uniform.allocate(layers, 0.75, { dense: ['/qkv$/'] })).toEqual([0, 0.75, 0.5]);
  });

  it('matches globs and regexes on layer names, and reports patterns that match nothing', () => {
    expect(namePattern('layers.0.*')('layers.0.mlp.fc')).toBe(true);
    expect(namePattern('layers.0.*')('layers.10.mlp.fc')).toBe(false);
    expect(namePattern('*.attn.q?v')('layers.3.attn.qkv')).toBe(true);
    expect(namePattern('/^enc\\.[01]\\./')('enc.1.mlp.fc')).toBe(true);
    expect(uniform.options.safeParse({ dense: ['/([/'] }).success).toBe(false);
    const layers = [{ name: 'layers.0.mlp.fc', shape: [2, 2] as [number, number] }];
    expect(unmatchedDense(layers, { dense: ['layers.0.*', 'layer.0.*'] })).toEqual([1]);
  });

  it('leaves a spec that does not use the filters unchanged (trial ids stay stable)', () => {
    expect(uniform.options.parse({})).toEqual({});
  });
});
