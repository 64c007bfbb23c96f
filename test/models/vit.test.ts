import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cifarFiles, readCifarBatches, readIdx } from '../../src/data/idx-cifar.js';
import { type ImageSet, patchify } from '../../src/data/images.js';
import { syntheticImages } from '../../src/data/synthetic-images.js';
import { blockPrunableCount, LM_LAYER } from '../../src/models/sizing.js';
import { countParams } from '../../src/models/types.js';
import { type ImageBatch, type VitShape, vitFamily } from '../../src/models/vit.js';
import { sizeVit, vitHparamsSchema } from '../../src/models/vit-sizing.js';
import { Rng } from '../../src/util/rng.js';
import { tempDir } from '../helpers/config.js';
import { expectGradientsMatchFiniteDifferences } from '../helpers/gradcheck.js';
import { idxImages, idxLabels } from '../helpers/idx.js';
import { onBackend, tf } from '../helpers/tf.js';

describe('image data', () => {
  it('cuts images into patches row-major (hand case)', () => {
    // one 4x4 single-channel image with pixels 0..15; 2x2 patches
    const set: ImageSet = {
      images: Float32Array.from({ length: 16 }, (_, i) => i),
      labels: Int32Array.of(0),
      count: 1,
      height: 4,
      width: 4,
      channels: 1,
      classes: 1,
    };
    expect([...patchify(set, [0], 2, 0, 1)]).toEqual([0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15]);
  });

  it('reads IDX and CIFAR-10 binary files', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'i'), idxImages());
    writeFileSync(join(dir, 'l'), idxLabels([3, 7]));
    const set = readIdx(join(dir, 'i'), join(dir, 'l'));
    expect([set.count, set.height, set.width, set.classes]).toEqual([2, 2, 2, 8]);
    expect([...set.images.subarray(0, 4)].map((v) => +v.toFixed(6))).toEqual([0, 1, 0.2, 0.4]);
    expect(() => readIdx(join(dir, 'l'), join(dir, 'l'))).toThrow(/not an IDX image file/);
    // CIFAR: label byte, then R, G, B planes; we store HWC
    const rec = Buffer.alloc(3073);
    rec[0] = 9;
    rec[1] = 255; // R of pixel 0
    rec[1 + 1024] = 51; // G of pixel 0
    rec[1 + 2048 + 1] = 102; // B of pixel 1
    const files = cifarFiles(dir);
    writeFileSync(files.test[0], rec);
    const c = readCifarBatches(files.test);
    expect(c.labels[0]).toBe(9);
    expect([...c.images.subarray(0, 6)].map((v) => +v.toFixed(6))).toEqual([1, 0.2, 0, 0, 0, 0.4]);
  });

  it('makes synthetic images whose labels carry the stated noise', () => {
    const d = syntheticImages({
      classes: 4,
      size: 6,
      labelNoise: 0.2,
      trainImages: 4000,
      validationImages: 10,
      seed: 1,
    });
    expect(d.entropyFloor).toBeCloseTo(-0.8 * Math.log(0.8) - 0.2 * Math.log(0.2 / 3), 10);
    expect(d.train.count).toBe(4000);
  });
});

const shape: VitShape = {
  family: 'vit',
  image_height: 4,
  image_width: 4,
  channels: 1,
  patch_size: 2,
  classes: 3,
  d_model: 8,
  n_layers: 2,
  n_heads: 2,
  d_ff: 12,
  pooling: 'cls',
};

describe('vit model', () => {
  it('sizes N within 5% counting only block matrices', () => {
    const h = vitHparamsSchema.parse({ family: 'vit' });
    for (const [n, s] of [
      [3e3, 0],
      [2e4, 0.5],
      [3e5, 0.75],
      [5e6, 0.9],
    ]) {
      const sh = sizeVit(n, s, h, { height: 28, width: 28, channels: 1, classes: 10 });
      expect(sh.patch_size).toBe(7);
      const prunable = countParams(vitFamily.params(sh)).prunable;
      expect(prunable).toBe(blockPrunableCount(sh, LM_LAYER));
      expect(Math.abs(prunable * (1 - s) - n) / n).toBeLessThan(0.05);
    }
    // the pooling asked for is the pooling sized (mean pooling silently read as cls would train the other model)
    const mnist = { height: 28, width: 28, channels: 1, classes: 10 };
    expect(sizeVit(6000, 0, { ...h, pooling: 'mean' }, mnist).pooling).toBe('mean');
    expect(sizeVit(6000, 0, { ...h, pooling: 'cls' }, mnist).pooling).toBe('cls');
    expect(() =>
      sizeVit(1e4, 0, { ...h, patch_size: 5 }, { height: 28, width: 28, channels: 1, classes: 10 }),
    ).toThrow('patch_size 5 does not divide the 28x28 images; choose a divisor of both: 1, 2, 4, 7, 14, 28');
    // the default, a quarter of the side, named as the default where the config gave none
    expect(() => sizeVit(1e4, 0, h, { height: 13, width: 13, channels: 1, classes: 3 })).toThrow(
      "the default patch_size, a quarter of the images' side (3), does not divide the 13x13 images; set model.patch_size to a divisor of both: 1, 13",
    );
  });

  for (const pooling of ['cls', 'mean'] as const) {
    it(`gradients match finite differences (cpu, ${pooling} pooling)`, async () => {
      await onBackend('cpu', () => {
        const s = { ...shape, pooling };
        const rng = Rng.seeded(4);
        const init = vitFamily.init(s, rng);
        for (const [name, v] of init)
          if (!name.includes('ln')) for (let i = 0; i < v.length; i++) v[i] = v[i] * 10 + 0.05 * rng.normal();
        const batch: ImageBatch = {
          patches: rng.normalArray(3 * 4 * 4, 1),
          labels: Int32Array.of(0, 2, 1),
          batchSize: 3,
        };
        expectGradientsMatchFiniteDifferences(vitFamily, s, init, batch, rng);
        const ps = new Map(vitFamily.params(s).map((p) => [p.name, tf.tensor(init.get(p.name)!, p.shape)]));
        const acc = vitFamily.accuracy!(s, ps, batch).dataSync()[0];
        expect([0, 1 / 3, 2 / 3, 1].some((v) => Math.abs(v - acc) < 1e-6)).toBe(true);
      });
    });
  }
});
