import { describe, expect, it } from 'vitest';
import { matmul2d } from '../../src/engine/ops.js';
import { Rng } from '../../src/util/rng.js';
import { onBackend, tf } from '../helpers/tf.js';

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('engine ops', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`matmul2d has tf.matMul's value and gradients on ${backend}`, async () => {
      await onBackend(backend, () => {
        const r = Rng.seeded(1);
        const a = tf.tensor2d(r.normalArray(5 * 7, 1), [5, 7]);
        const b = tf.tensor2d(r.normalArray(7 * 3, 1), [7, 3]);
        const w = tf.tensor2d(r.normalArray(5 * 3, 1), [5, 3]);
        const f1 = (x: tf.Tensor2D, y: tf.Tensor2D) => tf.sum(tf.mul(matmul2d(x, y), w));
        const f2 = (x: tf.Tensor2D, y: tf.Tensor2D) => tf.sum(tf.mul(tf.matMul(x, y), w));
        const [ga1, gb1] = tf.grads(f1 as never)([a, b]);
        const [ga2, gb2] = tf.grads(f2 as never)([a, b]);
        expect(maxDiff(matmul2d(a, b).dataSync(), tf.matMul(a, b).dataSync())).toBeLessThan(1e-5);
        expect(maxDiff(ga1.dataSync(), ga2.dataSync())).toBeLessThan(1e-5);
        expect(maxDiff(gb1.dataSync(), gb2.dataSync())).toBeLessThan(1e-5);
      });
    });
  }

  it('trains an embedding on wasm: the gather gradient (UnsortedSegmentSum) matches cpu', async () => {
    const run = () => {
      const table = tf.tensor2d(
        Float32Array.from({ length: 12 }, (_, i) => i / 10),
        [4, 3],
      );
      const ids = tf.tensor1d([0, 2, 2, 3, 0, 0], 'int32');
      const w = tf.tensor2d(
        Float32Array.from({ length: 18 }, (_, i) => (i % 5) - 2),
        [6, 3],
      );
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), w)))(table);
      return Array.from(g.dataSync());
    };
    const onCpu = await onBackend('cpu', run);
    const onWasm = await onBackend('wasm', run);
    expect(onWasm).toEqual(onCpu);
    // hand check: row 0 gets w rows 0, 4, 5; row 1 nothing
    expect(onCpu.slice(3, 6)).toEqual([0, 0, 0]);
  });
});
