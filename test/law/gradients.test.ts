import { describe, expect, it } from 'vitest';
import { chinchillaForm } from '../../src/law/forms/chinchilla.js';
import { sparseForm } from '../../src/law/forms/sparse.js';
import { makeObjective } from '../../src/law/objective.js';
import type { LawPoint } from '../../src/law/types.js';
import { Rng } from '../../src/util/rng.js';

/** Points with losses spread around the law so residuals fall on both sides of δ. */
function points(seed: number): LawPoint[] {
  const rng = Rng.seeded(seed);
  return Array.from({ length: 30 }, () => ({
    sparsity: [0, 0.5, 0.75, 0.875][rng.int(4)],
    nonzeroParams: 10 ** (4 + 3 * rng.uniform()),
    tokens: 10 ** (5.5 + 2.5 * rng.uniform()),
    loss: 2 + 3 * rng.uniform(),
  }));
}

function centralDifference(f: (x: Float64Array) => number, x: Float64Array, j: number, h: number): number {
  const xp = Float64Array.from(x);
  const xm = Float64Array.from(x);
  xp[j] += h;
  xm[j] -= h;
  return (f(xp) - f(xm)) / (2 * h);
}

describe('analytic gradients', () => {
  for (const form of [sparseForm, chinchillaForm]) {
    it(`${form.name}: Jacobian ∂pred/∂θ matches central differences`, () => {
      const pts = points(1);
      const data = form.prepare(pts);
      const k = form.paramNames.length;
      const rng = Rng.seeded(2);
      for (let trial = 0; trial < 5; trial++) {
        const theta = Float64Array.from({ length: k }, () => -1.5 + 2 * rng.uniform());
        const pred = new Float64Array(pts.length);
        const jac = new Float64Array(pts.length * k);
        form.evaluate(theta, data, pred, jac);
        for (let i = 0; i < pts.length; i++) {
          for (let j = 0; j < k; j++) {
            const single = (x: Float64Array) => {
              const out = new Float64Array(pts.length);
              form.evaluate(x, data, out, null);
              return out[i];
            };
            const fd = centralDifference(single, theta, j, 1e-6);
            expect(Math.abs(jac[i * k + j] - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
          }
        }
      }
    });

    for (const loss of ['huber-log', 'huber'] as const) {
      it(`${form.name}, ${loss}: objective gradient matches central differences (with weights)`, () => {
        const pts = points(3);
        const data = form.prepare(pts);
        const k = form.paramNames.length;
        const rng = Rng.seeded(4);
        const weights = Float64Array.from(pts, () => rng.int(4));
        for (const delta of [1e-3, 0.05, 10]) {
          const objective = makeObjective({
            form,
            data,
            measured: Float64Array.from(pts, (p) => p.loss),
            loss,
            delta,
            weights,
          });
          const theta = Float64Array.from({ length: k }, () => -1 + 1.5 * rng.uniform());
          const grad = new Float64Array(k);
          const f0 = objective(theta, grad);
          expect(f0).toBeGreaterThan(0);
          for (let j = 0; j < k; j++) {
            const fd = centralDifference((x) => objective(x, null), theta, j, 1e-6);
            expect(Math.abs(grad[j] - fd)).toBeLessThan(1e-6 * Math.max(f0, Math.abs(fd)));
          }
        }
      });
    }
  }

  it('objective is the weighted mean Huber loss (hand-computed, raw residuals)', () => {
    const pts: LawPoint[] = [
      { sparsity: 0, nonzeroParams: 1e6, tokens: 1e9, loss: 1 },
      { sparsity: 0.5, nonzeroParams: 1e6, tokens: 1e9, loss: 2 },
    ];
    const data = sparseForm.prepare(pts);
    // θ = log of (a,b,c,d,e,f,g) = (1,1,1,1,1,1,1): N' = 1, D' = 1 ⇒ pred = (1·(1−S) + 1) + 1 + 1
    const theta = new Float64Array(7);
    const measured = Float64Array.from(pts, (p) => p.loss);
    // preds 4 and 3.5 ⇒ residuals 3 and 1.5; δ = 1 ⇒ ρ = 2.5 and 1; weights 1 and 3 ⇒ (2.5 + 3)/4
    const objective = makeObjective({
      form: sparseForm,
      data,
      measured,
      loss: 'huber',
      delta: 1,
      weights: Float64Array.from([1, 3]),
    });
    expect(objective(theta, null)).toBeCloseTo(5.5 / 4, 14);
  });
});
