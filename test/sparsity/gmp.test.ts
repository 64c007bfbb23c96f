import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Pruner } from '../../src/sparsity/pruner.js';
import { resolvePrunerSpec } from '../../src/sparsity/spec.js';
import { countPruned } from '../../src/sparsity/top-k.js';
import type { LayerRef } from '../../src/sparsity/types.js';
import { Rng } from '../../src/util/rng.js';
import { anySeed } from '../helpers/seed.js';

/** Runs a pruner over a whole fake training run; weights drift randomly and are masked after each step. */
function simulate(
  layers: LayerRef[],
  sparsity: number,
  steps: number,
  interval: number,
  seed: number,
  pattern?: { name: string; m: number },
) {
  const spec = resolvePrunerSpec(
    { name: 'gmp', options: {}, schedule: { start: 0.25, end: 0.75, interval }, ...(pattern && { pattern }) },
    sparsity,
  );
  const pruner = new Pruner(spec, layers, steps, sparsity);
  const rng = Rng.seeded(seed);
  const weights = layers.map((l) => rng.normalArray(l.shape[0] * l.shape[1], 1));
  let state = pruner.init(weights, rng);
  const history: { step: number; pruned: number[]; targets: number[] }[] = [];
  for (let step = 1; step <= steps; step++) {
    for (const w of weights) for (let i = 0; i < w.length; i++) w[i] += 0.1 * rng.normal();
    if (pruner.isUpdateStep(step)) {
      const before = state.masks;
      state = pruner.update(step, weights, null, state, rng).state;
      // monotone: a pruned weight is never revived by gradual magnitude pruning
      state.masks.forEach((m, li) => {
        for (let i = 0; i < m.length; i++) if (before[li][i] === 0) expect(m[i]).toBe(0);
      });
      history.push({ step, pruned: state.masks.map(countPruned), targets: pruner.layerTargets(step) });
    }
    weights.forEach((w, li) => {
      for (let i = 0; i < w.length; i++) if (state.masks[li][i] === 0) w[i] = 0;
    });
  }
  return { pruner, state, weights, history };
}

describe('gmp', () => {
  it('hits the exact target sparsity in every layer at the end of training', () => {
    const layers: LayerRef[] = [
      { name: 'a', shape: [16, 48] },
      { name: 'b', shape: [16, 16] },
      { name: 'c', shape: [7, 13] },
    ];
    const { weights } = simulate(layers, 0.75, 400, 20, 1);
    layers.forEach((l, i) => {
      const n = l.shape[0] * l.shape[1];
      const zeros = weights[i].filter((v) => v === 0).length;
      expect(zeros).toBe(Math.round(0.75 * n));
    });
  });

  it('with ERK, prunes each layer along the cubic towards its own target (Zhu & Gupta per layer)', () => {
    const layers: LayerRef[] = [
      { name: 'qkv', shape: [32, 96], parts: 3 },
      { name: 'fc', shape: [32, 186] },
    ];
    const spec = resolvePrunerSpec(
      { name: 'gmp', options: {}, schedule: { interval: 100 }, distribution: { name: 'erk' } },
      0.75,
    );
    const pruner = new Pruner(spec, layers, 1000, 0.75);
    const final = pruner.layerTargets(1000);
    expect(final[0]).toBeLessThan(final[1]); // ERK: the [32, 32] parts denser than the wide fc
    for (const step of [350, 450, 650]) {
      const fraction = pruner.sparsityAt(step) / 0.75;
      for (const [i, s] of pruner.layerTargets(step).entries())
        expect(s).toBeCloseTo(final[i] * fraction, 12);
    }
  });

  it('follows the schedule at start, middle and end (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 24 })), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        fc.integer({ min: 8, max: 300 }),
        fc.integer({ min: 1, max: 50 }),
        anySeed(),
        (shapes, sparsity, steps, interval, seed) => {
          const layers = shapes.map(([r, c], i) => ({ name: `l${i}`, shape: [r, c] as [number, number] }));
          const { pruner, history, state } = simulate(layers, sparsity, steps, interval, seed);
          // every update lands exactly on the schedule's per-layer target
          for (const h of history) {
            h.pruned.forEach((p, i) => {
              const n = layers[i].shape[0] * layers[i].shape[1];
              expect(p).toBe(Math.round(h.targets[i] * n));
            });
          }
          // start: nothing pruned at t_start; end: the full target
          const tStart = Math.round(0.25 * steps);
          expect(pruner.sparsityAt(tStart)).toBe(0);
          expect(pruner.sparsityAt(Math.max(tStart, Math.round(0.75 * steps)))).toBe(sparsity);
          for (const m of state.masks) expect(countPruned(m)).toBe(Math.round(sparsity * m.length));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('with the N:M pattern: never revives a weight, hits every target, ends with every full group at n:m (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 12 })), {
          minLength: 1,
          maxLength: 3,
        }),
        fc.integer({ min: 2, max: 8 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 20, max: 200 }),
        fc.integer({ min: 1, max: 10 }),
        anySeed(),
        (shapes, m, nRaw, steps, interval, seed) => {
          const n = 1 + ((nRaw - 1) % (m - 1));
          const sparsity = 1 - n / m;
          const layers = shapes.map(([r, c], i) => ({ name: `l${i}`, shape: [r, c] as [number, number] }));
          // simulate checks at every update that no pruned weight comes back
          const { history, state } = simulate(layers, sparsity, steps, interval, seed, { name: 'nm', m });
          for (const h of history)
            h.pruned.forEach((p, i) => {
              const size = layers[i].shape[0] * layers[i].shape[1];
              expect(p).toBe(Math.round(h.targets[i] * size));
            });
          state.masks.forEach((mask, li) => {
            const [rows, cols] = layers[li].shape;
            for (let j = 0; j < cols; j++)
              for (let g = 0; g < rows; g += m) {
                let kept = 0;
                for (let i = g; i < Math.min(rows, g + m); i++) kept += mask[i * cols + j];
                // a full group holds exactly n (what an N:M kernel needs); a partial last group at most n
                if (g + m <= rows) expect(kept).toBe(n);
                else expect(kept).toBeLessThanOrEqual(n);
              }
          });
        },
      ),
      { numRuns: 150 },
    );
  });

  it('fails loudly when an algorithm misses its target', () => {
    const { pruner, rng } = gmpPruner(4);
    const state = pruner.init([rng.normalArray(16, 1)], rng);
    expect(countPruned(state.masks[0])).toBe(8);
    // a "pruner" that forgets to prune: the check inside update must throw
    const broken = withUpdate(pruner, () => ({ masks: [new Uint8Array(16).fill(1)] }));
    expect(() => broken.update(5, [new Float32Array(16)], null, state, rng)).toThrow(/missed its target/);
  });
});

/** A gmp Pruner at 50% over one [side, side] layer, reaching its target at step 0. */
function gmpPruner(side: number) {
  const layers: LayerRef[] = [{ name: 'a', shape: [side, side] }];
  const spec = resolvePrunerSpec(
    { name: 'gmp', options: {}, schedule: { start: 0, end: 0, interval: 1 } },
    0.5,
  );
  return { pruner: new Pruner(spec, layers, 10, 0.5), rng: Rng.seeded(0) };
}

/** `pruner` with its algorithm's update replaced, the Pruner's own checks and bookkeeping kept. */
function withUpdate(pruner: Pruner, update: () => { masks: Uint8Array[]; regrown?: (Uint8Array | null)[] }) {
  const swapped = Object.create(pruner) as Pruner;
  (swapped as unknown as { algorithm: unknown }).algorithm = { update, needsGradients: false };
  return swapped;
}

describe('weights entering a hard mask', () => {
  it('are reported as grown (zeroed, moments reset) even when the algorithm does not declare them', () => {
    const { pruner, rng } = gmpPruner(2);
    const state = { masks: [Uint8Array.from([1, 0, 1, 0])], algorithm: null, lastUpdate: 0 };
    // an update that moves the kept pair: entry 1 enters undeclared, entry 3 enters declared
    const moved = withUpdate(pruner, () => ({
      masks: [Uint8Array.from([0, 1, 0, 1])],
      regrown: [Uint8Array.from([0, 0, 0, 1])],
    }));
    expect([...moved.update(5, [new Float32Array(4)], null, state, rng).regrown[0]!]).toEqual([0, 1, 0, 1]);
    // nothing entering: null, as before
    const tightened = withUpdate(pruner, () => ({ masks: [Uint8Array.from([1, 0, 0, 0])] }));
    expect(tightened.update(6, [new Float32Array(4)], null, state, rng).regrown).toEqual([null]);
  });
});

describe('pruner spec', () => {
  it('turns every sparsity-0 trial into the shared dense baseline', () => {
    expect(resolvePrunerSpec({ name: 'gmp', options: {} }, 0).name).toBe('dense');
  });

  it('fills the algorithm default schedule and merges overrides', () => {
    const s = resolvePrunerSpec({ name: 'gmp', options: {}, schedule: { interval: 10 } }, 0.5);
    expect(s.schedule).toEqual({ name: 'cubic', start: 0.25, end: 0.75, interval: 10 });
    expect(s.pattern).toEqual({ name: 'unstructured' });
  });

  it('names the key of a bad option', () => {
    expect(() => resolvePrunerSpec({ name: 'gmp', options: {}, schedule: { ending: 1 } }, 0.5)).toThrow(
      /unknown key "ending"/,
    );
    expect(() => resolvePrunerSpec({ name: 'nope', options: {} }, 0.5)).toThrow(
      /unknown pruner "nope"; valid: dense, static, magnitude, gmp, global-magnitude/,
    );
    expect(() => resolvePrunerSpec({ name: 'dense', options: {} }, 0.5)).toThrow(/trains dense models/);
  });
});
