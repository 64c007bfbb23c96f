import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { joinColumns, partLayers, prunedCount, splitColumns } from '../../src/sparsity/packed.js';
import { expectedNonzero } from '../../src/sparsity/pruner.js';
import { resolvePrunerSpec } from '../../src/sparsity/spec.js';
import { countPruned } from '../../src/sparsity/top-k.js';
import type { LayerRef } from '../../src/sparsity/types.js';
import { simulate } from './simulate.js';

describe('packed matrices', () => {
  it('split into their column blocks and join back', () => {
    const m = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]); // [2, 4]
    const [a, b] = splitColumns(m, [2, 4], 2);
    expect([...a]).toEqual([1, 2, 5, 6]);
    expect([...b]).toEqual([3, 4, 7, 8]);
    expect([...joinColumns([a, b], [2, 4])]).toEqual([...m]);
    expect(splitColumns(m, [2, 4], 1)[0]).toBe(m);
  });

  it('join what they split (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 4 }),
        (r, w, p) => {
          const shape: [number, number] = [r, w * p];
          const m = Uint8Array.from({ length: r * w * p }, (_, i) => i % 251);
          const blocks = splitColumns(m, shape, p);
          expect(blocks.map((b) => b.length)).toEqual(blocks.map(() => r * w));
          expect([...joinColumns(blocks, shape)]).toEqual([...m]);
        },
      ),
    );
  });

  it('are layers of their own to the algorithm, named by part', () => {
    const { parts, owner } = partLayers([
      { name: 'qkv', shape: [4, 12], parts: 3 },
      { name: 'out', shape: [4, 4] },
    ]);
    expect(parts.map((p) => [p.name, p.shape, p.parts])).toEqual([
      ['qkv part 1 of 3', [4, 4], undefined],
      ['qkv part 2 of 3', [4, 4], undefined],
      ['qkv part 3 of 3', [4, 4], undefined],
      ['out', [4, 4], undefined],
    ]);
    expect(owner).toEqual([0, 0, 0, 1]);
    expect(() => partLayers([{ name: 'kv', shape: [2, 5], parts: 2 }])).toThrow(
      'layer kv: 5 columns do not split into 2 parts',
    );
  });

  it('count the pruned weights of each part: a [1, 3] q|k|v at s = 0.5 prunes 3, a plain [1, 3] 2', () => {
    expect(prunedCount({ shape: [1, 3], parts: 3 }, 0.5)).toBe(3);
    expect(prunedCount({ shape: [1, 3] }, 0.5)).toBe(2);
    const spec = resolvePrunerSpec(
      { name: 'magnitude', options: {}, schedule: { name: 'one-shot', at: 0 } },
      0.5,
    );
    expect(expectedNonzero(spec, [{ name: 'qkv', shape: [1, 3], parts: 3 }], 0.5)).toBe(0);
    expect(expectedNonzero(spec, [{ name: 'w', shape: [1, 3] }], 0.5)).toBe(1);
  });

  it('are pruned part by part: magnitude leaves q, k and v each at the sparsity, however their scales differ', () => {
    // q's weights are ten times v's: one ranking over the packed matrix would prune v first
    const layers: LayerRef[] = [{ name: 'qkv', shape: [8, 24], parts: 3 }];
    const schedules: Record<string, Record<string, unknown>> = {
      magnitude: { name: 'one-shot', at: 0.5 },
      rigl: { interval: 4, end: 0.75 },
      set: { interval: 4, end: 0.75 },
      static: { name: 'none' },
    };
    for (const [name, schedule] of Object.entries(schedules)) {
      const spec = resolvePrunerSpec({ name, options: {}, schedule }, 0.75);
      const { records, state } = simulate(spec, layers, 0.75, 40, 7, (w) => {
        for (let i = 0; i < w.length; i++) w[i] *= [10, 1, 0.1][Math.floor((i % 24) / 8)];
      });
      expect(records.length, name).toBeGreaterThan(name === 'static' ? 0 : 1);
      const pruned = splitColumns(state.masks[0], [8, 24], 3).map(countPruned);
      expect(pruned, name).toEqual([48, 48, 48]);
    }
  });
});
