import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitColumns } from '../../src/sparsity/packed.js';
import { fanIn } from '../../src/sparsity/patterns/constant-fan-in.js';
import { algorithms, patterns } from '../../src/sparsity/registry.js';
import { resolvePrunerSpec } from '../../src/sparsity/spec.js';
import { countPruned } from '../../src/sparsity/top-k.js';
import type { LayerRef, Mask } from '../../src/sparsity/types.js';
import { writeSafetensors } from '../../src/store/weights.js';
import { tempDir } from '../helpers/config.js';
import { anySeed } from '../helpers/seed.js';
import { groupCounts, simulate } from './simulate.js';

const ones = (m: Mask) => m.reduce((a, b) => a + b, 0);

function columns(mask: Mask, [rows, cols]: [number, number]): number[] {
  return Array.from({ length: cols }, (_, j) => {
    let c = 0;
    for (let i = 0; i < rows; i++) c += mask[i * cols + j];
    return c;
  });
}

/** Short schedules so a 40-step fake run has several updates. */
const SCHEDULES: Record<string, Record<string, unknown>> = {
  cubic: { name: 'cubic', start: 0.1, end: 0.7, interval: 3 },
  periodic: { interval: 4, end: 0.75 },
  'one-shot': { name: 'one-shot', at: 0.3 },
};

const DROP_GROW = new Set(['set', 'rigl', 'srigl']);
const combos = algorithms
  .all()
  .filter((a) => a.name !== 'dense')
  .flatMap((a) => (a.patterns ?? patterns.names()).map((p) => [a.name, p] as const));

// from-dense needs a weights file to resolve; the fake run draws its own weights (the trainer test loads them)
const pretrained = join(tempDir(), 'dense.safetensors');
writeSafetensors(pretrained, { params: [], masks: new Map() }, {});
const OPTIONS: Record<string, Record<string, unknown>> = { 'from-dense': { weights: pretrained } };

/** [n_in, n_out of one part, parts]: a packed layer (q, k, v in one) is 2 or 3 matrices side by side. */
const layerShapes = fc.array(
  fc.tuple(fc.integer({ min: 1, max: 14 }), fc.integer({ min: 1, max: 10 }), fc.constantFrom(1, 1, 2, 3)),
  { minLength: 1, maxLength: 3 },
);

describe.each(combos)('%s with pattern %s', (name, pattern) => {
  it('lands every update on its scheduled count in every part of a layer and keeps its pattern (property)', () => {
    const algorithm = algorithms.get(name);
    fc.assert(
      fc.property(
        layerShapes,
        fc.integer({ min: 1, max: 7 }),
        fc.double({ min: 0.05, max: 0.95, noNaN: true }),
        fc.boolean(),
        anySeed(),
        (shapes, nmSeed, sRaw, useErk, seed) => {
          const m = [2, 4, 8][nmSeed % 3];
          const n = 1 + (nmSeed % (m - 1));
          const sparsity = pattern === 'nm' ? 1 - n / m : sRaw;
          const def = algorithm.defaultSchedule.name;
          const spec = resolvePrunerSpec(
            {
              name,
              options: OPTIONS[name] ?? {},
              pattern: pattern === 'nm' ? { name: 'nm', m } : pattern,
              distribution: pattern !== 'nm' && useErk ? 'erk' : 'uniform',
              schedule: SCHEDULES[def] ?? { name: def },
            },
            sparsity,
          );
          const layers: LayerRef[] = shapes.map(([r, c, parts], i) => ({
            name: `l${i}`,
            shape: [r, c * parts],
            ...(parts > 1 ? { parts } : {}),
          }));
          const { records } = simulate(spec, layers, sparsity, 40, seed);
          expect(records.length).toBeGreaterThan(algorithm.defaultSchedule.name === 'none' ? 0 : 1);
          for (const rec of records) {
            let got = 0;
            let want = 0;
            rec.after.forEach((whole, li) => {
              const [rows, , parts] = shapes[li];
              // each part is checked as the separate matrix it stands for
              for (const mask of splitColumns(whole, layers[li].shape, parts)) {
                const shape: [number, number] = [rows, shapes[li][1]];
                checkPart(mask, shape, rec.targets[li]);
              }
            });
            rec.after.forEach((mask, li) => {
              if (rec.step > 0 && DROP_GROW.has(name)) {
                const before = rec.before[li];
                if (name !== 'srigl') expect(ones(mask)).toBe(ones(before)); // drop/grow keeps the count
                const grown = rec.regrown[li];
                for (let i = 0; i < mask.length; i++) {
                  expect(grown ? grown[i] : 0).toBe(mask[i] & (1 - before[i]));
                }
              }
            });
            if (algorithm.globalRanking) expect(Math.abs(got - want)).toBeLessThanOrEqual(1);

            function checkPart(mask: Mask, shape: [number, number], layerTarget: number): void {
              const size = shape[0] * shape[1];
              const target = Math.round(layerTarget * size);
              got += countPruned(mask);
              want += target;
              if (name === 'srigl') {
                // neuron ablation: live columns share one fan-in, never denser than scheduled
                const live = columns(mask, shape).filter((c) => c > 0);
                expect(new Set(live).size).toBeLessThanOrEqual(1);
                expect(countPruned(mask)).toBeGreaterThanOrEqual(target);
                expect(countPruned(mask) - target).toBeLessThan(Math.max(1, shape[1]));
              } else if (!algorithm.globalRanking) {
                expect(Math.abs(countPruned(mask) - target)).toBeLessThanOrEqual(1);
              }
              if (pattern === 'constant-fan-in' && name !== 'srigl') {
                const k = layerTarget > 0 ? fanIn(shape[0], layerTarget) : shape[0];
                for (const c of columns(mask, shape)) expect(c).toBe(k);
              }
              if (pattern === 'nm' && Math.abs(layerTarget - sparsity) < 1e-9) {
                for (const c of groupCounts(mask, shape, m)) expect(c).toBeLessThanOrEqual(n);
              }
            }
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('drop/grow', () => {
  it('actually moves weights: RigL regrows where the gradient is largest', () => {
    const spec = resolvePrunerSpec({ name: 'rigl', options: {}, schedule: { interval: 5, end: 1 } }, 0.5);
    const layers: LayerRef[] = [{ name: 'a', shape: [8, 8] }];
    const { records } = simulate(spec, layers, 0.5, 30, 3);
    const grown = records.slice(1).reduce((a, r) => a + (r.regrown[0] ? ones(r.regrown[0]) : 0), 0);
    expect(grown).toBeGreaterThan(0);
  });
});

describe('a misspelt algorithm', () => {
  it('is the one error: the default schedule it would have had is unknown, so its options are not judged', () => {
    const resolve = () =>
      resolvePrunerSpec({ name: 'gpm', options: {}, schedule: { start: 0.25, end: 0.75 } }, 0.5);
    // one PathError naming the algorithms, not a list with "pruner.schedule.start: none: unknown key" beside it
    expect(resolve).toThrow(/^unknown pruner "gpm"; valid: dense, static, magnitude, gmp, [a-z, -]+$/);
    // a schedule named is still checked beside it
    expect(() =>
      resolvePrunerSpec({ name: 'gpm', options: {}, schedule: { name: 'cubic', bogus: 1 } }, 0.5),
    ).toThrow(/bogus/);
  });
});
