import { describe, expect, it } from 'vitest';
import { crossEntropy } from '../../src/models/blocks.js';
import type { MetricPoint } from '../../src/store/types.js';
import { trainTrial } from '../../src/train/trainer.js';
import { planOf, tinySyntheticConfig } from '../helpers/config.js';
import { onBackend, tf } from '../helpers/tf.js';

describe('z-loss', () => {
  it('adds z · mean(log Z²) to the cross-entropy (hand-computed)', async () => {
    await onBackend('cpu', () => {
      // one row, logits [0, ln 3]: Z = 1 + 3 = 4; the target 0 costs ln 4
      const logits = tf.tensor2d([[0, Math.log(3)]]);
      const targets = tf.tensor1d([0], 'int32');
      expect(crossEntropy(logits, targets, 2).dataSync()[0]).toBeCloseTo(Math.log(4), 6);
      expect(crossEntropy(logits, targets, 2, 0.1).dataSync()[0]).toBeCloseTo(
        Math.log(4) + 0.1 * Math.log(4) ** 2,
        6,
      );
    });
  });

  it('enters a trial spec only when set, and raises the training loss, not the validation loss', async () => {
    const plain = planOf(tinySyntheticConfig()).trials[1].spec;
    expect('z_loss' in plain && plain.z_loss !== undefined).toBe(false);
    const withZ = planOf(
      tinySyntheticConfig().replace('eval_tokens: 512}', 'eval_tokens: 512, z_loss: 0.01}'),
    ).trials[1].spec;
    expect(withZ.z_loss).toBe(0.01);
    const firstLosses = async (spec: typeof plain) => {
      const points: MetricPoint[] = [];
      // one step at a learning rate too small to move the weights: validation sees the initial model
      const one = { ...spec, steps: 1, optimizer: { ...spec.optimizer, lr: 1e-12 } };
      const out = await trainTrial(one, { onMetrics: (p) => points.push(...p) });
      points.push(...out.lastPoints);
      const at = (name: string) => points.find((p) => p.name === name && p.step === 1)!.value;
      return { train: at('train_loss'), val: at('val_loss') };
    };
    const [a, b] = [await firstLosses(plain), await firstLosses(withZ)];
    // the same initial weights and batch: the first step's loss differs by the z term alone, 0.01 · (log Z)²,
    // with log Z near ln 16 at the start
    expect(b.train - a.train).toBeGreaterThan(0.01 * 2 ** 2);
    expect(b.train - a.train).toBeLessThan(0.01 * 4 ** 2);
    // validation is plain cross-entropy
    expect(Math.abs(b.val - a.val)).toBeLessThan(1e-6);
  });
});
