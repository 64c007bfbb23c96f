import { describe, expect, it } from 'vitest';
import { bfgs } from '../../src/law/bfgs.js';
import { newtonStep, scaledGradient } from '../../src/law/convergence.js';
import { choleskySolve } from '../../src/law/linalg.js';
import { wolfeLineSearch } from '../../src/law/line-search.js';
import type { Objective } from '../../src/law/objective.js';

const rosenbrock: Objective = (x, g) => {
  const [a, b] = [x[0], x[1]];
  if (g) {
    g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
    g[1] = 200 * (b - a * a);
  }
  return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
};

/** An ill-conditioned quadratic times `scale`, minimum 0.5·scale at (1, 2, 3). */
function quadratic(scale: number): Objective {
  const d = [1, 100, 1e4];
  const c = [1, 2, 3];
  return (x, g) => {
    let f = 0.5;
    for (let i = 0; i < 3; i++) {
      f += 0.5 * d[i] * (x[i] - c[i]) ** 2;
      if (g) g[i] = scale * d[i] * (x[i] - c[i]);
    }
    return scale * f;
  };
}

const relative = (f: number, g: Float64Array) => scaledGradient(f, g, 0);

describe('BFGS (Nocedal & Wright Alg. 6.1)', () => {
  it('minimises the Rosenbrock function from (−1.2, 1)', () => {
    const absolute = (_f: number, g: Float64Array) => Math.max(Math.abs(g[0]), Math.abs(g[1]));
    const r = bfgs(rosenbrock, Float64Array.from([-1.2, 1]), {
      stopMeasure: absolute,
      stopTolerance: 1e-10,
      maxIterations: 500,
    });
    expect(r.reason).toBe('gradient');
    expect(r.x[0]).toBeCloseTo(1, 6);
    expect(r.x[1]).toBeCloseTo(1, 6);
    expect(r.iterations).toBeLessThan(100);
  });

  it('is unaffected by the objective’s magnitude (mean Huber with δ = 1e-3 is ~1e-12)', () => {
    // An absolute gradient tolerance of 1e-5 would stop the tiny-scale problem at its start; the
    // relative stopping rule and a fixed-length first step do not care about the scale.
    for (const scale of [1, 1e-12]) {
      const r = bfgs(quadratic(scale), Float64Array.from([0, 0, 0]), {
        stopMeasure: relative,
        stopTolerance: 1e-10,
        maxIterations: 200,
      });
      expect(r.x[0]).toBeCloseTo(1, 6);
      expect(r.x[1]).toBeCloseTo(2, 6);
      expect(r.x[2]).toBeCloseTo(3, 6);
    }
  });

  it('stops with max-iterations and leaves judging convergence to the caller', () => {
    const r = bfgs(rosenbrock, Float64Array.from([-1.2, 1]), {
      stopMeasure: relative,
      stopTolerance: 1e-12,
      maxIterations: 3,
    });
    expect(r.reason).toBe('max-iterations');
    expect(newtonStep(rosenbrock, r.x)).not.toBeNull();
    expect(newtonStep(rosenbrock, r.x)!).toBeGreaterThan(1e-2);
  });

  it('reports a non-finite start', () => {
    const r = bfgs(() => Number.POSITIVE_INFINITY, Float64Array.from([0]), {
      stopMeasure: relative,
      stopTolerance: 1e-8,
      maxIterations: 10,
    });
    expect(r.reason).toBe('non-finite-start');
  });

  it('line search returns a point satisfying the strong Wolfe conditions', () => {
    const x = Float64Array.from([-1.2, 1]);
    const g = new Float64Array(2);
    const f = rosenbrock(x, g);
    const p = Float64Array.from([-g[0], -g[1]]);
    const d = g[0] * p[0] + g[1] * p[1];
    const ls = wolfeLineSearch(rosenbrock, { alpha: 0, x, f, g, d }, p, 1e-3);
    expect(ls.ok && ls.strong).toBe(true);
    const q = ls.point;
    expect(q.f).toBeLessThanOrEqual(f + 1e-4 * q.alpha * d);
    expect(Math.abs(q.d)).toBeLessThanOrEqual(0.9 * Math.abs(d));
  });

  it('line search meets both strong Wolfe conditions where a short first step does not (1-D hand cases)', () => {
    // f = (x − 1)², from 0 along p = 2: α = 0.01 decreases f but its slope −3.92 is still steeper than 0.9·|−4|
    const bowl: Objective = (x, g) => {
      if (g) g[0] = 2 * (x[0] - 1);
      return (x[0] - 1) ** 2;
    };
    const x0 = Float64Array.from([0]);
    const g0 = new Float64Array(1);
    const f0 = bowl(x0, g0);
    const p = Float64Array.from([2]);
    const d0 = g0[0] * p[0];
    const ls = wolfeLineSearch(bowl, { alpha: 0, x: x0, f: f0, g: g0, d: d0 }, p, 0.01);
    expect(ls.ok && ls.strong).toBe(true);
    expect(ls.point.f).toBeLessThanOrEqual(f0 + 1e-4 * ls.point.alpha * d0);
    expect(Math.abs(ls.point.d)).toBeLessThanOrEqual(0.9 * Math.abs(d0));
    // f = cos x + 0.1x from 0.3, downhill: the bracket must be zoomed on its right side to meet them
    const wave: Objective = (x, g) => {
      if (g) g[0] = -Math.sin(x[0]) + 0.1;
      return Math.cos(x[0]) + 0.1 * x[0];
    };
    const x1 = Float64Array.from([0.3]);
    const g1 = new Float64Array(1);
    const f1 = wave(x1, g1);
    const q = Float64Array.from([Math.sin(0.3) - 0.1]);
    const d1 = g1[0] * q[0];
    const w = wolfeLineSearch(wave, { alpha: 0, x: x1, f: f1, g: g1, d: d1 }, q, 0.01);
    expect(w.ok && w.strong).toBe(true);
    expect(Math.abs(w.point.d)).toBeLessThanOrEqual(0.9 * Math.abs(d1));
  });

  it('line search backs off from non-finite values', () => {
    const wall: Objective = (x, g) => {
      if (x[0] > 1) return Number.POSITIVE_INFINITY;
      if (g) g[0] = 2 * (x[0] - 0.9);
      return (x[0] - 0.9) ** 2;
    };
    const x = Float64Array.from([0]);
    const g = new Float64Array(1);
    const f = wall(x, g);
    const ls = wolfeLineSearch(wall, { alpha: 0, x, f, g, d: -g[0] * g[0] }, Float64Array.from([-g[0]]), 100);
    expect(ls.ok).toBe(true);
    expect(ls.point.x[0]).toBeLessThanOrEqual(1);
    expect(ls.point.f).toBeLessThan(f);
  });
});

describe('Cholesky solve', () => {
  it('solves a hand-computed SPD system and rejects an indefinite one', () => {
    // [[4, 2], [2, 3]] x = [2, 1] ⇒ x = [0.5, 0]
    const x = choleskySolve(Float64Array.from([4, 2, 2, 3]), Float64Array.from([2, 1]))!;
    expect(x[0]).toBeCloseTo(0.5, 14);
    expect(x[1]).toBeCloseTo(0, 14);
    expect(choleskySolve(Float64Array.from([1, 2, 2, 1]), Float64Array.from([1, 1]))).toBeNull();
  });
});

describe('convergence of a start with a coefficient at its bound', () => {
  // F = (θ₀ − 1)² + k·e^θ₁ + 1: θ₀ at its optimum, θ₁ (log of a coefficient) heading to −∞, the bound 0
  const k = 3;
  const atBound: Objective = (theta, g) => {
    if (g) {
      g[0] = 2 * (theta[0] - 1);
      g[1] = k * Math.exp(theta[1]);
    }
    return (theta[0] - 1) ** 2 + k * Math.exp(theta[1]) + 1;
  };
  const theta = Float64Array.from([1 + 1e-9, -12]);

  it("judges the other coordinates alone: the bound's own Newton step is ≈ 1 however close they are", () => {
    expect(newtonStep(atBound, theta)!).toBeCloseTo(1, 3);
    expect(newtonStep(atBound, theta, [1])!).toBeLessThan(1e-6);
    // and the scaled gradient: k·e^−12 / F ≈ 1.8e-5, above 1e-5, until the bound is left out
    expect(scaledGradient(1, Float64Array.from([2e-9, k * Math.exp(-12)]), 0)).toBeGreaterThan(1e-5);
    expect(scaledGradient(1, Float64Array.from([2e-9, k * Math.exp(-12)]), 0, [1])).toBeLessThan(1e-8);
  });
});
