import { describe, expect, it } from 'vitest';
import { Pruner } from '../../src/sparsity/pruner.js';
import { resolvePrunerSpec } from '../../src/sparsity/spec.js';
import type { Algorithm, AlgorithmUpdate, LayerRef, Mask } from '../../src/sparsity/types.js';
import { Rng } from '../../src/util/rng.js';

/** A 4×4 layer at sparsity 0.5 whose algorithm returns whatever the test says. */
function withAlgorithm(update: () => AlgorithmUpdate, extra: Partial<Algorithm<unknown>> = {}) {
  const layers: LayerRef[] = [
    { name: 'a', shape: [4, 4] },
    { name: 'b', shape: [4, 4] },
  ];
  const spec = resolvePrunerSpec(
    { name: 'gmp', options: {}, schedule: { start: 0, end: 0, interval: 1 } },
    0.5,
  );
  const pruner = new Pruner(spec, layers, 10, 0.5);
  const rng = Rng.seeded(0);
  const state = pruner.init([rng.normalArray(16, 1), rng.normalArray(16, 1)], rng);
  (pruner as unknown as { algorithm: unknown }).algorithm = { needsGradients: false, ...extra, update };
  return () => pruner.update(5, [new Float32Array(16), new Float32Array(16)], null, state, rng);
}

/** A mask of 16 with `zeros` zeros at the front. */
const mask = (zeros: number): Mask => Uint8Array.from({ length: 16 }, (_, i) => (i < zeros ? 0 : 1));

describe("the Pruner's target check", () => {
  it('accepts an exact update and one off by a single weight, nothing more', () => {
    expect(() => withAlgorithm(() => ({ masks: [mask(8), mask(9)] }))()).not.toThrow();
    expect(() => withAlgorithm(() => ({ masks: [mask(8), mask(10)] }))()).toThrow(
      /missed its target at step 5: layer b has 10 of 16 weights pruned, schedule asks 8/,
    );
  });

  it('accepts a declared count only if it is met, no denser, and sparser by less than one weight per neuron', () => {
    // 4 output neurons: a declared layer may hold 8..11 zeros
    expect(() => withAlgorithm(() => ({ masks: [mask(11), mask(8)], pruned: [11, null] }))()).not.toThrow();
    expect(() => withAlgorithm(() => ({ masks: [mask(12), mask(8)], pruned: [12, null] }))()).toThrow(
      /declared 12/,
    );
    expect(() => withAlgorithm(() => ({ masks: [mask(7), mask(8)], pruned: [7, null] }))()).toThrow(
      /declared 7/,
    );
    expect(() => withAlgorithm(() => ({ masks: [mask(10), mask(8)], pruned: [11, null] }))()).toThrow(
      /layer a has 10 of 16 weights pruned, declared 11/,
    );
  });

  it('checks a global ranking on the total over layers', () => {
    const global = { globalRanking: true };
    expect(() => withAlgorithm(() => ({ masks: [mask(4), mask(12)] }), global)()).not.toThrow();
    expect(() => withAlgorithm(() => ({ masks: [mask(4), mask(14)] }), global)()).toThrow(
      /18 weights pruned over all layers, schedule asks 16/,
    );
  });
});
