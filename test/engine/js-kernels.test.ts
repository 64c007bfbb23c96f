import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/rng.js';
import { onBackend, tf } from '../helpers/tf.js';

/** Runs `f` on cpu and on wasm (whose SplitV, GatherV2, Identity and Cast are ours) and compares. */
async function same<T>(f: () => T): Promise<void> {
  const want = await onBackend('cpu', f);
  const got = await onBackend('wasm', f);
  expect(got).toEqual(want);
}

const values = (t: tf.Tensor) => ({ shape: t.shape, dtype: t.dtype, values: Array.from(t.dataSync()) });

describe('wasm JS kernels agree with cpu', () => {
  const x = () => tf.tensor(Rng.seeded(2).normalArray(2 * 6 * 3, 1), [2, 6, 3]);

  for (const [sizes, axis] of [
    [3, 1],
    [[1, 2, 3], 1],
    [[2, -1], -1],
    [2, 0],
    [[4, 2], 1],
  ] as [number | number[], number][])
    it(`split ${JSON.stringify(sizes)} along ${axis}`, () =>
      same(() => tf.split(x(), sizes, axis).map(values)));

  it('gather rows (any index shape, repeats) and along another axis', () =>
    same(() => [
      values(tf.gather(x(), tf.tensor2d([1, 0, 1, 1], [2, 2], 'int32'))),
      values(tf.gather(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32'), tf.tensor1d([2, 0], 'int32'))),
      values(tf.gather(x(), tf.tensor1d([2, 0], 'int32'), 1)),
      values(
        tf.gather(
          tf.tensor2d([true, false, false, false, true, true], [3, 2], 'bool'),
          tf.tensor1d([2, 0, 2], 'int32'),
        ),
      ),
    ]));

  it('identity and same-dtype cast share data; a shared tensor outlives its source', () =>
    same(() => {
      const a = x();
      const b = tf.clone(a);
      const c = tf.cast(a, 'float32');
      a.dispose();
      const d = tf.cast(tf.tensor1d([1.7, -2.2]), 'int32');
      return [values(b), values(c), values(d)];
    }));
});
