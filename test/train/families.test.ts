import { describe, expect, it } from 'vitest';
import type { TrialSpec } from '../../src/config/trial-spec.js';
import { layoutForInput } from '../../src/data/span-corruption.js';
import type { MetricPoint } from '../../src/store/types.js';
import { trainTrial } from '../../src/train/trainer.js';
import { planOf } from '../helpers/config.js';

async function run(spec: TrialSpec) {
  const points: MetricPoint[] = [];
  const out = await trainTrial(spec, { onMetrics: (p) => points.push(...p) });
  points.push(...out.lastPoints);
  return { out, train: points.filter((p) => p.name === 'train_loss').map((p) => p.value), points };
}

const T5 = `name: t5floor
model: {family: t5}
# every token uniform over 8: a masked token carries ln 8 nats, sentinels and EOS none
data: {source: synthetic, vocab_size: 8, branching: 8, train_tokens: 100000, validation_tokens: 8000}
train: {batch_size: 16, seq_len: 24, eval_interval: 100, eval_tokens: 1536, optimizer: {lr: 1e-2}}
sweep: {sparsity: 0.5, nonzero_params: 8k, tokens: 150k}
`;

const VIT = `name: vitfloor
model: {family: vit, patch_size: 4}
data: {source: synthetic-images, classes: 4, size: 8, label_noise: 0.1, train_images: 4000, validation_images: 512}
train: {batch_size: 32, eval_interval: 100, eval_tokens: 512}
sweep: {sparsity: 0.5, nonzero_params: 5k, tokens: 12k}
`;

describe('model families train toward their floors', () => {
  it('t5 on span corruption of i.i.d. tokens reaches noise·ln(8)/target_len', async () => {
    const spec = planOf(T5).trials[0].spec;
    const layout = layoutForInput(24, 0.15, 3);
    const floor = (layout.noiseTokens * Math.log(8)) / layout.targetLen;
    const { out } = await run(spec);
    expect(out.result.finalValLoss).toBeLessThan(floor + 0.05);
    expect(out.result.finalValLoss).toBeGreaterThan(floor - 0.03);
    expect(out.result.achievedSparsity).toBe(0.5);
    expect(out.result.tokens).toBe(spec.steps * 16 * 24); // D counts encoder input tokens
  });

  it('vit on synthetic images reaches the label-noise entropy and records accuracy', async () => {
    const spec = planOf(VIT).trials[0].spec;
    const e = 0.1;
    const floor = -(1 - e) * Math.log(1 - e) - e * Math.log(e / 3);
    const { out, points } = await run(spec);
    expect(out.result.finalValLoss).toBeLessThan(floor + 0.06);
    expect(out.result.finalValAccuracy).toBeGreaterThan(0.85);
    expect(points.some((p) => p.name === 'val_accuracy')).toBe(true);
    expect(out.result.tokens).toBe(spec.steps * 32); // D counts images
  });

  for (const [name, text] of [
    ['t5', T5],
    [
      't5 v1.1 (gated GELU, untied head, z-loss)',
      T5.replace(
        'model: {family: t5}',
        'model: {family: t5, ff_activation: gated-gelu, tied_embeddings: false}',
      ).replace('optimizer: {lr: 1e-2}}', 'optimizer: {lr: 1e-2}, z_loss: 1e-4}'),
    ],
    ['vit', VIT],
  ] as const) {
    it(`${name}: cpu and wasm agree to 1e-4 over several steps`, async () => {
      const full = planOf(text).trials[0].spec;
      const spec: TrialSpec = { ...full, steps: 6, eval: { ...full.eval, tokens: 64 } };
      const a = await run({ ...spec, backend: 'wasm' });
      const b = await run({ ...spec, backend: 'cpu' });
      expect(a.train).toHaveLength(6);
      for (const [i, l] of a.train.entries()) expect(Math.abs(l - b.train[i])).toBeLessThan(1e-4);
    });
  }

  it('vit learns MNIST well above chance in a short run', async () => {
    const spec = planOf(`name: mnist
model: {family: vit}
data: {source: mnist}
train: {batch_size: 32, eval_interval: 1000, eval_tokens: 500}
sweep: {sparsity: 0, nonzero_params: 10k, tokens: 6400}
`).trials[0].spec;
    const { out } = await run(spec);
    // 200 steps of a 10k-parameter ViT: chance is 10%
    expect(out.result.finalValAccuracy).toBeGreaterThan(0.3);
  }, 120_000);
});
