import { describe, expect, it } from 'vitest';
import { huber, huberDerivative } from '../../src/law/huber.js';

describe('huber', () => {
  it('is quadratic inside δ and linear outside (hand-computed)', () => {
    expect(huber(0.5, 1)).toBe(0.125); // 0.5²/2
    expect(huber(-0.5, 1)).toBe(0.125);
    expect(huber(1, 1)).toBe(0.5); // at the joint both branches give δ²/2
    expect(huber(2, 1)).toBe(1.5); // 1·(2 − 0.5)
    expect(huber(-3, 0.5)).toBe(1.375); // 0.5·(3 − 0.25)
    expect(huber(0.002, 1e-3)).toBeCloseTo(1.5e-6, 15); // 1e-3·(0.002 − 0.0005)
  });

  it('has the clipped residual as derivative (hand-computed)', () => {
    expect(huberDerivative(0.3, 1)).toBe(0.3);
    expect(huberDerivative(5, 1)).toBe(1);
    expect(huberDerivative(-5, 0.01)).toBe(-0.01);
  });

  it('derivative matches central differences away from the joint', () => {
    for (const [r, delta] of [
      [0.37, 1],
      [-0.8, 0.5],
      [3e-3, 1e-3],
      [-4e-4, 1e-3],
    ] as const) {
      const h = 1e-7 * Math.max(Math.abs(r), delta);
      const fd = (huber(r + h, delta) - huber(r - h, delta)) / (2 * h);
      expect(huberDerivative(r, delta)).toBeCloseTo(fd, 6);
    }
  });
});
