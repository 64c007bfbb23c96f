import { expect } from 'vitest';
import type { Batch, ModelFamily } from '../../src/models/types.js';
import type { Rng } from '../../src/util/rng.js';
import { tf } from './tf.js';

/**
 * Checks a family's gradients against central finite differences, one directional derivative per parameter:
 * ⟨∇_p L, u⟩ ≈ (L(p + εu) − L(p − εu)) / 2ε for a random direction u. Float32 and ε = 2e-3 allow an absolute
 * error of 2e-3 plus 2% of the derivative. Run on the cpu backend.
 */
export function expectGradientsMatchFiniteDifferences<S, B extends Batch>(
  family: ModelFamily<S, B>,
  shape: S,
  values: Map<string, Float32Array>,
  batch: B,
  rng: Rng,
): void {
  const infos = family.params(shape);
  const names = infos.map((p) => p.name);
  const tensors = (vals: Map<string, Float32Array>) =>
    new Map(infos.map((p) => [p.name, tf.tensor(vals.get(p.name)!, p.shape)]));
  const at = tensors(values);
  const grads = tf.grads((...xs: tf.Tensor[]) =>
    family.loss(shape, new Map(names.map((n, i) => [n, xs[i]])), batch),
  )(names.map((n) => at.get(n)!));
  const lossAt = (vals: Map<string, Float32Array>) => family.loss(shape, tensors(vals), batch).dataSync()[0];
  const eps = 2e-3;
  names.forEach((name, k) => {
    const g = grads[k].dataSync() as Float32Array;
    const dir = rng.normalArray(g.length, 1);
    let analytic = 0;
    for (let i = 0; i < g.length; i++) analytic += g[i] * dir[i];
    const shifted = (sign: number) =>
      new Map(values).set(
        name,
        values.get(name)!.map((w, i) => w + sign * eps * dir[i]),
      );
    const numeric = (lossAt(shifted(1)) - lossAt(shifted(-1))) / (2 * eps);
    expect(Math.abs(analytic - numeric), name).toBeLessThan(2e-3 + 2e-2 * Math.abs(numeric));
  });
}
