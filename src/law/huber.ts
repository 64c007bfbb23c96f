/**
 * The Huber loss and its derivative (Huber 1964), as used for scaling-law fits by Hoffmann et al. 2022
 * (https://arxiv.org/abs/2203.15556) and Frantar et al. 2023 (https://arxiv.org/abs/2309.08520):
 * quadratic for |r| ≤ δ, linear beyond, so a few bad runs do not dominate the fit.
 *
 * ρ(r) = r²/2 if |r| ≤ δ, else δ·(|r| − δ/2).
 */
export function huber(r: number, delta: number): number {
  const a = Math.abs(r);
  return a <= delta ? 0.5 * r * r : delta * (a - 0.5 * delta);
}

/** dρ/dr: r clipped to [−δ, δ]. Continuous; the second derivative jumps at |r| = δ. */
export function huberDerivative(r: number, delta: number): number {
  if (r > delta) return delta;
  if (r < -delta) return -delta;
  return r;
}
