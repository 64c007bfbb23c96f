import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { condense, condensedMatmul, denseMatmul } from '../../src/sparsity/condensed.js';
import { constantFanIn } from '../../src/sparsity/patterns/constant-fan-in.js';
import { Rng } from '../../src/util/rng.js';
import { anySeed } from '../helpers/seed.js';

describe('condensed constant fan-in layers', () => {
  it('stores k values and input indices per live neuron (hand case)', () => {
    // [3, 2]: neuron 0 keeps inputs 0 and 2 (0.5, −1), neuron 1 keeps inputs 1 and 2 (2, 3)
    const w = Float32Array.from([0.5, 0, 0, 2, -1, 3]);
    const mask = Uint8Array.from([1, 0, 0, 1, 1, 1]);
    const c = condense(w, mask, [3, 2]);
    expect(c.k).toBe(2);
    expect([...c.neurons]).toEqual([0, 1]);
    expect([...c.values]).toEqual([0.5, -1, 2, 3]);
    expect([...c.indices]).toEqual([0, 2, 1, 2]);
    // x = [1, 2, 3]: y0 = 0.5 − 3 = −2.5, y1 = 4 + 9 = 13
    expect([...condensedMatmul(Float32Array.from([1, 2, 3]), 1, c)]).toEqual([-2.5, 13]);
  });

  it('drops ablated neurons (they output 0) and refuses masks that are not constant fan-in', () => {
    const c = condense(Float32Array.from([1, 2, 3, 4]), Uint8Array.from([1, 0, 1, 0]), [2, 2]);
    expect([...c.neurons]).toEqual([0]);
    expect([...condensedMatmul(Float32Array.from([1, 1]), 1, c)]).toEqual([4, 0]);
    expect(() => condense(new Float32Array(4), Uint8Array.from([1, 1, 1, 0]), [2, 2])).toThrow(
      /not constant fan-in/,
    );
  });

  it('computes what the dense masked layer computes (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 24 }),
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 1, max: 4 }),
        fc.double({ min: 0, max: 0.95, noNaN: true }),
        anySeed(),
        (nIn, nOut, batch, s, seed) => {
          const rng = Rng.seeded(seed);
          const w = rng.normalArray(nIn * nOut, 1);
          const mask = constantFanIn.select(w.map(Math.abs), [nIn, nOut], s, {});
          for (let i = 0; i < w.length; i++) if (!mask[i]) w[i] = 0;
          const x = rng.normalArray(batch * nIn, 1);
          const dense = denseMatmul(x, batch, w, [nIn, nOut]);
          const cond = condensedMatmul(x, batch, condense(w, mask, [nIn, nOut]));
          for (let i = 0; i < dense.length; i++) expect(cond[i]).toBeCloseTo(dense[i], 4);
        },
      ),
    );
  });
});
