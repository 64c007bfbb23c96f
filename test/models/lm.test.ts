import { describe, expect, it } from 'vitest';
import { type LmShape, lmFamily } from '../../src/models/lm.js';
import { Rng } from '../../src/util/rng.js';
import { expectGradientsMatchFiniteDifferences } from '../helpers/gradcheck.js';
import { onBackend, tf } from '../helpers/tf.js';

const shape: LmShape = {
  family: 'lm',
  vocab_size: 11,
  seq_len: 5,
  d_model: 8,
  n_layers: 2,
  n_heads: 2,
  d_ff: 12,
  tied_embeddings: true,
};

function batch(rng: Rng) {
  const tokens = new Int32Array(3 * 6);
  for (let i = 0; i < tokens.length; i++) tokens[i] = rng.int(11);
  return { tokens, batchSize: 3, seqLen: 5 };
}

function tensors(values: Map<string, Float32Array>) {
  return new Map(lmFamily.params(shape).map((p) => [p.name, tf.tensor(values.get(p.name)!, p.shape)]));
}

describe('lm model', () => {
  it('starts near ln(vocab) and has the documented parameter layout', async () => {
    await onBackend('cpu', () => {
      const rng = Rng.seeded(0);
      const loss = lmFamily.loss(shape, tensors(lmFamily.init(shape, rng)), batch(rng)).dataSync()[0];
      expect(Math.abs(loss - Math.log(11))).toBeLessThan(0.1);
      const names = lmFamily.params(shape).map((p) => p.name);
      expect(names).toContain('layers.1.mlp.proj');
      expect(names).not.toContain('head'); // tied
      expect(lmFamily.params({ ...shape, tied_embeddings: false }).map((p) => p.name)).toContain('head');
    });
  });

  it('gradients match finite differences (cpu, directional check per parameter)', async () => {
    await onBackend('cpu', () => {
      const rng = Rng.seeded(5);
      const init = lmFamily.init(shape, rng);
      // larger weights than the init so every path carries signal
      for (const [name, v] of init) if (!name.includes('ln')) for (let i = 0; i < v.length; i++) v[i] *= 10;
      const b = batch(rng);
      expectGradientsMatchFiniteDifferences(lmFamily, shape, init, b, rng);
    });
  });
});
