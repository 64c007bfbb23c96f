import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LawInputError } from '../../src/law/errors.js';
import { lowerBoundWarning } from '../../src/law/fit.js';
import { chinchillaForm } from '../../src/law/forms/chinchilla.js';
import { getLawForm, lawForms } from '../../src/law/forms/index.js';
import { dataScaleFor, sparseForm } from '../../src/law/forms/sparse.js';
import { flatInSparsity } from '../../src/law/optimal.js';
import type { LawPoint } from '../../src/law/types.js';
import { Rng } from '../../src/util/rng.js';

/** Twelve points at CPU scale (N' = N / 1e6 = 0.005 and 0.01): S 0/0.5/0.75 × N 5k/10k × D 100k/400k, loss 3. */
function cpuScalePoints(): LawPoint[] {
  const pts: LawPoint[] = [];
  for (const sparsity of [0, 0.5, 0.75])
    for (const nonzeroParams of [5e3, 1e4])
      for (const tokens of [1e5, 4e5]) pts.push({ sparsity, nonzeroParams, tokens, loss: 3 });
  return pts;
}

const grid: LawPoint[] = [];
for (const sparsity of [0, 0.5, 0.9])
  for (const nonzeroParams of [2e4, 3e5, 7e6])
    for (const tokens of [1e6, 3e7]) grid.push({ sparsity, nonzeroParams, tokens, loss: 3 });

describe('law forms', () => {
  it('sparse predict at a hand-computed point', () => {
    const p = { a_S: 2, b_S: 1, c_S: 1, b_N: 0.5, a_D: 100, b_D: 1, c: 0.5 };
    // (2·0.5 + 1)·100^−0.5 + (100/50)^1 + 0.5 = 0.2 + 2 + 0.5
    expect(sparseForm.predict(p, { sparsity: 0.5, nonzeroParams: 100, tokens: 50 })).toBeCloseTo(2.7, 14);
  });

  it('chinchilla predict at a hand-computed point (ignores sparsity)', () => {
    const p = { E: 1, A: 100, B: 1000, alpha: 0.5, beta: 1 };
    // 1 + 100/10000^0.5 + 1000/100
    expect(chinchillaForm.predict(p, { sparsity: 0.7, nonzeroParams: 1e4, tokens: 100 })).toBeCloseTo(12, 12);
  });

  it('D scale is the power of ten nearest the geometric mean', () => {
    expect(dataScaleFor([2.25e8, 1.8e9])).toBe(1e9); // ViT-like: geomean 6.4e8
    expect(dataScaleFor([1e6, 1e7])).toBe(1e7); // 10^6.5 rounds up
    expect(dataScaleFor([3e4])).toBe(1e4);
  });

  it('registry lists both forms and names the known ones for an unknown name', () => {
    expect(Object.keys(lawForms).sort()).toEqual(['chinchilla', 'sparse']);
    expect(() => getLawForm('kaplan')).toThrow(/known forms: sparse, chinchilla/);
    expect(() => getLawForm('kaplan')).toThrow(LawInputError);
    expect(() => getLawForm('toString')).toThrow(LawInputError);
  });

  for (const form of [sparseForm, chinchillaForm]) {
    it(`${form.name}: predict(paper) equals the internal prediction and fromPaper inverts toPaper`, () => {
      const data = form.prepare(grid);
      const pred = new Float64Array(grid.length);
      fc.assert(
        fc.property(
          fc.array(fc.double({ min: -2, max: 1, noNaN: true }), { minLength: 7, maxLength: 7 }),
          (raw) => {
            const theta = Float64Array.from(raw.slice(0, form.paramNames.length));
            form.evaluate(theta, data, pred, null);
            const params = form.toPaper(theta, data.scales);
            expect(Object.keys(params)).toEqual([...form.paramNames]);
            grid.forEach((p, i) => {
              expect(Math.abs(form.predict(params, p) / pred[i] - 1)).toBeLessThan(1e-11);
            });
            const back = form.fromPaper(params, data.scales);
            back.forEach((v, j) => {
              expect(v).toBeCloseTo(theta[j]!, 10);
            });
          },
        ),
        { seed: 7, numRuns: 60 },
      );
    });
  }

  it('sparse paper units follow a_S = a·1e6^d, a_D = D_scale·e^(1/f) (authors’ ViT fit)', () => {
    // The authors' normalised ViT optimum (jaxpruner bigsparse notebook, D' = D/1e9).
    const [a, b, c, d, e, f, g] = [
      1.30485411, 0.82101251, 2.07506343, 0.39222675, 0.27818217, 0.88979104, 4.51669257,
    ];
    const p = sparseForm.toPaper(Float64Array.from([a, b, c, d, e, f, g].map(Math.log)), {
      nScale: 1e6,
      dScale: 1e9,
    });
    expect(p['a_S']).toBeCloseTo(294.3, 0);
    expect(p['c_S']).toBeCloseTo(468.1, 0);
    expect(p['a_D'] / 2.37e8).toBeCloseTo(1, 2);
    expect(p['b_S']).toBe(b);
    expect(p['b_N']).toBe(d);
    expect(p['b_D']).toBe(f);
    expect(p['c']).toBeCloseTo(g, 14);
  });

  it('a term is at its bound 0 when it moves no prediction, however small its normalised coefficient', () => {
    // CPU-scale N: N' = N / 1e6 = 0.005 and 0.01, so with b_N = 2 the size term is multiplied by 1e4-4e4
    const pts = cpuScalePoints();
    const data = sparseForm.prepare(pts);
    // a = 5e-7 (below the old 1e-6 cut, but a·N'^-2 = 0.005-0.02 nats of a ~3 loss), c = 1e-12 (1e-7 nats)
    const theta = Float64Array.from([5e-7, 0.5, 1e-12, 2, 1, 0.3, 2.5].map(Math.log));
    expect(sparseForm.atLowerBound(theta, data)).toEqual(['c_S']);
    // the same a at paper-scale N (N' = 100-200): a·N'^-2 ≤ 5e-11, invisible
    const big = sparseForm.prepare(pts.map((q) => ({ ...q, nonzeroParams: q.nonzeroParams * 2e4 })));
    expect(sparseForm.atLowerBound(theta, big)).toEqual(['a_S', 'c_S']); // the exponents 0.5 and 2 are not at 0
    // an exponent is at 0 when its power is flat over the data: b_D = 1e-5 over D' in [1, 4]
    const flat = Float64Array.from([1e-5, 0.5, 1e-5, 2, 1, 1e-5, 2.5].map(Math.log));
    expect(sparseForm.atLowerBound(flat, data)).toEqual(['b_D']);
  });

  it('finds a coefficient at its bound at a large value when what multiplies it is small, and the warning says so', () => {
    const data = sparseForm.prepare(cpuScalePoints());
    // b_N = 4 at N' = 0.005-0.01: N'^-4 = 1e8-1.6e9, so a normalised c_S of 1e-14 adds 1e-6-1.6e-5 nats: nothing
    const theta = Float64Array.from([1e-9, 4, 1e-14, 4, 1, 0.3, 2.5].map(Math.log));
    expect(sparseForm.atLowerBound(theta, data)).toEqual(['c_S']);
    const cS = sparseForm.toPaper(theta, data.scales).c_S;
    expect(cS).toBeGreaterThan(1); // in paper units (N, not N'), far from 0
    expect(lowerBoundWarning('c_S', cS)).toBe(
      `c_S is at its lower bound 0 in effect: its term changes no prediction by more than 0.1% on these points, so the data do not support that term, and the value it ended at (${cS.toExponential(2)}) is not determined by them (0 fits them as well); figures derived from it are not either: read them with their bootstrap ranges`,
    );
    expect(lowerBoundWarning('c', 3e-13)).toBe(
      'c is at its lower bound 0: the data do not support that term',
    );
  });

  it('an exponent ran off when no prediction moves with it: b_S so large that (1 − S)^b_S is 0 at every S > 0', () => {
    const data = sparseForm.prepare(cpuScalePoints());
    // at S = 0.5: 0.5^1e4 underflows; at S = 0 the term is a_S whatever b_S is
    const steep = Float64Array.from([1e-3, 1e4, 1e-3, 0.5, 1, 0.3, 2.5].map(Math.log));
    expect(sparseForm.runOff!(steep, data)).toEqual(['b_S']);
    expect(sparseForm.atLowerBound(steep, data)).toEqual([]);
    // b_S = 3: at S = 0.5 the term moves by a_S·0.125·ln 2·3 per unit of log b_S, measurable
    const fine = Float64Array.from([1e-2, 3, 1e-3, 0.5, 1, 0.3, 2.5].map(Math.log));
    expect(sparseForm.runOff!(fine, data)).toEqual([]);
    // an exponent at its lower bound is not also said to have run off
    const flat = Float64Array.from([1e-3, 0.5, 1e-3, 0.5, 1, 1e-5, 2.5].map(Math.log));
    expect(sparseForm.runOff!(flat, data)).toEqual([]);
    // nor one whose coefficient is at its bound, which it then has no term to act on: b_S with a_S at 0
    const idle = Float64Array.from([1e-12, 0.5, 1e-3, 0.5, 1, 0.3, 2.5].map(Math.log));
    expect(sparseForm.atLowerBound(idle, data)).toEqual(['a_S']);
    expect(sparseForm.runOff!(idle, data)).toEqual([]);
    expect(flatInSparsity(sparseForm.atLowerBound(idle, data), sparseForm.runOff!(idle, data))).toBe(true);
  });
});

describe('starts of the sparse form', () => {
  it("are the authors' box, then as many scaled to the data's N with exponents up to 3", () => {
    const pts: LawPoint[] = [];
    for (const sparsity of [0, 0.5])
      for (const nonzeroParams of [1e4, 4e4]) pts.push({ sparsity, nonzeroParams, tokens: 1e5, loss: 3 });
    const data = sparseForm.prepare(pts);
    const starts = sparseForm.starts(40, Rng.seeded(3), data, () => 0);
    expect(starts).toHaveLength(80);
    const box = starts.slice(0, 40);
    const scaled = starts.slice(40);
    for (const t of box) for (const v of t) expect(Math.exp(v)).toBeLessThanOrEqual(1);
    // mean log N' = log(2e4 / 1e6): a·N'^−d at the data's N is a box value again
    const meanLogN = Math.log(2e-2);
    for (const t of scaled) {
      const d = Math.exp(t[3]);
      expect(Math.exp(t[0] - d * meanLogN)).toBeLessThanOrEqual(1);
      expect(Math.exp(t[0] - d * meanLogN)).toBeGreaterThanOrEqual(0.02);
      for (const k of [1, 3, 5]) expect(Math.exp(t[k])).toBeLessThanOrEqual(3);
    }
    expect(Math.max(...scaled.map((t) => Math.exp(t[3])))).toBeGreaterThan(1);
  });
});
